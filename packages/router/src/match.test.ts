// The matcher's behaviour through the public route table: literal, parameter and
// wildcard precedence, methods and Allow, decoding, and property tests against the
// full trie walk. One file because the cases share one table and one outcome helper.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { group } from './group';
import { routeTable } from './table';
import type { MatchResult, RouteTableSpec } from './types';

const ok = () => ({ status: 200 });

/** The route name and plain params of a match, or its kind (and Allow). */
function outcome(result: MatchResult): unknown {
  switch (result.kind) {
    case 'found':
      return [result.route.name, { ...result.params }];
    case 'method-not-allowed':
      return ['405', result.allow.join(', ')];
    case 'bad-request':
      return ['400', result.reason];
    default:
      return '404';
  }
}

describe('matching', () => {
  const table = routeTable([
    ['/', 'GET', ok, { name: 'home' }],
    ['/users', ['GET', 'POST'], ok, { name: 'users' }],
    ['/users/me', 'GET', ok, { name: 'me' }],
    ['/users/:id', ['GET', 'PUT', 'DELETE'], ok, { name: 'user' }],
    ['/users/:id/posts/:post', 'GET', ok, { name: 'post' }],
    ['/files/*path', 'GET', ok, { name: 'files' }],
    ['/files/readme', 'GET', ok, { name: 'readme' }],
    ['/any', 'ANY', ok, { name: 'any' }],
    ['/trailing/', 'GET', ok, { name: 'trailing' }],
  ]);
  const match = (method: string, path: string) => outcome(table.match(method, path));

  it('matches literal paths exactly (trailing slash included)', () => {
    expect(match('GET', '/')).toEqual(['home', {}]);
    expect(match('GET', '/users')).toEqual(['users', {}]);
    expect(match('POST', '/users')).toEqual(['users', {}]);
    expect(match('GET', '/trailing/')).toEqual(['trailing', {}]);
    expect(match('GET', '/trailing')).toBe('404');
    expect(match('GET', '/users/')).toBe('404');
    expect(match('GET', '//users')).toBe('404');
    expect(match('GET', '/Users')).toBe('404');
  });

  it('captures parameters, one whole non-empty segment each', () => {
    expect(match('GET', '/users/42')).toEqual(['user', { id: '42' }]);
    expect(match('GET', '/users/42/posts/7')).toEqual(['post', { id: '42', post: '7' }]);
    expect(match('GET', '/users/42/posts/')).toBe('404');
    expect(match('GET', '/users/42/posts')).toBe('404');
  });

  it('prefers a literal segment to a parameter, and a parameter to a wildcard', () => {
    expect(match('GET', '/users/me')).toEqual(['me', {}]);
    expect(match('GET', '/files/readme')).toEqual(['readme', {}]);
    expect(match('GET', '/files/readme/more')).toEqual(['files', { path: 'readme/more' }]);
  });

  it('falls back from a literal path to a parameter route when the literal route lacks the method', () => {
    expect(match('DELETE', '/users/me')).toEqual(['user', { id: 'me' }]);
    expect(match('PUT', '/users/me')).toEqual(['user', { id: 'me' }]);
    expect(match('HEAD', '/users/me')).toEqual(['me', {}]);
    expect(match('POST', '/files/readme')).toEqual(['405', 'GET, HEAD, OPTIONS']);
    expect(match('POST', '/users/me')).toEqual(['405', 'DELETE, GET, HEAD, OPTIONS, PUT']);
  });

  it('gives each literal match its own params object', () => {
    const first = table.match('GET', '/users');
    const second = table.match('GET', '/users');
    expect(first.kind === 'found' && second.kind === 'found').toBe(true);
    if (first.kind !== 'found' || second.kind !== 'found') return;
    expect(first.params).not.toBe(second.params);
    expect(Object.isFrozen(first.params)).toBe(false);
  });

  it('agrees with the full trie walk on every path, literal routes taking their shortcut', () => {
    // The same path with the first character of every non-empty segment
    // percent-encoded decodes to the same segments, and a path with a '%' is
    // decoded into an array and walked segment by segment: no map of literal paths,
    // no split-free walk. Neither shortcut may change an answer.
    const escaped = (path: string) =>
      path
        .split('/')
        .map((s) => (s === '' ? s : `%${s.charCodeAt(0).toString(16).toUpperCase()}${s.slice(1)}`))
        .join('/');
    // A path of empty segments only has nothing to escape: its answers, spelled out.
    const emptySegmentsOnly = (method: string, path: string): unknown => {
      if (path !== '/') return '404';
      return method === 'GET' || method === 'HEAD' ? ['home', {}] : ['405', 'GET, HEAD, OPTIONS'];
    };
    const segment = fc.constantFrom(
      '',
      'users',
      'me',
      '42',
      'posts',
      '7',
      'files',
      'readme',
      'any',
      'trailing',
      'x',
    );
    const path = fc.array(segment, { minLength: 1, maxLength: 5 }).map((s) => `/${s.join('/')}`);
    const method = fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH');
    fc.assert(
      fc.property(method, path, (m, p) => {
        const walked = escaped(p);
        expect(outcome(table.match(m, p))).toEqual(
          walked === p ? emptySegmentsOnly(m, p) : outcome(table.match(m, walked)),
        );
      }),
      { numRuns: 2000 },
    );
  });

  it('lets a wildcard take the rest of the path, empty included, but not the bare prefix', () => {
    expect(match('GET', '/files/a/b/c.txt')).toEqual(['files', { path: 'a/b/c.txt' }]);
    expect(match('GET', '/files/')).toEqual(['files', { path: '' }]);
    expect(match('GET', '/files/a//b/')).toEqual(['files', { path: 'a//b/' }]);
    expect(match('GET', '/files')).toBe('404');
  });

  it('gives decoded parameters in an object that inherits nothing', () => {
    const result = table.match('GET', '/users/%C3%A9l%C3%A8ve%20un');
    expect(result.kind).toBe('found');
    if (result.kind !== 'found') return;
    expect(Object.getPrototypeOf(Object.getPrototypeOf(result.params))).toBeNull();
    expect('toString' in result.params).toBe(false);
    expect(result.params.id).toBe('élève un');
    expect(result.route).toMatchObject({ name: 'user', path: '/users/:id', method: 'GET' });
  });

  it('treats a parameter named __proto__ as an ordinary name', () => {
    const t = routeTable([['/p/:__proto__/:constructor', 'GET', ok, { name: 'p' }]]);
    const result = t.match('GET', '/p/x/y');
    expect(result.kind === 'found' && Object.entries(result.params)).toEqual([
      ['__proto__', 'x'],
      ['constructor', 'y'],
    ]);
  });

  it('keeps an encoded slash inside its segment', () => {
    expect(match('GET', '/users/a%2Fb')).toEqual(['user', { id: 'a/b' }]);
    expect(match('GET', '/users/a%2Fb/posts/%3F%23')).toEqual(['post', { id: 'a/b', post: '?#' }]);
    expect(match('GET', '/files/a%2Fb/c')).toEqual(['files', { path: 'a/b/c' }]);
    expect(match('GET', '/users%2Fme')).toBe('404');
  });

  it('matches literal segments against the decoded path', () => {
    expect(match('GET', '/user%73/m%65')).toEqual(['me', {}]);
    expect(match('GET', '/%75sers')).toEqual(['users', {}]);
  });

  it('answers bad-request, with the escape named, for a malformed percent-encoding', () => {
    expect(match('GET', '/users/%zz')).toEqual(['400', expect.stringContaining('"%zz"')]);
    expect(match('GET', '/users/%')).toEqual(['400', expect.stringContaining('"%"')]);
    expect(match('GET', '/users/%E0%A4%A')).toEqual(['400', expect.stringContaining('"%A"')]);
    expect(match('GET', '/users/%FF')).toEqual(['400', expect.stringContaining('not valid UTF-8')]);
    expect(match('GET', '/nowhere/%zz')).toEqual([
      '400',
      expect.stringContaining('malformed path'),
    ]);
    expect(match('GET', 'users')).toEqual(['400', expect.stringContaining("start with '/'")]);
  });

  it("answers method-not-allowed with the path's methods when only the method is wrong", () => {
    expect(match('POST', '/users/42')).toEqual(['405', 'DELETE, GET, HEAD, OPTIONS, PUT']);
    expect(match('DELETE', '/users')).toEqual(['405', 'GET, HEAD, OPTIONS, POST']);
    expect(match('POST', '/files/x')).toEqual(['405', 'GET, HEAD, OPTIONS']);
  });

  it('unions the methods of every route whose path matches', () => {
    // /users/me is GET only, but /users/:id also matches the path.
    expect(match('PATCH', '/users/me')).toEqual(['405', 'DELETE, GET, HEAD, OPTIONS, PUT']);
    // and a method the literal route lacks falls through to the parameter route
    expect(match('DELETE', '/users/me')).toEqual(['user', { id: 'me' }]);
  });

  it('serves HEAD with the GET route', () => {
    const result = table.match('HEAD', '/users/42');
    expect(result.kind === 'found' && result.route).toMatchObject({ name: 'user', method: 'GET' });
    expect(match('HEAD', '/users')).toEqual(['users', {}]);
  });

  it('lets ANY answer every method, below routes naming the method', () => {
    for (const method of ['GET', 'POST', 'PURGE', 'OPTIONS', 'HEAD']) {
      expect(match(method, '/any')).toEqual(['any', {}]);
    }
    const both = routeTable([
      ['/x', 'ANY', ok, { name: 'fallback' }],
      ['/x', 'GET', ok, { name: 'get' }],
    ]);
    expect(outcome(both.match('GET', '/x'))).toEqual(['get', {}]);
    expect(outcome(both.match('HEAD', '/x'))).toEqual(['get', {}]);
    expect(outcome(both.match('POST', '/x'))).toEqual(['fallback', {}]);
  });

  it('prefers an explicit HEAD route to the GET route', () => {
    const t = routeTable([
      ['/r', 'GET', ok, { name: 'get' }],
      ['/r', 'HEAD', ok, { name: 'head' }],
    ]);
    expect(outcome(t.match('HEAD', '/r'))).toEqual(['head', {}]);
    expect(outcome(t.match('GET', '/r'))).toEqual(['get', {}]);
  });

  it('answers not-found for methods on unknown paths, OPTIONS included', () => {
    expect(match('OPTIONS', '/nope')).toBe('404');
    expect(match('GET', '/users/42/comments')).toBe('404');
  });

  it('matches a route declaring OPTIONS itself, and reports OPTIONS paths as 405 otherwise', () => {
    const t = routeTable([
      ['/cors', 'OPTIONS', ok, { name: 'preflight' }],
      ['/cors', 'POST', ok, { name: 'post' }],
      ['/plain', 'GET', ok, { name: 'plain' }],
    ]);
    expect(outcome(t.match('OPTIONS', '/cors'))).toEqual(['preflight', {}]);
    expect(outcome(t.match('OPTIONS', '/plain'))).toEqual(['405', 'GET, HEAD, OPTIONS']);
  });
});

