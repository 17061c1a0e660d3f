import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import zlib from 'node:zlib';
import type { PlinthServer } from '@plinth/node';
import { serveStatic } from '@plinth/static';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CompressError, compress, isCompressError } from '../src/index';
import { type capturingLogger, curl, decode, request, serve } from './helpers';

const text = 'all work and no play makes a dull response body; '.repeat(200);

let server: PlinthServer;
let url: string;
let logger: ReturnType<typeof capturingLogger>;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'plinth-compress-static-'));
  await writeFile(join(dir, 'app.js'), text);
  await writeFile(join(dir, 'app.js.gz'), zlib.gzipSync(text));
  await writeFile(join(dir, 'plain.css'), text);
  const routes: Record<string, () => unknown> = {
    '/text': () => ({ status: 200, headers: { 'content-type': 'text/plain' }, body: text }),
    '/no-content': () => ({ status: 204, headers: { 'content-type': 'text/plain' } }),
    '/not-modified': () => ({ status: 304, headers: { etag: '"a"' } }),
    '/partial': () => ({
      status: 206,
      headers: { 'content-type': 'text/plain', 'content-range': `bytes 0-99/${text.length}` },
      body: text.slice(0, 100),
    }),
    '/ranged-200': () => ({
      status: 200,
      headers: { 'content-type': 'text/plain', 'content-range': `bytes 0-${text.length - 1}/*` },
      body: text,
    }),
    '/no-transform': () => ({
      status: 200,
      headers: { 'content-type': 'text/plain', 'cache-control': 'public, no-transform' },
      body: text,
    }),
    '/encoded': () => ({
      status: 200,
      headers: { 'content-type': 'text/plain', 'content-encoding': 'gzip' },
      body: zlib.gzipSync(text),
    }),
    '/png': () => ({
      status: 200,
      headers: { 'content-type': 'image/png' },
      body: Buffer.from(text),
    }),
    '/octets': () => ({ status: 200, body: Buffer.from(text) }),
    '/small': () => ({
      status: 200,
      headers: { 'content-type': 'text/plain' },
      body: 'x'.repeat(1023),
    }),
    '/at-threshold': () => ({
      status: 200,
      headers: { 'content-type': 'text/plain' },
      body: 'x'.repeat(1024),
    }),
    '/validators': () => ({
      status: 200,
      headers: {
        'Content-Type': 'text/plain',
        ETag: '"v1"',
        Vary: 'Origin',
        'Content-Length': String(text.length),
        'Accept-Ranges': 'bytes',
      },
      body: text,
    }),
    '/weak': () => ({
      status: 200,
      headers: { 'content-type': 'text/plain', etag: 'W/"v1"' },
      body: text,
    }),
    '/error': () => ({ status: 500, headers: { 'content-type': 'text/plain' }, body: text }),
  };
  ({ server, url, logger } = await serve([
    compress(),
    serveStatic(dir, { prefix: '/static', precompressed: true, fallthrough: true }),
    (req: { path: string }) => routes[req.path]?.() ?? { status: 404, body: 'none' },
  ]));
});

afterAll(async () => {
  await server.stop({ graceMs: 100 });
  await rm(dir, { recursive: true, force: true });
});

const gz = { 'accept-encoding': 'gzip' };

