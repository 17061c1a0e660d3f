import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { file, ndjson, text } from '@plinth/body-writer';
import { terminate } from '@plinth/interceptor';
import type { PlinthServer } from '@plinth/node';
import {
  endResponse,
  type HttpContext,
  writeableBody,
  writeResponse,
  writeResponseBody,
} from '@plinth/writeable-body';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compress } from '../src/index';
import { type capturingLogger, decode, jsonOfSize, request, serve } from './helpers';

const big = JSON.stringify(jsonOfSize(100_000));
const lines = Array.from({ length: 3000 }, (_, i) => `line ${i} of a text that repeats itself`);

let server: PlinthServer;
let url: string;
let logger: ReturnType<typeof capturingLogger>;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'plinth-compress-'));
  await writeFile(join(dir, 'big.json'), big);
  const routes: Record<string, () => unknown> = {
    '/string': () => ({ status: 200, headers: { 'content-type': 'application/json' }, body: big }),
    '/bytes': () => ({
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: Buffer.from(big),
    }),
    '/object': () => ({ status: 200, body: JSON.parse(big) }),
    '/sequence': () => ({
      status: 200,
      body: (function* () {
        for (let i = 0; i < 5000; i++) yield { i, name: `element ${i}` };
      })(),
    }),
    '/ndjson': () => ({
      status: 200,
      body: ndjson(
        (async function* () {
          for (let i = 0; i < 5000; i++) yield { i, name: `element ${i}` };
        })(),
      ),
    }),
    '/text': () => ({ status: 200, body: text(lines.map((l) => `${l}\n`)) }),
    '/readable': () => ({
      status: 200,
      headers: { 'content-type': 'text/plain' },
      body: Readable.from(lines.map((l) => Buffer.from(`${l}\n`))),
    }),
    '/web-stream': () => ({
      status: 200,
      headers: { 'content-type': 'text/plain' },
      body: new Blob(lines.map((l) => `${l}\n`)).stream(),
    }),
    '/function': () => ({
      status: 200,
      headers: { 'content-type': 'text/plain' },
      body: async (sink: { write(c: string): unknown }) => {
        for (const l of lines) await sink.write(`${l}\n`);
      },
    }),
    '/file': () => ({ status: 200, body: file(join(dir, 'big.json')) }),
    '/failing': () => ({
      status: 200,
      body: (function* () {
        for (let i = 0; i < 50_000; i++) {
          if (i === 40_000) throw new Error('the producer failed');
          yield { i };
        }
      })(),
    }),
    '/fs-stream': () => ({
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: createReadStream(join(dir, 'big.json')),
    }),
    '/writeable': () => ({
      status: 200,
      body: writeableBody({
        contentType: 'text/csv',
        async write(sink) {
          for (const l of lines) await sink.write(`${l},x\n`);
        },
      }),
    }),
  };
  ({ server, url, logger } = await serve([
    compress(),
    {
      name: 'low-level',
      async enter(ctx: HttpContext) {
        if (ctx.request.path !== '/low-level') return ctx;
        await writeResponse(ctx, {
          status: 200,
          headers: { 'content-type': 'text/plain' },
          body: 'first, ',
        });
        await writeResponseBody(ctx, 'second, ');
        await writeResponseBody(ctx, ['third']);
        return terminate(await endResponse(ctx));
      },
    },
    (req: { path: string }) => routes[req.path]?.() ?? { status: 404, body: 'none' },
  ]));
});

afterAll(async () => {
  await server.stop({ graceMs: 100 });
  await rm(dir, { recursive: true, force: true });
});

const expected: Record<string, () => string> = {
  '/string': () => big,
  '/bytes': () => big,
  '/object': () => big,
  '/sequence': () =>
    JSON.stringify(Array.from({ length: 5000 }, (_, i) => ({ i, name: `element ${i}` }))),
  '/ndjson': () =>
    Array.from({ length: 5000 }, (_, i) => `${JSON.stringify({ i, name: `element ${i}` })}\n`).join(
      '',
    ),
  '/text': () => lines.map((l) => `${l}\n`).join(''),
  '/readable': () => lines.map((l) => `${l}\n`).join(''),
  '/web-stream': () => lines.map((l) => `${l}\n`).join(''),
  '/function': () => lines.map((l) => `${l}\n`).join(''),
  '/file': () => big,
  '/fs-stream': () => big,
  '/writeable': () => lines.map((l) => `${l},x\n`).join(''),
};

describe('every body type the body-writer knows is compressed', () => {
  for (const encoding of ['gzip', 'br', 'deflate']) {
    for (const path of Object.keys(expected)) {
      it(`${path} as ${encoding}`, async () => {
        const res = await request(url, path, { headers: { 'accept-encoding': encoding } });
        expect(res.error).toBeUndefined();
        expect(res.status).toBe(200);
        expect(res.headers['content-encoding']).toBe(encoding);
        expect(res.headers['content-length']).toBeUndefined();
        expect(res.headers.vary).toBe('Accept-Encoding');
        const want = expected[path]!();
        expect(res.body.length).toBeLessThan(want.length / 3);
        expect(decode(res.body, encoding).toString()).toBe(want);
      });
    }
  }

  it('low-level streaming (writeResponse, writeResponseBody, endResponse) is one compressed stream', async () => {
    const res = await request(url, '/low-level', { headers: { 'accept-encoding': 'gzip' } });
    expect(res.error).toBeUndefined();
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(decode(res.body, 'gzip').toString()).toBe('first, second, ["third"]');
  });

  it('a producer failing mid-body aborts only its own response; the client can tell', async () => {
    const failed = await request(url, '/failing', { headers: { 'accept-encoding': 'gzip' } });
    expect(failed.headers['content-encoding']).toBe('gzip');
    expect(failed.error).toBeDefined();
    const next = await request(url, '/string', { headers: { 'accept-encoding': 'gzip' } });
    expect(decode(next.body, 'gzip').toString()).toBe(big);
    expect(logger.errors().map((e) => e.msg)).toEqual([
      'response failed after it started; connection aborted',
    ]);
  });

  it('fetch (undici) decodes it', async () => {
    const res = await fetch(`${url}/sequence`, { headers: { 'accept-encoding': 'br, gzip' } });
    expect(res.headers.get('content-encoding')).toBe('br');
    expect(await res.text()).toBe(expected['/sequence']!());
  });
});
