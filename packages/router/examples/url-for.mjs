// Matching and URL generation without a server: run with `node examples/url-for.mjs`.
import { RouterError, routeTable } from '@plinth/router';

const ok = () => ({ status: 200 });
const table = routeTable([
  ['/users/:id', 'GET', ok, { name: 'user', constraints: { id: /\d+/ } }],
  ['/users/:id/posts/:slug', ['GET', 'PUT'], ok, { name: 'post' }],
  ['/files/*path', 'GET', ok, { name: 'file' }],
]);

const url = table.urlFor('post', {
  params: { id: 7, slug: 'hello world/2' },
  query: { draft: true },
});
console.log(url); // /users/7/posts/hello%20world%2F2?draft=true

const result = table.match('PUT', url.split('?')[0]);
console.log(result.kind, result.route.name, { ...result.params }); // found post { id: '7', slug: 'hello world/2' }

console.log(table.match('DELETE', '/users/7')); // { kind: 'method-not-allowed', allow: ['GET', 'HEAD', 'OPTIONS'] }
console.log(table.match('GET', '/users/%zz')); // { kind: 'bad-request', reason: 'malformed path: ...' }

for (const attempt of [
  () => table.urlFor('usr'),
  () => table.urlFor('user'),
  () => table.urlFor('user', { params: { id: 'seven' } }),
]) {
  try {
    attempt();
  } catch (e) {
    if (!RouterError.isError(e)) throw e;
    console.log(`${e.code}: ${e.message}`);
  }
}