describe('what is left alone', () => {
  it('HEAD: no Content-Encoding, no body', async () => {
    const res = await request(url, '/text', { method: 'HEAD', headers: gz });
    expect(res.status).toBe(200);
    expect(res.headers['content-encoding']).toBeUndefined();
    expect(res.body.length).toBe(0);
  });

  for (const [path, status] of [
    ['/no-content', 204],
    ['/not-modified', 304],
    ['/partial', 206],
  ] as const) {
    it(`${status}`, async () => {
      const res = await request(url, path, { headers: gz });
      expect(res.status).toBe(status);
      expect(res.headers['content-encoding']).toBeUndefined();
    });
  }

  it('a response with Content-Range', async () => {
    const res = await request(url, '/ranged-200', { headers: gz });
    expect(res.headers['content-encoding']).toBeUndefined();
    expect(res.body.toString()).toBe(text);
  });

  it('Cache-Control: no-transform', async () => {
    const res = await request(url, '/no-transform', { headers: gz });
    expect(res.headers['content-encoding']).toBeUndefined();
    expect(res.body.toString()).toBe(text);
  });

  it('a body that already has a Content-Encoding is not compressed twice', async () => {
    const res = await request(url, '/encoded', { headers: gz });
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(zlib.gunzipSync(res.body).toString()).toBe(text);
  });

  it("static's precompressed variant is sent as it is", async () => {
    const res = await request(url, '/static/app.js', { headers: gz });
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(res.headers.vary).toBe('Accept-Encoding');
    expect(zlib.gunzipSync(res.body).toString()).toBe(text);
  });

  it('a static file without a variant is compressed, its strong ETag made weak, no ranges advertised', async () => {
    const res = await request(url, '/static/plain.css', { headers: { 'accept-encoding': 'br' } });
    expect(res.headers['content-encoding']).toBe('br');
    expect(res.headers.etag).toMatch(/^W\//);
    expect(res.headers['accept-ranges']).toBeUndefined();
    expect(zlib.brotliDecompressSync(res.body).toString()).toBe(text);
  });

  it('types that are not compressible (image/png, octet-stream)', async () => {
    for (const path of ['/png', '/octets']) {
      const res = await request(url, path, { headers: gz });
      expect(res.headers['content-encoding'], path).toBeUndefined();
      expect(res.headers.vary, path).toBeUndefined();
    }
  });

  it('a known length under the threshold; at the threshold it is compressed', async () => {
    const small = await request(url, '/small', { headers: gz });
    expect(small.headers['content-encoding']).toBeUndefined();
    expect(small.headers['content-length']).toBe('1023');
    const at = await request(url, '/at-threshold', { headers: gz });
    expect(at.headers['content-encoding']).toBe('gzip');
  });

  it('a client that accepts none of ours gets identity, with Vary', async () => {
    for (const accept of [undefined, 'identity', 'compress', 'gzip;q=0, br;q=0, deflate;q=0']) {
      const res = await request(url, '/text', {
        headers: accept === undefined ? {} : { 'accept-encoding': accept },
      });
      expect(res.headers['content-encoding'], accept).toBeUndefined();
      expect(res.headers.vary, accept).toBe('Accept-Encoding');
      expect(res.body.toString()).toBe(text);
    }
  });
});

describe('headers of a compressed response', () => {
  it('strong ETag becomes weak, Vary is merged, Content-Length and Accept-Ranges go', async () => {
    const res = await request(url, '/validators', { headers: gz });
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(res.headers.etag).toBe('W/"v1"');
    expect(res.headers.vary).toBe('Origin, Accept-Encoding');
    expect(res.headers['content-length']).toBeUndefined();
    expect(res.headers['accept-ranges']).toBeUndefined();
    expect(res.headers['transfer-encoding']).toBe('chunked');
  });

  it('a weak ETag stays as it is', async () => {
    const res = await request(url, '/weak', { headers: gz });
    expect(res.headers.etag).toBe('W/"v1"');
  });

  it('error responses are compressed like any other', async () => {
    const res = await request(url, '/error', { headers: gz });
    expect(res.status).toBe(500);
    expect(decode(res.body, res.headers['content-encoding']).toString()).toBe(text);
  });
});

describe('bad input', () => {
  it('malformed Accept-Encoding values never give a 5xx', async () => {
    const values = [';;;', 'gzip;q=abc', '*;q=', 'br;q=1;;;;q', ',,,', '=', 'gzip;q=0.5;q=', '\t'];
    for (const value of values) {
      const res = await request(url, '/text', { headers: { 'accept-encoding': value } });
      expect(res.status, value).toBe(200);
      expect(decode(res.body, res.headers['content-encoding']).toString(), value).toBe(text);
    }
    expect(logger.errors()).toEqual([]);
  });

  it('bad options are refused with a CompressError', () => {
    for (const options of [
      { threshold: -1 },
      { level: 10 },
      { brotliQuality: 12 },
      { encodings: ['lzma'] },
      { encodings: [] },
      { filter: 'text/*' },
      { ignoreNoTransform: 'yes' },
      { streamWindowBits: 16 },
    ]) {
      let caught: unknown;
      try {
        compress(options as never);
      } catch (error) {
        caught = error;
      }
      expect(isCompressError(caught), JSON.stringify(options)).toBe(true);
      expect((caught as CompressError).code).toBe('INVALID_ARGUMENT');
    }
  });
});

describe('curl --compressed', () => {
  it('decodes what it asked for (gzip, and br when this curl has it)', async () => {
    const res = await curl(['--silent', '--compressed', '--include', `${url}/text`]);
    expect(res.code).toBe(0);
    const out = res.stdout.toString();
    expect(out).toMatch(/content-encoding: (gzip|br|deflate)/i);
    expect(out.endsWith(text)).toBe(true);
  });
});
