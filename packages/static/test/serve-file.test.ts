// serveFile and serveStatic over a real socket: validators, conditional requests
// (RFC 9110 13), ranges (14), precompressed variants (8.4, 12.5.3).
import { utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveFile, serveStatic } from '../src/index';
import {
  curl,
  fixtureDir,
  MTIME,
  MTIME_HTTP,
  openFds,
  parseMultipart,
  pattern,
  request,
  serve,
  waitFor,
} from './helpers';

const DATA = pattern(1000);
const JS = 'console.log("original");\n'.repeat(40);
const BR = Buffer.from('pretend-brotli-bytes-0123456789');
const GZ = Buffer.from('pretend-gzip-bytes-abcdefghijklmnopqrstuvwxyz');
const ZST = Buffer.from('pretend-zstd');

let fixture: Awaited<ReturnType<typeof fixtureDir>>;
let url: string;
let stop: () => Promise<void>;
let errors: () => unknown[];

beforeAll(async () => {
  fixture = await fixtureDir({
    'data.bin': DATA,
    'a.txt': 'hello, static\n',
    'empty.txt': '',
    'app.js': JS,
    'app.js.br': BR,
    'app.js.gz': GZ,
    'app.js.zst': ZST,
    'only.css': 'body{}',
    'only.css.gz': GZ,
  });
  const { root } = fixture;
  const routes = (prefix: string, options: Parameters<typeof serveStatic>[1]) =>
    serveStatic(root, { ...options, prefix });
  const started = await serve([
    routes('/plain', {}),
    routes('/bare', { etag: false, lastModified: false, cacheControl: false, ranges: false }),
    routes('/cached', { maxAge: 31536000, immutable: true }),
    routes('/strong', { etag: 'strong' }),
    routes('/pre', { precompressed: true }),
    routes('/gz-only', { precompressed: ['gzip'] }),
    routes('/two', { maxRanges: 2 }),
    (req: { path: string; method: string; headers: Record<string, string> }) =>
      req.path === '/download'
        ? serveFile(req as never, join(root, 'data.bin'), {
            etag: 'strong',
            headers: { 'content-disposition': 'attachment; filename="data.bin"' },
          })
        : { status: 418, body: 'nothing here' },
  ]);
  url = started.url;
  stop = () => started.server.stop({ graceMs: 100 });
  errors = () => started.logger.errors();
});

afterAll(async () => {
  await stop?.();
  await fixture?.cleanup();
});

const get = (path: string, headers: Record<string, string> = {}) => request(url, path, { headers });
const head = (path: string, headers: Record<string, string> = {}) =>
  request(url, path, { method: 'HEAD', headers });
const weakTag = (size: number) => `W/"${size.toString(16)}-${MTIME.getTime().toString(16)}"`;

describe('validators (RFC 9110 8.8)', () => {
  it('sends a weak ETag from size and mtime, Last-Modified, Cache-Control and Accept-Ranges', async () => {
    const res = await get('/plain/a.txt');
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe('hello, static\n');
    expect(res.headers).toMatchObject({
      'content-type': 'text/plain; charset=utf-8',
      'content-length': '14',
      etag: weakTag(14),
      'last-modified': MTIME_HTTP,
      'cache-control': 'public, max-age=0',
      'accept-ranges': 'bytes',
    });
  });

  it('switches each validator off', async () => {
    const res = await get('/bare/a.txt', { range: 'bytes=0-1' });
    expect(res.status).toBe(200);
    for (const name of ['etag', 'last-modified', 'cache-control', 'accept-ranges']) {
      expect(res.headers[name]).toBeUndefined();
    }
  });

  it('sends max-age and immutable', async () => {
    const res = await get('/cached/a.txt');
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });

  it('makes a strong ETag from the bytes, stable across requests', async () => {
    const a = await get('/strong/data.bin');
    const b = await head('/strong/data.bin');
    expect(a.headers.etag).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
    expect(b.headers.etag).toBe(a.headers.etag);
  });

  it('serves an empty file with Content-Length 0', async () => {
    const res = await get('/plain/empty.txt');
    expect(res.status).toBe(200);
    expect(res.headers['content-length']).toBe('0');
    expect(res.body.length).toBe(0);
  });
});

