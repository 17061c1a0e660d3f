// The router and queryParams over a real socket: @plinth/node's createServer on an
// ephemeral loopback port, requests with node:http so the request target is sent
// byte for byte (no client-side normalisation of %-escapes or dot segments).
import http from 'node:http';
import { interceptor } from '@plinth/interceptor';
import { createServer, type PlinthServer } from '@plinth/node';
import type { Request } from '@plinth/writeable-body';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { group, queryParams, type RouterContext, router } from '../src/index';

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

let base: { host: string; port: number };

function send(
  method: string,
  target: string,
  headers: Record<string, string> = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: base.host, port: base.port, method, path: target, headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.setTimeout(5000, () => req.destroy(new Error(`timeout: ${method} ${target}`)));
    req.on('error', reject);
    req.end();
  });
}

const json = (body: unknown) => ({
  status: 200,
  headers: { 'content-type': 'application/json; charset=utf-8' },
  body: JSON.stringify(body),
});

/** Statuses seen on `leave` by an interceptor in front of everything. */
const seen: number[] = [];
const outer = interceptor<RouterContext>({
  name: 'outer',
  leave: (ctx) => {
    seen.push(ctx.response?.status ?? 0);
    return ctx;
  },
});

const requireToken = interceptor<RouterContext>({
  name: 'require-token',
  enter: (ctx) =>
    ctx.request.headers['x-token'] === 'secret'
      ? ctx
      : { ...ctx, response: { status: 401, body: 'no token' } },
});

const stamp = interceptor<RouterContext>({
  name: 'stamp',
  leave: (ctx) => {
    if (ctx.response) {
      ctx.response.headers = { ...ctx.response.headers, 'x-route': ctx.route?.name ?? '?' };
    }
    return ctx;
  },
});

const echo = (request: Request) =>
  json({ params: request.pathParams, query: request.query, method: request.method });

const app = router([
  ['/', 'GET', () => ({ status: 200, body: 'home' }), { name: 'home' }],
  ['/users/:id', 'GET', echo, { name: 'user' }],
  ['/users/:id', ['PUT', 'DELETE'], echo, { name: 'user-write' }],
  ['/items/:id', 'GET', echo, { name: 'item', constraints: { id: /\d+/ } }],
  ['/files/*path', 'GET', echo, { name: 'files' }],
  ['/search', 'GET', echo, { name: 'search' }],
  [
    '/slow',
    'GET',
    async () => {
      await new Promise((r) => setImmediate(r));
      return { status: 200, body: 'slow' };
    },
  ],
  ['/stamped', 'GET', [stamp, echo], { name: 'stamped' }],
  ['/broken', 'GET', (() => undefined) as never, { name: 'broken' }],
  [
    '/cors',
    'OPTIONS',
    () => ({ status: 200, headers: { 'x-preflight': 'yes' } }),
    { name: 'preflight' },
  ],
  ['/cors', 'POST', echo, { name: 'cors-post' }],
  [
    '/route-info',
    'GET',
    interceptor<RouterContext>({
      name: 'route-info',
      enter: (ctx) => ({ ...ctx, response: json(ctx.route) }),
    }),
  ],
  group('/admin', [['/stats', 'GET', () => ({ status: 200, body: 'stats' }), { name: 'stats' }]], {
    interceptors: [requireToken],
  }),
]);

let server: PlinthServer;

beforeAll(async () => {
  server = createServer([outer, queryParams, app], {
    port: 0,
    logger: { error() {}, warn() {}, info() {}, debug() {} },
  });
  const address = await server.start();
  base = { host: '127.0.0.1', port: address.port };
});

afterAll(async () => {
  await server?.stop({ graceMs: 1000 });
});

