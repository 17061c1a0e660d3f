import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RouterError } from './errors';
import { group } from './group';
import { parseQuery } from './query';
import { routeTable } from './table';

const ok = () => ({ status: 200 });

const table = routeTable([
  ['/', 'GET', ok, { name: 'home' }],
  ['/users/:id', 'GET', ok, { name: 'user', constraints: { id: /\d+/ } }],
  ['/users/:id/posts/:post', ['GET', 'PUT'], ok, { name: 'post' }],
  ['/files/*path', 'GET', ok, { name: 'files' }],
  ['/tags/:tag', 'GET', ok, { name: 'tag' }],
  ['/café/menu', 'GET', ok, { name: 'menu' }],
  group('/teams/:team', [['/', 'GET', ok, { name: 'team' }]]),
]);

function errorOf(fn: () => unknown): RouterError {
  try {
    fn();
  } catch (e) {
    if (RouterError.isError(e)) return e;
    throw e;
  }
  throw new Error('expected a RouterError, nothing was thrown');
}

describe('urlFor', () => {
  it('builds paths from names and parameters', () => {
    expect(table.urlFor('home')).toBe('/');
    expect(table.urlFor('user', { params: { id: 42 } })).toBe('/users/42');
    expect(table.urlFor('post', { params: { id: '1', post: 'hello' } })).toBe(
      '/users/1/posts/hello',
    );
    expect(table.urlFor('files', { params: { path: 'docs/a b/c.txt' } })).toBe(
      '/files/docs/a%20b/c.txt',
    );
    expect(table.urlFor('team', { params: { team: 'red' } })).toBe('/teams/red');
  });

  it('encodes parameter values so they stay one segment', () => {
    expect(table.urlFor('tag', { params: { tag: 'a/b?c#d%e' } })).toBe('/tags/a%2Fb%3Fc%23d%25e');
    expect(table.urlFor('tag', { params: { tag: 'élève' } })).toBe('/tags/%C3%A9l%C3%A8ve');
    expect(table.urlFor('tag', { params: { tag: 'x+y z' } })).toBe('/tags/x%2By%20z');
    // sub-delimiters, ':' and '@' are allowed in a segment and kept readable
    expect(table.urlFor('tag', { params: { tag: 'me@x.test:8,a=b;c&d$' } })).toBe(
      '/tags/me@x.test:8,a=b;c&d$',
    );
    expect(table.urlFor('menu')).toBe('/caf%C3%A9/menu');
  });

  it('appends query parameters, repeating keys for arrays and skipping null/undefined', () => {
    expect(
      table.urlFor('home', {
        query: { q: 'a b&c', n: 1, flag: true, tag: ['x', 'y'], none: undefined, nil: null },
      }),
    ).toBe('/?q=a%20b%26c&n=1&flag=true&tag=x&tag=y');
    expect(table.urlFor('home', { query: {} })).toBe('/');
    expect(table.urlFor('home', { query: { empty: [] } })).toBe('/');
  });

  it('throws UNKNOWN_ROUTE naming the name and listing the routes', () => {
    const e = errorOf(() => table.urlFor('usr'));
    expect(e.code).toBe('UNKNOWN_ROUTE');
    expect(e.message).toContain('urlFor("usr")');
    expect(e.message).toContain("'user'");
  });

  it('throws MISSING_PARAM naming the parameter', () => {
    const e = errorOf(() => table.urlFor('post', { params: { id: '1' } }));
    expect(e.code).toBe('MISSING_PARAM');
    expect(e.route).toBe('post');
    expect(e.message).toContain("missing the path parameter 'post'");
    expect(errorOf(() => table.urlFor('user')).code).toBe('MISSING_PARAM');
  });

  it('throws INVALID_PARAM for values the route would not match', () => {
    const cases: [string, Record<string, unknown>, string][] = [
      ['user', { id: 'abc' }, 'fails its constraint /\\d+/'],
      ['tag', { tag: '' }, 'is empty'],
      ['tag', { tag: '..' }, 'dot segment'],
      ['files', { path: 'a/../b' }, 'dot segment'],
      ['tag', { tag: '\uD800' }, 'not well-formed Unicode'],
      ['tag', { tag: { x: 1 } }, 'must be a string or a number'],
      ['tag', { tag: 'x', extra: 1 }, "has no parameter 'extra'"],
    ];
    for (const [name, params, message] of cases) {
      const e = errorOf(() => table.urlFor(name, { params: params as never }));
      expect(e.code).toBe('INVALID_PARAM');
      expect(e.message).toContain(message);
    }
    expect(errorOf(() => table.urlFor('home', { query: { q: {} as never } })).message).toContain(
      "the query parameter 'q' must be",
    );
  });
});

// Any well-formed string can be a parameter except the empty string and dot segments.
const segmentValue = fc
  .string({ unit: 'grapheme', minLength: 1, maxLength: 12 })
  .filter((s) => s !== '.' && s !== '..');
const wildcardValue = fc
  .array(fc.string({ unit: 'grapheme', maxLength: 6 }), { maxLength: 4 })
  .filter((parts) => !parts.some((p) => p === '.' || p === '..'))
  .map((parts) => parts.join('/'));

describe('urlFor round-trips through match (property)', () => {
  it('gives back the parameters of a parametric route', () => {
    fc.assert(
      fc.property(segmentValue, segmentValue, (id, post) => {
        const url = table.urlFor('post', { params: { id, post } });
        const result = table.match('PUT', url);
        expect(result.kind).toBe('found');
        if (result.kind !== 'found') return;
        expect(result.route.name).toBe('post');
        expect({ ...result.params }).toEqual({ id, post });
      }),
    );
  });

  it('gives back the rest of a wildcard route', () => {
    fc.assert(
      fc.property(wildcardValue, (path) => {
        const result = table.match('GET', table.urlFor('files', { params: { path } }));
        expect(result.kind === 'found' && result.route.name).toBe('files');
        expect(result.kind === 'found' && result.params.path).toBe(path);
      }),
    );
  });

  it('gives back the query through parseQuery', () => {
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.string({ unit: 'grapheme', maxLength: 8 }),
          fc.oneof(
            fc.string({ unit: 'grapheme', maxLength: 8 }),
            fc.array(fc.string({ unit: 'grapheme', maxLength: 8 }), { minLength: 2, maxLength: 3 }),
          ),
          { maxKeys: 5 },
        ),
        (query) => {
          const url = table.urlFor('tag', { params: { tag: 't' }, query });
          const qs = url.includes('?') ? url.slice(url.indexOf('?') + 1) : '';
          expect({ ...parseQuery(qs) }).toEqual({ ...query });
        },
      ),
    );
  });

  it('matches the same with and without escapes in the path (both search paths agree)', () => {
    const chars = fc.constantFrom('a', 'b', 'users', 'files', 'posts', '1', '', 'me');
    fc.assert(
      fc.property(
        fc.array(chars, { minLength: 1, maxLength: 6 }),
        fc.constantFrom('GET', 'PUT', 'HEAD', 'POST'),
        (segments, method) => {
          const plain = `/${segments.join('/')}`;
          // %61 is 'a': escaping it forces the decoding search without changing the path
          const escaped = `/${segments.map((s) => s.replace(/a/g, '%61')).join('/')}`;
          expect(table.match(method, escaped)).toEqual(table.match(method, plain));
        },
      ),
    );
  });
});