describe('conditional requests (RFC 9110 13.2.2 order)', () => {
  const tag = weakTag(1000);
  const later = new Date(MTIME.getTime() + 60_000).toUTCString();
  const earlier = new Date(MTIME.getTime() - 60_000).toUTCString();

  it('If-None-Match that matches gives 304 with the validators and no body (13.1.2, 15.4.5)', async () => {
    const res = await get('/plain/data.bin', { 'if-none-match': tag });
    expect(res.status).toBe(304);
    expect(res.body.length).toBe(0);
    expect(res.headers).toMatchObject({
      etag: tag,
      'last-modified': MTIME_HTTP,
      'cache-control': 'public, max-age=0',
    });
    expect(res.headers['content-type']).toBeUndefined();
  });

  it('If-None-Match compares weakly: a strong form of the weak tag matches', async () => {
    const res = await get('/plain/data.bin', { 'if-none-match': `"x", ${tag.slice(2)}` });
    expect(res.status).toBe(304);
  });

  it('If-None-Match takes precedence over If-Modified-Since, both ways (13.1.3)', async () => {
    const miss = await get('/plain/data.bin', {
      'if-none-match': '"other"',
      'if-modified-since': later,
    });
    expect(miss.status).toBe(200);
    // A conditional GET that gets the body after all (stat first, then open).
    expect(miss.body.equals(DATA)).toBe(true);
    const hit = await get('/plain/data.bin', {
      'if-none-match': tag,
      'if-modified-since': earlier,
    });
    expect(hit.status).toBe(304);
  });

  it('If-Modified-Since: 304 when not modified since, 200 otherwise, ignored when not a date', async () => {
    expect((await get('/plain/data.bin', { 'if-modified-since': MTIME_HTTP })).status).toBe(304);
    expect((await get('/plain/data.bin', { 'if-modified-since': earlier })).status).toBe(200);
    expect((await get('/plain/data.bin', { 'if-modified-since': 'yesterday' })).status).toBe(200);
  });

  it('If-Match: a mismatch or a weak tag gives 412, * passes (13.1.1)', async () => {
    expect((await get('/plain/data.bin', { 'if-match': '"nope"' })).status).toBe(412);
    expect((await get('/plain/data.bin', { 'if-match': tag })).status).toBe(412);
    expect((await get('/plain/data.bin', { 'if-match': '*' })).status).toBe(200);
    const strong = (await head('/strong/data.bin')).headers.etag as string;
    expect((await get('/strong/data.bin', { 'if-match': `"a", ${strong}` })).status).toBe(200);
  });

  it('If-Unmodified-Since: 412 when modified since; ignored when If-Match is present (13.1.4)', async () => {
    expect((await get('/plain/data.bin', { 'if-unmodified-since': earlier })).status).toBe(412);
    expect((await get('/plain/data.bin', { 'if-unmodified-since': later })).status).toBe(200);
    expect(
      (await get('/plain/data.bin', { 'if-match': '*', 'if-unmodified-since': earlier })).status,
    ).toBe(200);
  });

  it('If-Match is evaluated before If-None-Match: 412 wins over 304', async () => {
    const res = await get('/plain/data.bin', { 'if-match': '"nope"', 'if-none-match': tag });
    expect(res.status).toBe(412);
  });

  it('HEAD gets the same 304', async () => {
    expect((await head('/plain/data.bin', { 'if-none-match': tag })).status).toBe(304);
  });
});

