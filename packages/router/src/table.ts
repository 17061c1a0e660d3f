import { RouterError } from './errors';
import { type CompiledRoute, compileTable } from './internal/compile';
import { describe } from './internal/describe';
import { Matcher } from './internal/matcher';
import { buildUrl } from './internal/url';
import type { MatchResult, RouteInfo, RouteTableSpec, UrlForOptions } from './types';

/**
 * A compiled route table: matching and URL generation, without the interceptor. Build
 * one with {@link routeTable}; `router()` accepts one too.
 */
export interface RouteTable {
  /** Every route, in table order (groups flattened). */
  readonly routes: readonly RouteInfo[];
  /**
   * Matches a method and a raw request path (not decoded, without the query string),
   * applying the same rules as the router: see {@link MatchResult}.
   *
   * @example
   * ```ts
   * const result = table.match('GET', '/users/42');
   * if (result.kind === 'found') console.log(result.route.name, result.params.id); // user 42
   * ```
   */
  match(method: string, path: string): MatchResult;
  /**
   * Builds the URL of a named route: path parameters encoded into the path, query
   * parameters after `?`. Throws a {@link RouterError} for an unknown name
   * (`UNKNOWN_ROUTE`), a missing parameter (`MISSING_PARAM`), or a parameter the route
   * does not have or would not match (`INVALID_PARAM`), so the URL always routes back
   * to the route with the same parameters.
   *
   * @example
   * ```ts
   * table.urlFor('user', { params: { id: 42 }, query: { tab: 'posts' } }); // '/users/42?tab=posts'
   * ```
   */
  urlFor(name: string, options?: UrlForOptions): string;
}

/**
 * The implementation of {@link RouteTable}, with the internal lookup the router uses.
 * @internal
 */
export class CompiledRouteTable implements RouteTable {
  readonly routes: readonly RouteInfo[];
  /** @internal */
  readonly matcher: Matcher;
  private readonly byName: ReadonlyMap<string, CompiledRoute>;

  constructor(table: RouteTableSpec) {
    const compiled = compileTable(table);
    this.matcher = new Matcher(compiled);
    this.byName = new Map(compiled.map((r) => [r.name, r]));
    this.routes = Object.freeze(compiled.map((r) => r.info));
  }

  match(method: string, path: string): MatchResult {
    return this.matcher.match(method, path);
  }

  urlFor(name: string, options?: UrlForOptions): string {
    const route = this.byName.get(name);
    if (route === undefined) {
      const known = [...this.byName.keys()];
      const list =
        known.length > 20 ? `${known.slice(0, 20).join("', '")}', …` : known.join("', '");
      throw new RouterError(
        'UNKNOWN_ROUTE',
        `urlFor(${describe(name)}): no route has this name (routes: ${known.length ? `'${list}'` : 'none'})`,
        { route: typeof name === 'string' ? name : undefined },
      );
    }
    return buildUrl(route, options);
  }
}

/**
 * Compiles a route table: validates every route (reporting duplicates and conflicts
 * with both routes named) and builds the matcher. Use it for matching and `urlFor`
 * outside a chain; {@link router} does the same for you.
 *
 * @example
 * ```ts
 * const table = routeTable([
 *   ['/users/:id', 'GET', getUser, { name: 'user', constraints: { id: /\d+/ } }],
 * ]);
 * table.urlFor('user', { params: { id: 7 } }); // '/users/7'
 * table.match('GET', '/users/7');              // { kind: 'found', params: { id: '7' }, … }
 * table.match('GET', '/users/x');              // { kind: 'not-found' }
 * ```
 */
export function routeTable(table: RouteTableSpec): RouteTable {
  return new CompiledRouteTable(table);
}
