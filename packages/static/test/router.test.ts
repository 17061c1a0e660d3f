// serveStatic as the target of a router's wildcard route, and in front of a
// router with fall-through: the two placements the README shows.
import { router } from '@plinth/router';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { serveStatic } from '../src/index';
import { fixtureDir, request, serve } from './helpers';

let fixture: Awaited<ReturnType<typeof fixtureDir>>;
let url: string;
let stop: () => Promise<void>;

beforeAll(async () => {
  fixture = await fixtureDir({ 'css/site.css': 'body{}', 'index.html': 'home' });
  const started = await serve([
    serveStatic(fixture.root, { fallthrough: true }),
    router([
      ['/assets/*path', 'GET', serveStatic(fixture.root, { prefix: '/assets' })],
      ['/api/hello', 'GET', () => ({ status: 200, body: 'from the router' })],
    ]),
  ]);
  url = started.url;
  stop = () => started.server.stop({ graceMs: 100 });
});

afterAll(async () => {
  await stop?.();
  await fixture?.cleanup();
});

it('serves files behind a wildcard route, HEAD included', async () => {
  const res = await request(url, '/assets/css/site.css', { headers: { range: 'bytes=0-3' } });
  expect(res.status).toBe(206);
  expect(res.body.toString()).toBe('body');
  const head = await request(url, '/assets/css/site.css', { method: 'HEAD' });
  expect(head.status).toBe(200);
  expect(head.headers['content-length']).toBe('6');
  expect((await request(url, '/assets/%2e%2e/index.html')).status).toBe(403);
  expect((await request(url, '/assets/nope.css')).status).toBe(404);
});

it('falls through to the router on a miss, in front of it', async () => {
  expect((await request(url, '/')).body.toString()).toBe('home');
  const api = await request(url, '/api/hello');
  expect(api.status).toBe(200);
  expect(api.body.toString()).toBe('from the router');
});
