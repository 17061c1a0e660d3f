// HEAD answers the same head as GET without opening the file: `open` of
// node:fs/promises is counted here (the package imports it by name).
import * as fsp from 'node:fs/promises';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { serveStatic } from '../src/index';
import { fixtureDir, request, serve } from './helpers';

vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  return { ...actual, open: vi.fn(actual.open) };
});

let fixture: Awaited<ReturnType<typeof fixtureDir>>;
let url: string;
let stop: () => Promise<void>;

beforeAll(async () => {
  fixture = await fixtureDir({ 'a.bin': Buffer.alloc(5000, 7), 'a.bin.br': Buffer.alloc(10, 1) });
  const started = await serve([serveStatic(fixture.root, { precompressed: true })]);
  url = started.url;
  stop = () => started.server.stop({ graceMs: 100 });
});

afterAll(async () => {
  await stop?.();
  await fixture?.cleanup();
});

it('HEAD answers with the headers of GET and opens no descriptor', async () => {
  const open = vi.mocked(fsp.open);
  const got = await request(url, '/a.bin', { headers: { 'accept-encoding': 'br' } });
  expect(open).toHaveBeenCalled();
  open.mockClear();
  const res = await request(url, '/a.bin', {
    method: 'HEAD',
    headers: { 'accept-encoding': 'br' },
  });
  expect(open).not.toHaveBeenCalled();
  expect(res.status).toBe(200);
  expect(res.body.length).toBe(0);
  for (const name of [
    'content-length',
    'content-type',
    'content-encoding',
    'etag',
    'last-modified',
    'vary',
  ]) {
    expect(res.headers[name], name).toBe(got.headers[name]);
  }
});