describe('ranges (RFC 9110 14)', () => {
  it('one range gives 206 with Content-Range and exactly those bytes', async () => {
    const res = await get('/plain/data.bin', { range: 'bytes=10-109' });
    expect(res.status).toBe(206);
    expect(res.headers['content-range']).toBe('bytes 10-109/1000');
    expect(res.headers['content-length']).toBe('100');
    expect(res.body.equals(DATA.subarray(10, 110))).toBe(true);
  });

  it('suffix and open ranges; a suffix longer than the file means all of it', async () => {
    const suffix = await get('/plain/data.bin', { range: 'bytes=-100' });
    expect(suffix.headers['content-range']).toBe('bytes 900-999/1000');
    expect(suffix.body.equals(DATA.subarray(900))).toBe(true);
    const open = await get('/plain/data.bin', { range: 'bytes=990-' });
    expect(open.headers['content-range']).toBe('bytes 990-999/1000');
    expect(open.body.equals(DATA.subarray(990))).toBe(true);
    const long = await get('/plain/data.bin', { range: 'bytes=-5000' });
    expect(long.status).toBe(206);
    expect(long.headers['content-range']).toBe('bytes 0-999/1000');
    const past = await get('/plain/data.bin', { range: 'bytes=500-99999' });
    expect(past.headers['content-range']).toBe('bytes 500-999/1000');
  });

  it('several ranges give multipart/byteranges with an exact Content-Length', async () => {
    const res = await get('/plain/data.bin', { range: 'bytes=0-9, 500-509, -5' });
    expect(res.status).toBe(206);
    expect(res.error).toBeUndefined();
    const type = res.headers['content-type'] as string;
    expect(type).toMatch(/^multipart\/byteranges; boundary=[0-9a-f]{24}$/);
    expect(Number(res.headers['content-length'])).toBe(res.body.length);
    const parts = parseMultipart(res.body, type);
    expect(parts.map((p) => p.headers['content-range'])).toEqual([
      'bytes 0-9/1000',
      'bytes 500-509/1000',
      'bytes 995-999/1000',
    ]);
    for (const p of parts) expect(p.headers['content-type']).toBe('application/octet-stream');
    expect(parts[1]!.data.equals(DATA.subarray(500, 510))).toBe(true);
    expect(parts[2]!.data.equals(DATA.subarray(995))).toBe(true);
  });

  it('coalesces overlapping and adjacent ranges, keeping the order asked for', async () => {
    const one = await get('/plain/data.bin', { range: 'bytes=0-9,5-19,20-29' });
    expect(one.status).toBe(206);
    expect(one.headers['content-range']).toBe('bytes 0-29/1000');
    const two = await get('/plain/data.bin', { range: 'bytes=900-909,0-4,3-8' });
    const parts = parseMultipart(two.body, two.headers['content-type'] as string);
    expect(parts.map((p) => p.headers['content-range'])).toEqual([
      'bytes 900-909/1000',
      'bytes 0-8/1000',
    ]);
  });

  it('an unsatisfiable set gives 416 with Content-Range: bytes */length', async () => {
    const res = await get('/plain/data.bin', { range: 'bytes=1000-,2000-3000' });
    expect(res.status).toBe(416);
    expect(res.headers['content-range']).toBe('bytes */1000');
  });

  it('a malformed Range, an unknown unit or too many ranges is ignored: 200', async () => {
    for (const range of ['bytes=abc', 'bytes=1-2-3', 'items=0-1', 'bytes']) {
      const res = await get('/plain/data.bin', { range });
      expect(res.status, range).toBe(200);
      expect(res.body.equals(DATA)).toBe(true);
    }
    const many = await get('/two/data.bin', { range: 'bytes=0-0,10-10,20-20' });
    expect(many.status).toBe(200);
    expect(many.body.length).toBe(1000);
    const within = await get('/two/data.bin', { range: 'bytes=0-0,10-10' });
    expect(within.status).toBe(206);
  });

  it('If-Range: a strong ETag or the exact date keeps the range, anything else sends it all', async () => {
    const strong = (await head('/strong/data.bin')).headers.etag as string;
    const cases: [string, string, number][] = [
      ['/strong/data.bin', strong, 206],
      ['/strong/data.bin', '"stale"', 200],
      ['/plain/data.bin', weakTag(1000), 200], // a weak tag never matches (13.1.5)
      ['/plain/data.bin', MTIME_HTTP, 206],
      ['/plain/data.bin', new Date(MTIME.getTime() + 1000).toUTCString(), 200],
    ];
    for (const [path, ifRange, status] of cases) {
      const res = await get(path, { range: 'bytes=0-9', 'if-range': ifRange });
      expect(res.status, `${path} If-Range ${ifRange}`).toBe(status);
    }
  });

  it('HEAD ignores Range (14.2: defined for GET) and answers as GET would without it', async () => {
    const res = await head('/plain/data.bin', { range: 'bytes=0-9' });
    expect(res.status).toBe(200);
    expect(res.headers['content-length']).toBe('1000');
    expect(res.body.length).toBe(0);
  });

  it('curl resumes a download from the middle with -C', async () => {
    const { dir } = fixture;
    const out = join(dir, 'partial.bin');
    await writeFile(out, DATA.subarray(0, 400));
    const result = await curl([
      '-s',
      '-C',
      '-',
      '-o',
      out,
      '-w',
      '%{http_code}',
      `${url}/download`,
    ]);
    expect(result.stdout.toString()).toBe('206');
    const { readFile } = await import('node:fs/promises');
    expect((await readFile(out)).equals(DATA)).toBe(true);
  });

  it('serveFile adds the application headers and offers ranges', async () => {
    const res = await get('/download', { range: 'bytes=0-0' });
    expect(res.status).toBe(206);
    expect(res.headers['content-disposition']).toBe('attachment; filename="data.bin"');
  });
});