describe('constraints', () => {
  const table = routeTable([
    ['/items/:id', 'GET', ok, { name: 'item', constraints: { id: /\d+/ } }],
    [
      '/items/:slug',
      'GET',
      ok,
      { name: 'slug', constraints: { slug: (v) => /^[a-z-]+$/.test(v) } },
    ],
    ['/items/*rest', 'GET', ok, { name: 'rest' }],
    ['/orders/:id', ['GET', 'DELETE'], ok, { name: 'order', constraints: { id: /[0-9a-f]{4}/i } }],
    ['/orders/:id', 'POST', ok, { name: 'order-post' }],
    ['/only/:n', 'GET', ok, { name: 'only', constraints: { n: /\d/g } }],
  ]);
  const match = (method: string, path: string) => outcome(table.match(method, path));

  it('matches the whole value against a RegExp (it is anchored)', () => {
    expect(match('GET', '/items/42')).toEqual(['item', { id: '42' }]);
    expect(match('GET', '/items/42x')).not.toEqual(['item', { id: '42x' }]);
  });

  it('falls through to the next candidate when a constraint fails', () => {
    expect(match('GET', '/items/red-box')).toEqual(['slug', { slug: 'red-box' }]);
    expect(match('GET', '/items/Red_Box')).toEqual(['rest', { rest: 'Red_Box' }]);
    expect(match('GET', '/items/1/2')).toEqual(['rest', { rest: '1/2' }]);
  });

  it('tests the decoded value', () => {
    expect(match('GET', '/items/%34%32')).toEqual(['item', { id: '42' }]);
  });

  it('keeps RegExp flags but not the stateful g/y', () => {
    expect(match('GET', '/orders/BEEF')).toEqual(['order', { id: 'BEEF' }]);
    for (let i = 0; i < 3; i++) expect(match('GET', '/only/5')).toEqual(['only', { n: '5' }]);
  });

  it('treats a failed constraint as a non-match for 404 and 405', () => {
    // the GET route's constraint fails: only the unconstrained POST route matches the path
    expect(match('GET', '/orders/xyz')).toEqual(['405', 'OPTIONS, POST']);
    expect(match('GET', '/orders/beef')).toEqual(['order', { id: 'beef' }]);
    expect(match('PUT', '/orders/beef')).toEqual(['405', 'DELETE, GET, HEAD, OPTIONS, POST']);
    expect(match('GET', '/only/55')).toBe('404');
  });
});

