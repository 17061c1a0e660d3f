import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectingSink, until } from '../test/sink';
import { toWriteableBody, writeBodyToStream } from './body';
import { BodyWriterError } from './errors';
import { file } from './file';

const openDescriptors = (): number => readdirSync('/proc/self/fd').length;
const canCountDescriptors = (() => {
  try {
    openDescriptors();
    return true;
  } catch {
    console.log('file.test: /proc/self/fd is not readable here; descriptor counts are skipped');
    return false;
  }
})();

let dir: string;
let big: string;
let bigBytes: Buffer;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'plinth-body-writer-'));
  big = join(dir, 'data.bin');
  bigBytes = randomBytes(3 * 1024 * 1024 + 123);
  writeFileSync(big, bigBytes);
  writeFileSync(join(dir, 'page.html'), '<p>hi</p>');
  writeFileSync(join(dir, 'notes.txt'), 'héllo');
  writeFileSync(join(dir, 'blob.unknownext'), 'x');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Waits for the descriptor count to come back to `before`. */
async function descriptorsBackTo(before: number): Promise<void> {
  if (!canCountDescriptors) return;
  await until(() => openDescriptors() <= before, 2000, `descriptors back to ${before}`);
  expect(openDescriptors()).toBeLessThanOrEqual(before);
}

describe('file(path)', () => {
  it('takes the Content-Type from the extension (mime-types), charset for text', () => {
    expect(file(join(dir, 'page.html')).defaultContentType()).toBe('text/html; charset=utf-8');
    expect(file(join(dir, 'notes.txt')).defaultContentType()).toBe('text/plain; charset=utf-8');
    expect(file(join(dir, 'data.bin')).defaultContentType()).toBe('application/octet-stream');
    expect(file(join(dir, 'x.json')).defaultContentType()).toBe('application/json; charset=utf-8');
    expect(file(join(dir, 'blob.unknownext')).defaultContentType()).toBe(
      'application/octet-stream',
    );
    expect(file('a.png', { contentType: 'image/x-mine' }).defaultContentType()).toBe(
      'image/x-mine',
    );
  });

  it('knows its length after prepare(), before anything is written, and writes byte-exact', async () => {
    const body = file(big);
    expect(body.contentLength()).toBeUndefined();
    await body.prepare!();
    expect(body.contentLength()).toBe(bigBytes.byteLength);
    const sink = collectingSink();
    await body.writeBody(sink);
    expect(sink.bytes().equals(bigBytes)).toBe(true);
  });

  it('reads in 1 MiB chunks by default, highWaterMark otherwise', async () => {
    const sink = collectingSink();
    await writeBodyToStream(file(big), sink);
    expect(sink.chunks.map((c) => c.length)).toEqual([1048576, 1048576, 1048576, 123]);
    const small = collectingSink();
    await writeBodyToStream(file(big, { highWaterMark: 1024 * 1024 + 1 }), small);
    expect(small.chunks).toHaveLength(4);
    expect(small.bytes().equals(bigBytes)).toBe(true);
  });

  it('closes its descriptor after writing, after release(), and when the client leaves', async () => {
    const before = canCountDescriptors ? openDescriptors() : 0;

    await writeBodyToStream(file(big), collectingSink());
    await descriptorsBackTo(before);

    const released = file(big);
    await released.prepare!();
    if (canCountDescriptors) expect(openDescriptors()).toBe(before + 1);
    released.release!();
    await descriptorsBackTo(before);

    const sink = collectingSink({ blockEvery: 1, stall: true });
    const done = writeBodyToStream(file(big, { highWaterMark: 65536 }), sink)!;
    done.catch(() => {});
    await until(() => sink.chunks.length === 1, 2000, 'the first chunk');
    if (canCountDescriptors) expect(openDescriptors()).toBe(before + 1);
    const reason = new Error('client left');
    sink.controller.abort(reason);
    await expect(done).rejects.toBe(reason);
    await descriptorsBackTo(before);
  });

  it('prepare() is idempotent (an adapter may prepare before writeBodyToStream does)', async () => {
    const before = canCountDescriptors ? openDescriptors() : 0;
    const body = file(join(dir, 'notes.txt'));
    await body.prepare!();
    const sink = collectingSink();
    await writeBodyToStream(body, sink);
    expect(sink.text()).toBe('héllo');
    expect(body.contentLength()).toBe(6);
    await descriptorsBackTo(before);
  });

  it('a missing file fails in prepare() with status 404, naming the file but not the directory', async () => {
    let error: unknown;
    try {
      await file(join(dir, 'missing.txt')).prepare!();
    } catch (e) {
      error = e;
    }
    expect(BodyWriterError.isError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'FILE_NOT_FOUND', status: 404 });
    expect((error as Error).message).toBe('File not found: missing.txt');
    expect(((error as Error).cause as { code: string }).code).toBe('ENOENT');
  });

  it('a directory is not found either (404), and its descriptor is closed', async () => {
    const before = canCountDescriptors ? openDescriptors() : 0;
    await expect(file(dir).prepare!()).rejects.toMatchObject({
      code: 'FILE_NOT_FOUND',
      status: 404,
    });
    await descriptorsBackTo(before);
  });

  it('a file that shrank under a promised length rejects (the response must not end short)', async () => {
    const path = join(dir, 'shrinks.bin');
    writeFileSync(path, randomBytes(5000));
    const body = file(path);
    await body.prepare!();
    writeFileSync(path, randomBytes(100));
    await expect(body.writeBody(collectingSink())).rejects.toMatchObject({ code: 'FILE_CHANGED' });
  });

  it('refuses bad arguments, naming them', () => {
    expect(() => file('' as never)).toThrow(/path must be a non-empty string, got a string/);
    expect(() => file(7 as never)).toThrow(/got a number \(7\)/);
    expect(() => file('x', { highWaterMark: 0 })).toThrow(
      /highWaterMark must be a positive integer, got a number \(0\)/,
    );
  });

  it('is a WriteableBody: toWriteableBody hands it back', () => {
    const body = file(big);
    expect(toWriteableBody(body)).toBe(body);
  });
});