describe('precompressed variants (RFC 9110 8.4, 12.5.3)', () => {
  it('serves the best variant the client accepts, with the original type and its own ETag', async () => {
    const res = await get('/pre/app.js', { 'accept-encoding': 'gzip, br, zstd' });
    expect(res.status).toBe(200);
    expect(res.body.equals(BR)).toBe(true);
    expect(res.headers).toMatchObject({
      'content-encoding': 'br',
      'content-type': 'text/javascript; charset=utf-8',
      vary: 'Accept-Encoding',
      'content-length': String(BR.length),
      etag: `${weakTag(BR.length).slice(0, -1)}-br"`,
    });
  });

  it('follows q-values, identity and *', async () => {
    const cases: [string | undefined, Buffer | string][] = [
      ['gzip;q=1, br;q=0.5', GZ],
      ['br;q=0, gzip', GZ],
      ['zstd', ZST],
      ['identity', JS],
      ['*', BR],
      ['br;q=0.5, identity', JS],
      [undefined, JS],
    ];
    for (const [accept, expected] of cases) {
      const res = await get(
        '/pre/app.js',
        accept === undefined ? {} : { 'accept-encoding': accept },
      );
      expect(res.body.equals(Buffer.from(expected)), `Accept-Encoding: ${accept}`).toBe(true);
      expect(res.headers.vary).toBe('Accept-Encoding');
    }
  });

  it('falls back to the next accepted coding when a variant is missing, and to the original', async () => {
    const gz = await get('/pre/only.css', { 'accept-encoding': 'br, gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.headers['content-type']).toBe('text/css; charset=utf-8');
    const none = await get('/gz-only/app.js', { 'accept-encoding': 'br' });
    expect(none.headers['content-encoding']).toBeUndefined();
    expect(none.body.toString()).toBe(JS);
  });

  it('applies ranges and conditionals to the variant served', async () => {
    const res = await get('/pre/app.js', { 'accept-encoding': 'br', range: 'bytes=0-3' });
    expect(res.status).toBe(206);
    expect(res.headers['content-range']).toBe(`bytes 0-3/${BR.length}`);
    expect(res.body.equals(BR.subarray(0, 4))).toBe(true);
    const tag = res.headers.etag as string;
    const cached = await get('/pre/app.js', { 'accept-encoding': 'br', 'if-none-match': tag });
    expect(cached.status).toBe(304);
    expect(cached.headers.vary).toBe('Accept-Encoding');
    const other = await get('/pre/app.js', { 'accept-encoding': 'gzip', 'if-none-match': tag });
    expect(other.status).toBe(200);
  });

  it('is off by default: no variant, no Vary', async () => {
    const res = await get('/plain/app.js', { 'accept-encoding': 'br' });
    expect(res.body.toString()).toBe(JS);
    expect(res.headers.vary).toBeUndefined();
  });
});

describe('descriptors', () => {
  it('closes the file when the client leaves mid-download', async () => {
    const big = join(fixture.root, 'big.bin');
    await writeFile(big, Buffer.alloc(64 * 1024 * 1024));
    await utimes(big, MTIME, MTIME);
    const before = openFds();
    const { default: http } = await import('node:http');
    await new Promise<void>((resolve) => {
      const req = http.get(`${url}/plain/big.bin`, { agent: false }, (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', () => {});
    });
    await waitFor(() => openFds() <= before, 'the descriptor to be closed');
    expect(errors()).toEqual([]);
  });

  it('aborts the response when the file shrinks while it is sent', async () => {
    const big = join(fixture.root, 'shrinking.bin');
    await writeFile(big, Buffer.alloc(64 * 1024 * 1024));
    const { default: http } = await import('node:http');
    const { truncate } = await import('node:fs/promises');
    const result = await new Promise<{ received: number; complete: boolean; length: number }>(
      (resolve) => {
        let received = 0;
        const req = http.get(`${url}/plain/shrinking.bin`, { agent: false }, (res) => {
          res.pause();
          truncate(big, 1024).then(() => {
            res.on('data', (c: Buffer) => {
              received += c.length;
            });
            res.resume();
          });
          res.on('close', () =>
            resolve({
              received,
              complete: res.complete,
              length: Number(res.headers['content-length']),
            }),
          );
        });
        req.on('error', () => {});
      },
    );
    expect(result.length).toBe(64 * 1024 * 1024);
    expect(result.complete).toBe(false);
    expect(result.received).toBeLessThan(64 * 1024 * 1024);
  });
});
