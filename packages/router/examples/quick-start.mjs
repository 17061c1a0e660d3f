// A routed server, and a few requests to it: run with `node examples/quick-start.mjs`
// after building (pnpm turbo run build --filter=@plinth/router...).
import { createServer } from '@plinth/node';
import { group, queryParams, router } from '@plinth/router';

const users = new Map([['1', { id: '1', name: 'Ada' }]]);

function* upTo(limit) {
  for (let i = 0; i < limit; i++) yield i;
}

// A group interceptor: runs before every route under /admin.
const requireToken = {
  name: 'require-token',
  enter: (ctx) =>
    ctx.request.headers.authorization === 'Bearer secret'
      ? ctx
      : { ...ctx, response: { status: 401, body: 'Unauthorized' } },
};

const app = router([
  // Pedestal's `[[["/range" {:get range}]]]`: the generator is streamed as a JSON array.
  [
    '/range',
    'GET',
    (req) => ({ status: 200, body: upTo(Number(req.query.limit ?? 10)) }),
    { name: 'range' },
  ],
  [
    '/users/:id',
    'GET',
    (req) => {
      const user = users.get(req.pathParams.id);
      return user ? { status: 200, body: user } : { status: 404, body: 'No such user' };
    },
    { name: 'user', constraints: { id: /\d+/ } },
  ],
  [
    '/files/*path',
    'GET',
    (req) => ({ status: 200, body: `file ${req.pathParams.path}` }),
    { name: 'file' },
  ],
  group(
    '/admin',
    [['/users', ['GET', 'POST'], () => ({ status: 200, body: [...users.values()] })]],
    { interceptors: [requireToken] },
  ),
]);

// queryParams first, so handlers see request.query.
const server = createServer([queryParams, app], { port: 0 });
const { url } = await server.start();

for (const [method, path] of [
  ['GET', app.urlFor('range', { query: { limit: 3 } })], // /range?limit=3 -> [0,1,2]
  ['GET', app.urlFor('user', { params: { id: 1 } })], // /users/1 -> {"id":"1","name":"Ada"}
  ['GET', '/users/ada'], // the constraint fails: 404
  ['DELETE', '/users/1'], // 405, Allow: GET, HEAD, OPTIONS
  ['OPTIONS', '/users/1'], // 204, Allow: GET, HEAD, OPTIONS
  ['GET', app.urlFor('file', { params: { path: 'docs/read me.txt' } })], // /files/docs/read%20me.txt
  ['GET', '/admin/users'], // 401 from the group interceptor
  ['GET', '/range?limit=%zz'], // 400 Bad Request - malformed query string: ...
]) {
  const res = await fetch(url + path, { method });
  const allow = res.headers.get('allow');
  console.log(
    `${method} ${path} -> ${res.status}${allow ? ` (Allow: ${allow})` : ''} ${await res.text()}`,
  );
}
await server.stop();
