import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { responseFor } from '@plinth/node/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { curl, type StartedDemo, startDemo } from '../test/helpers';
import { resolveAsset } from './files';

const realAssets = fileURLToPath(new URL('../assets/', import.meta.url));

describe('GET /files/:name', () => {
  let app: StartedDemo;
  let tmp: string;
  let assets: string;
  let big: Buffer;

  beforeAll(async () => {
    // A scratch assets folder with a symlink out of it, one inside it, a
    // subfolder, a dotfile and a 3 MiB file; a secret next to it.
    tmp = await mkdtemp(join(tmpdir(), 'plinth-demo-files-'));
    assets = join(tmp, 'assets');
    await mkdir(join(assets, 'sub'), { recursive: true });
    await writeFile(join(tmp, 'secret.txt'), 'TOP-SECRET\n');
    await writeFile(join(assets, 'hello.txt'), 'hello\n');
    await writeFile(join(assets, '.env'), 'TOKEN=x\n');
    big = randomBytes(3 * 1024 * 1024);
    await writeFile(join(assets, 'big.bin'), big);
    await symlink(join(tmp, 'secret.txt'), join(assets, 'escape.txt'));
    await symlink('../secret.txt', join(assets, 'relative-escape.txt'));
    await symlink('hello.txt', join(assets, 'alias.txt'));
    app = await startDemo({ assetsDir: assets });
  });
  afterAll(async () => {
    await app.stop();
    await rm(tmp, { recursive: true, force: true });
  });

  it('serves the real assets folder with type and length (curl)', async () => {
    const demo = await startDemo();
    try {
      const expected = await readFile(join(realAssets, 'hello.txt'), 'utf8');
      const { status, headers, body } = await curl([`${demo.url}/files/hello.txt`]);
      expect(status).toBe(200);
      expect(headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(Number(headers['content-length'])).toBe(Buffer.byteLength(expected));
      expect(body).toBe(expected);
      const png = await fetch(`${demo.url}/files/plinth.png`);
      expect(png.headers.get('content-type')).toBe('image/png');
      const expectedPng = await readFile(join(realAssets, 'plinth.png'));
      expect(Buffer.from(await png.arrayBuffer()).equals(expectedPng)).toBe(true);
    } finally {
      await demo.stop();
    }
  });

  it('answers HEAD with the headers and no body (curl -I)', async () => {
    const { status, headers, body } = await curl(['-I', `${app.url}/files/big.bin`]);
    expect(status).toBe(200);
    expect(headers['content-type']).toBe('application/octet-stream');
    expect(Number(headers['content-length'])).toBe(big.length);
    expect(body).toBe('');
  });

  it('streams a large file whole', async () => {
    const response = await fetch(`${app.url}/files/big.bin`);
    expect(response.status).toBe(200);
    const bytes = Buffer.from(await response.arrayBuffer());
    expect(bytes.length).toBe(big.length);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(
      createHash('sha256').update(big).digest('hex'),
    );
  });

  it('resumes an interrupted download: Range with If-Range gives the rest (206)', async () => {
    const first = await fetch(`${app.url}/download/big.bin`, {
      headers: { range: 'bytes=0-999999' },
    });
    expect(first.status).toBe(206);
    expect(first.headers.get('content-disposition')).toBe('attachment; filename="big.bin"');
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/); // strong, so If-Range can use it
    const head = Buffer.from(await first.arrayBuffer());
    const rest = await fetch(`${app.url}/download/big.bin`, {
      headers: { range: `bytes=${head.length}-`, 'if-range': etag },
    });
    expect(rest.status).toBe(206);
    expect(rest.headers.get('content-range')).toBe(
      `bytes ${head.length}-${big.length - 1}/${big.length}`,
    );
    const whole = Buffer.concat([head, Buffer.from(await rest.arrayBuffer())]);
    expect(whole.equals(big)).toBe(true);
    // A download of an older version starts over: 200 with the whole file.
    const stale = await fetch(`${app.url}/download/big.bin`, {
      headers: { range: 'bytes=1000-', 'if-range': '"older"' },
    });
    expect(stale.status).toBe(200);
    expect((await stale.arrayBuffer()).byteLength).toBe(big.length);
  });

  it('revalidates a page file with a 304', async () => {
    const page = await fetch(`${app.url}/app.css`);
    await page.arrayBuffer();
    const again = await fetch(`${app.url}/app.css`, {
      headers: { 'if-none-match': page.headers.get('etag')! },
    });
    expect(again.status).toBe(304);
  });

  it('follows a symlink that stays inside the folder (in-process test client)', async () => {
    const response = await responseFor(app.demo.service, 'GET', '/files/alias.txt');
    expect(response.status).toBe(200);
    expect(response.body).toBe('hello\n');
  });

  it.each([
    '/files/../secret.txt',
    '/files/..%2fsecret.txt',
    '/files/..%2Fsecret.txt',
    '/files/%2e%2e%2fsecret.txt',
    '/files/%2e%2e',
    '/files/..',
    '/files/.',
    '/files/..%5csecret.txt',
    '/files/%2Fetc%2Fpasswd',
    '/files/%252e%252e%252fsecret.txt',
    '/files/escape.txt',
    '/files/relative-escape.txt',
    '/files/.env',
    '/files/sub',
    '/files/hello.txt%00.png',
    '/files/missing.txt',
    '/files/',
  ])('answers 404 for %s (curl --path-as-is)', async (path) => {
    const { status, body } = await curl(['--path-as-is', `${app.url}${path}`]);
    expect(status).toBe(404);
    expect(body).not.toContain('TOP-SECRET');
    expect(body).not.toContain('TOKEN=');
  });
});

describe('resolveAsset', () => {
  it('keeps every name inside the folder', async () => {
    expect(await resolveAsset(realAssets, 'hello.txt')).toBe(join(realAssets, 'hello.txt'));
    for (const name of [
      '',
      '.',
      '..',
      '../package.json',
      '/etc/passwd',
      'a\\b',
      'a\0b',
      '.hidden',
    ]) {
      expect(await resolveAsset(realAssets, name)).toBeUndefined();
    }
  });
});
