// The same answers over h2c: a multipart range, a 304, HEAD.
import http2 from 'node:http2';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { serveStatic } from '../src/index';
import { fixtureDir, parseMultipart, pattern, serve } from './helpers';

const DATA = pattern(5000);
let fixture: Awaited<ReturnType<typeof fixtureDir>>;
let url: string;
let stop: () => Promise<void>;

beforeAll(async () => {
  fixture = await fixtureDir({ 'data.bin': DATA });
  const started = await serve([serveStatic(fixture.root)], { http2: true });
  url = started.url;
  stop = () => started.server.stop({ graceMs: 100 });
});

afterAll(async () => {
  await stop?.();
  await fixture?.cleanup();
});

function h2(
  method: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ headers: http2.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(url);
    session.on('error', reject);
    const stream = session.request({ ':method': method, ':path': path, ...headers });
    const chunks: Buffer[] = [];
    let head: http2.IncomingHttpHeaders = {};
    stream.on('response', (h) => {
      head = h;
    });
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      session.close();
      resolve({ headers: head, body: Buffer.concat(chunks) });
    });
    stream.on('error', reject);
  });
}

it('serves a multipart range, a 304 and a HEAD over h2c', async () => {
  const multi = await h2('GET', '/data.bin', { range: 'bytes=0-9,4000-4009' });
  expect(multi.headers[':status']).toBe(206);
  expect(Number(multi.headers['content-length'])).toBe(multi.body.length);
  const parts = parseMultipart(multi.body, multi.headers['content-type'] as string);
  expect(parts[1]!.data.equals(DATA.subarray(4000, 4010))).toBe(true);
  const etag = multi.headers.etag as string;
  const cached = await h2('GET', '/data.bin', { 'if-none-match': etag });
  expect(cached.headers[':status']).toBe(304);
  expect(cached.body.length).toBe(0);
  const head = await h2('HEAD', '/data.bin');
  expect(head.headers[':status']).toBe(200);
  expect(head.headers['content-length']).toBe('5000');
  expect(head.body.length).toBe(0);
});