describe('routing over HTTP', () => {
  it('routes to the handler with decoded path params', async () => {
    const r = await send('GET', '/users/%C3%A9l%C3%A8ve%2F1');
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toEqual({ params: { id: 'élève/1' }, query: {}, method: 'GET' });
    expect((await send('GET', '/')).body).toBe('home');
  });

  it('answers 404 text/plain naming method and path when no path matches', async () => {
    const r = await send('GET', '/nope/here');
    expect(r.status).toBe(404);
    expect(r.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(r.body).toBe('Not Found - no route for GET /nope/here');
  });

  it('answers 405 with Allow when only the method is wrong', async () => {
    const r = await send('POST', '/users/1');
    expect(r.status).toBe(405);
    expect(r.headers.allow).toBe('DELETE, GET, HEAD, OPTIONS, PUT');
    expect(r.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(r.body).toContain('Method Not Allowed - POST is not allowed for /users/1');
    expect((await send('DELETE', '/users/1')).status).toBe(200);
  });

  it('serves HEAD with the GET route and no body', async () => {
    const r = await send('HEAD', '/users/7');
    expect(r.status).toBe(200);
    expect(r.body).toBe('');
    expect(r.headers['content-type']).toBe('application/json; charset=utf-8');
    expect((await send('HEAD', '/nope')).status).toBe(404);
  });

  it('answers OPTIONS with 204 and Allow unless a route declares OPTIONS', async () => {
    const r = await send('OPTIONS', '/users/7');
    expect(r.status).toBe(204);
    expect(r.headers.allow).toBe('DELETE, GET, HEAD, OPTIONS, PUT');
    expect(r.body).toBe('');
    const declared = await send('OPTIONS', '/cors');
    expect(declared.status).toBe(200);
    expect(declared.headers['x-preflight']).toBe('yes');
    expect((await send('OPTIONS', '/nope')).status).toBe(404);
    const star = await send('OPTIONS', '*');
    expect(star.status).toBe(204);
    expect(star.headers.allow).toBe('DELETE, GET, HEAD, OPTIONS, POST, PUT');
  });

  it('treats a failed constraint as a non-match', async () => {
    expect((await send('GET', '/items/12')).status).toBe(200);
    const r = await send('GET', '/items/twelve');
    expect(r.status).toBe(404);
  });

  it('gives a wildcard the decoded rest of the path', async () => {
    const r = await send('GET', '/files/docs/a%20b/c.txt');
    expect(JSON.parse(r.body).params).toEqual({ path: 'docs/a b/c.txt' });
  });

  it('answers 400 Bad Request naming the escape for a malformed path, never 500', async () => {
    for (const target of ['/users/%zz', '/users/%', '/users/%E0%A4%A', '/nothing/%FF']) {
      const r = await send('GET', target);
      expect(r.status, target).toBe(400);
      expect(r.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(r.body).toMatch(/^Bad Request - malformed path: /);
    }
    expect((await send('GET', '/users/%zz')).body).toContain('"%zz"');
  });

  it('routes an absolute-form request target by its path', async () => {
    const r = await send('GET', `http://127.0.0.1:${base.port}/users/3?x=1`);
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toMatchObject({ params: { id: '3' }, query: { x: '1' } });
  });

  it('answers 500 when a handler returns no response, and the server goes on', async () => {
    const r = await send('GET', '/broken');
    expect(r.status).toBe(500);
    expect(r.body).not.toContain('broken'); // the reason is logged, not sent
    expect((await send('GET', '/')).status).toBe(200);
  });

  it('runs async handlers', async () => {
    const r = await send('GET', '/slow');
    expect([r.status, r.body]).toEqual([200, 'slow']);
  });

  it('sets ctx.route and runs route and group interceptors around the handler', async () => {
    const info = JSON.parse((await send('GET', '/route-info')).body);
    expect(info).toEqual({
      name: 'GET /route-info',
      path: '/route-info',
      methods: ['GET'],
      params: [],
      method: 'GET',
    });
    const head = await send('HEAD', '/stamped');
    expect(head.headers['x-route']).toBe('stamped');
    expect((await send('GET', '/admin/stats')).status).toBe(401);
    const ok = await send('GET', '/admin/stats', { 'x-token': 'secret' });
    expect([ok.status, ok.body]).toEqual([200, 'stats']);
  });

  it("lets interceptors before the router see the router's own answers on leave", async () => {
    seen.length = 0;
    await send('GET', '/nope');
    await send('PATCH', '/users/1');
    await send('GET', '/users/%zz');
    expect(seen).toEqual([404, 405, 400]);
  });

  it('builds URLs with urlFor that route back to the same params', async () => {
    const url = app.urlFor('user', {
      params: { id: 'a b/c?d#e%' },
      query: { q: 'x&y', n: [1, 2] },
    });
    const r = await send('GET', url);
    expect(JSON.parse(r.body)).toEqual({
      params: { id: 'a b/c?d#e%' },
      query: { q: 'x&y', n: ['1', '2'] },
      method: 'GET',
    });
  });
});

describe('queryParams over HTTP', () => {
  const query = async (qs: string) => JSON.parse((await send('GET', `/search${qs}`)).body).query;

  it('decodes the query into request.query', async () => {
    expect(await query('')).toEqual({});
    expect(await query('?')).toEqual({});
    expect(await query('?a=&b=2')).toEqual({ a: '', b: '2' });
    expect(await query('?q=hello+world&p=1%2B1')).toEqual({ q: 'hello world', p: '1+1' });
    expect(await query('?tag=a&tag=b&tag=c')).toEqual({ tag: ['a', 'b', 'c'] });
    expect(await query('?eq=a=b=c&u=%C3%A9%E2%9C%93')).toEqual({ eq: 'a=b=c', u: 'é✓' });
    expect(await query('?r=%26%3D%3F%23%2F')).toEqual({ r: '&=?#/' });
  });

  it('keeps __proto__ an ordinary key', async () => {
    expect(await query('?__proto__=x&constructor=y')).toEqual({
      ['__proto__']: 'x',
      constructor: 'y',
    });
  });

  it('answers 400 Bad Request with a reason for a malformed escape, never 500', async () => {
    for (const qs of ['?q=%', '?q=%zz', '?q=%FF', '?%zz=1']) {
      const r = await send('GET', `/search${qs}`);
      expect(r.status, qs).toBe(400);
      expect(r.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(r.body).toMatch(/^Bad Request - malformed query string: /);
    }
    expect((await send('GET', '/search?q=%zz')).body).toContain('"%zz"');
  });
});
