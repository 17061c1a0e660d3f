import { type Interceptor, interceptor } from '@plinth/interceptor';
import { RouterError } from './errors';
import { describe } from './internal/describe';
import { parsePattern } from './internal/pattern';
import { notAnInterceptor } from './internal/target';
import type { RouteGroup, RouteTableSpec } from './types';

/** Options of {@link group}. */
export interface GroupOptions {
  /**
   * Interceptors run before every route of the group, outside the route's own (an
   * authentication check for everything under `/admin`).
   * @default []
   */
  interceptors?: readonly Interceptor<any>[] | undefined;
}

/**
 * Routes under a common path prefix: the nested form of a route table (Pedestal's
 * `["/api" ["/users" ...]]`). A route's path `'/'` in a group stands for the prefix
 * itself; any other path is appended to it. Groups nest.
 *
 * @example
 * ```ts
 * const table = [
 *   ['/', 'GET', home],
 *   group('/api', [
 *     ['/users', 'GET', listUsers, { name: 'users' }],          // GET /api/users
 *     ['/users/:id', ['GET', 'PUT'], user, { name: 'user' }],   // /api/users/:id
 *   ], { interceptors: [requireToken] }),
 * ] satisfies RouteTableSpec;
 * ```
 */
export function group(
  prefix: string,
  routes: RouteTableSpec,
  options: GroupOptions = {},
): RouteGroup {
  const fail = (message: string): never => {
    throw new RouterError('INVALID_ROUTE', `group(${describe(prefix)}): ${message}`);
  };
  if (typeof prefix !== 'string') fail(`the prefix must be a string, got ${describe(prefix)}`);
  if (prefix !== '/' && prefix.endsWith('/')) {
    fail(`the prefix must not end with '/' (routes under it start with one)`);
  }
  try {
    const segments = parsePattern(prefix);
    if (segments.some((s) => s.type === 'wildcard')) {
      fail('a prefix cannot contain a wildcard (nothing could follow it)');
    }
  } catch (e) {
    if (RouterError.isError(e)) throw e;
    fail((e as Error).message);
  }
  if (!Array.isArray(routes)) fail(`the routes must be an array, got ${describe(routes)}`);
  const interceptors = options.interceptors ?? [];
  if (!Array.isArray(interceptors)) {
    fail(`options.interceptors must be an array, got ${describe(interceptors)}`);
  }
  const checked = interceptors.map((item, i) => {
    const why = notAnInterceptor(item);
    if (why) fail(`options.interceptors[${i}]: ${why}`);
    try {
      return interceptor(item);
    } catch (e) {
      return fail(`options.interceptors[${i}]: ${(e as Error).message}`);
    }
  });
  return Object.freeze({
    kind: 'plinth.route-group' as const,
    prefix,
    routes,
    interceptors: Object.freeze(checked),
  });
}

/**
 * Joins a group prefix and a route path.
 * @internal
 */
export function joinPath(prefix: string, path: string): string {
  if (prefix === '/' || prefix === '') return path;
  if (path === '/') return prefix;
  return prefix + path;
}

/**
 * Tells a group from a route.
 * @internal
 */
export function isGroup(entry: unknown): entry is RouteGroup {
  return (
    typeof entry === 'object' &&
    entry !== null &&
    !Array.isArray(entry) &&
    (entry as { kind?: unknown }).kind === 'plinth.route-group'
  );
}