describe('groups', () => {
  const auth = { name: 'auth', enter: (ctx: object) => ctx };
  const table: RouteTableSpec = [
    ['/', 'GET', ok, { name: 'home' }],
    group(
      '/api',
      [
        ['/', 'GET', ok, { name: 'api' }],
        ['/users/:id', 'GET', ok, { name: 'api-user' }],
        group('/admin', [['/stats', 'GET', ok]], { interceptors: [auth] }),
      ],
      {},
    ),
    group('/teams/:team', [['/members/:member', 'GET', ok, { name: 'member' }]]),
  ];
  const t = routeTable(table);

  it('prefixes the paths of their routes, nested groups too', () => {
    expect(t.routes.map((r) => r.path)).toEqual([
      '/',
      '/api',
      '/api/users/:id',
      '/api/admin/stats',
      '/teams/:team/members/:member',
    ]);
    expect(outcome(t.match('GET', '/api'))).toEqual(['api', {}]);
    expect(outcome(t.match('GET', '/api/users/3'))).toEqual(['api-user', { id: '3' }]);
    expect(outcome(t.match('GET', '/api/admin/stats'))).toEqual(['GET /api/admin/stats', {}]);
    expect(outcome(t.match('GET', '/teams/red/members/ann'))).toEqual([
      'member',
      { team: 'red', member: 'ann' },
    ]);
  });
});

describe('lookup cost', () => {
  it('does not scan the routes: a miss visits no more nodes with 1000 routes than with 5', () => {
    // Behavioural, not timed: a predicate constraint counts how many routes were tried.
    let tried = 0;
    const counting = (n: number) =>
      routeTable(
        Array.from({ length: n }, (_, i) => [
          `/r${i}/:id`,
          'GET',
          ok,
          {
            constraints: {
              id: () => {
                tried++;
                return false;
              },
            },
          },
        ]) as unknown as RouteTableSpec,
      );
    const small = counting(5);
    const large = counting(1000);
    tried = 0;
    small.match('GET', '/r3/x');
    const triedSmall = tried;
    tried = 0;
    large.match('GET', '/r3/x');
    expect(tried).toBe(triedSmall);
    expect(tried).toBeLessThanOrEqual(2); // one search, one pass collecting Allow
  });
});
