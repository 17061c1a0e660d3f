import { describe, expect, it } from 'vitest';
import { RouterError } from './errors';
import { group } from './group';
import { routeTable } from './table';
import type { RouteTableSpec } from './types';

const ok = () => ({ status: 200 });

function errorOf(fn: () => unknown): RouterError {
  try {
    fn();
  } catch (e) {
    if (RouterError.isError(e)) return e;
    throw new Error(`expected a RouterError, got ${String(e)}`);
  }
  throw new Error('expected a RouterError, nothing was thrown');
}

const table = (entries: unknown[]) => () => routeTable(entries as unknown as RouteTableSpec);

describe('route table validation', () => {
  it('names routes after their methods and path by default', () => {
    const t = routeTable([
      ['/a', 'GET', ok],
      ['/b/:id', ['GET', 'POST'], ok],
      ['/c', 'ANY', ok, { name: 'c' }],
    ]);
    expect(t.routes).toEqual([
      { name: 'GET /a', path: '/a', methods: ['GET'], params: [] },
      { name: 'GET,POST /b/:id', path: '/b/:id', methods: ['GET', 'POST'], params: ['id'] },
      { name: 'c', path: '/c', methods: ['ANY'], params: [] },
    ]);
  });

  it.each([
    [['a', 'GET', ok], "must start with '/'"],
    [['/a?b', 'GET', ok], 'contains "?"'],
    [['/a#b', 'GET', ok], 'contains "#"'],
    [['/caf%C3%A9', 'GET', ok], 'write the decoded character'],
    [['/a b', 'GET', ok], 'contains " "'],
    [['/a//b', 'GET', ok], "empty segment ('//')"],
    [['/users/:', 'GET', ok], 'whose name is not an identifier'],
    [['/files/:name.json', 'GET', ok], 'a parameter takes a whole segment'],
    [['/files/*', 'GET', ok], 'wildcard segment "*"'],
    [['/files/*rest/more', 'GET', ok], 'a wildcard must be the last segment'],
    [['/a/:id/b/:id', 'GET', ok], "uses the parameter name 'id' twice"],
    [['/a', 'get', ok], "methods are upper-case: 'GET'"],
    [['/a', 'FETCH ME', ok], 'is not an HTTP method token'],
    [['/a', [], ok], 'the method list is empty'],
    [['/a', ['GET', 'GET'], ok], "the method 'GET' is listed twice"],
    [['/a', ['ANY', 'GET'], ok], "'ANY' already covers every method"],
    [['/a', 'GET'], 'a route has 3 or 4 elements'],
    [['/a', 'GET', 'handler'], 'the target must be a handler'],
    [['/a', 'GET', {}], 'at least one of enter, leave or error'],
    [['/a', 'GET', { enter: 'x' }], 'its enter must be a function, got "x"'],
    [['/a', 'GET', []], 'the target is an empty list'],
    [['/a', 'GET', [ok, ok]], 'only the last element of a target list may be a handler'],
    [['/a', 'GET', [{ leave: 1 }, ok]], 'target[0]: its leave must be a function'],
    [['/a', 'GET', ok, { name: '' }], 'options.name must be a non-empty string'],
    [['/a', 'GET', ok, { nmae: 'x' }], "unknown option(s) 'nmae'"],
    [['/a/:id', 'GET', ok, { constraints: { ID: /x/ } }], "names 'ID', which is not a parameter"],
    [['/a/:id', 'GET', ok, { constraints: { id: 'x' } }], 'must be a RegExp or a function'],
  ])('refuses %j: %s', (entry, message) => {
    const e = errorOf(table([['/ok', 'GET', ok], entry]));
    expect(e.code).toBe('INVALID_ROUTE');
    expect(e.message).toContain(message);
    expect(e.message).toContain('table[1]');
  });

  it('refuses a table that is not an array, and entries that are neither routes nor groups', () => {
    expect(errorOf(() => routeTable({} as never)).message).toContain('expected an array of routes');
    expect(errorOf(table([['/a', 'GET', ok], { path: '/b' }])).message).toMatch(
      /table\[1\]: expected a route .* or a group/,
    );
  });

  it('reports duplicate names with both routes', () => {
    const e = errorOf(
      table([
        ['/a', 'GET', ok, { name: 'x' }],
        ['/b', 'GET', ok, { name: 'x' }],
      ]),
    );
    expect(e.code).toBe('DUPLICATE_ROUTE');
    expect(e.route).toBe('x');
    expect(e.message).toContain("route 'x' (table[1]: GET /b)");
    expect(e.message).toContain("route 'x' (table[0]: GET /a)");
  });

  it('reports a route hidden by an earlier one with the same shape and method, naming both', () => {
    const e = errorOf(
      table([
        ['/users/:id', ['GET', 'PUT'], ok, { name: 'user' }],
        ['/users/:userId', ['POST', 'PUT'], ok, { name: 'user-put' }],
      ]),
    );
    expect(e.code).toBe('DUPLICATE_ROUTE');
    expect(e.message).toContain("route 'user-put' (table[1]: POST,PUT /users/:userId)");
    expect(e.message).toContain("route 'user' (table[0]: GET,PUT /users/:id)");
    expect(e.message).toContain('method PUT');
    expect(
      errorOf(
        table([
          ['/x', 'GET', ok],
          ['/x', 'GET', ok, { name: 'other' }],
        ]),
      ).code,
    ).toBe('DUPLICATE_ROUTE');
    expect(
      errorOf(
        table([
          ['/f/*a', 'ANY', ok],
          ['/f/*b', 'ANY', ok],
        ]),
      ).message,
    ).toContain('method ANY');
  });

  it('reports identical constraints as a conflict, and lets different ones share a shape', () => {
    const digits = /\d+/;
    expect(
      errorOf(
        table([
          ['/i/:id', 'GET', ok, { name: 'a', constraints: { id: digits } }],
          ['/i/:n', 'GET', ok, { name: 'b', constraints: { n: /\d+/ } }],
        ]),
      ).message,
    ).toContain('their constraints are the same');
    expect(() =>
      routeTable([
        ['/i/:id', 'GET', ok, { name: 'a', constraints: { id: digits } }],
        ['/i/:slug', 'GET', ok, { name: 'b', constraints: { slug: /[a-z]+/ } }],
        ['/i/:other', 'GET', ok, { name: 'c' }],
      ]),
    ).not.toThrow();
  });

  it('allows the same path with other methods, ANY beside explicit methods, and HEAD beside GET', () => {
    expect(() =>
      routeTable([
        ['/x', 'GET', ok, { name: 'a' }],
        ['/x', 'POST', ok, { name: 'b' }],
        ['/x', 'ANY', ok, { name: 'c' }],
        ['/x', 'HEAD', ok, { name: 'd' }],
      ]),
    ).not.toThrow();
  });

  it('validates groups', () => {
    expect(errorOf(() => group('api', [])).message).toContain("must start with '/'");
    expect(errorOf(() => group('/api/', [])).message).toContain("must not end with '/'");
    expect(errorOf(() => group('/f/*rest', [])).message).toContain('cannot contain a wildcard');
    expect(errorOf(() => group('/api', {} as never)).message).toContain('routes must be an array');
    expect(errorOf(() => group('/api', [], { interceptors: [{}] as never })).message).toContain(
      'options.interceptors[0]',
    );
    const e = errorOf(
      table([
        group('/api', [
          ['/x', 'GET', ok],
          ['x', 'GET', ok],
        ]),
      ]),
    );
    expect(e.message).toContain('table[0].routes[1]');
  });
});

describe('RouterError', () => {
  it('is recognised by name, also from another copy of the package', () => {
    const e = new RouterError('UNKNOWN_ROUTE', 'nope', { route: 'r' });
    expect(RouterError.isError(e)).toBe(true);
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('RouterError');
    expect(e.status).toBeUndefined();
    expect(e.expose).toBe(false);
    const foreign = Object.assign(new Error('x'), { name: 'RouterError', code: 'UNKNOWN_ROUTE' });
    expect(RouterError.isError(foreign)).toBe(true);
    expect(RouterError.isError(new Error('x'))).toBe(false);
    expect(RouterError.isError({ name: 'RouterError', code: 'X' })).toBe(false);
    const cause = new URIError('bad');
    expect(new RouterError('MALFORMED_QUERY', 'm', { status: 400, cause }).cause).toBe(cause);
  });
});
