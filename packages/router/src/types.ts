import type { Interceptor } from '@plinth/interceptor';
import type { HttpContext, Request, Response } from '@plinth/writeable-body';

/**
 * An HTTP method as the client sends it (upper-case). The common ones are listed for
 * completion; any other upper-case token (`PROPFIND`, `M-SEARCH`) is accepted too.
 */
export type HttpMethod =
  | 'GET'
  | 'HEAD'
  | 'POST'
  | 'PUT'
  | 'PATCH'
  | 'DELETE'
  | 'OPTIONS'
  | (string & {});

/**
 * The method(s) a route answers: one method, a list of them, or `'ANY'` for every
 * method (a route naming the method explicitly is preferred over an `'ANY'` route on
 * the same path).
 */
export type MethodSpec = HttpMethod | 'ANY' | readonly HttpMethod[];

/** A route's handler: Ring-style, a request in, a response (or a promise of one) out. */
export type RouteHandler = (request: Request) => Response | Promise<Response>;

/**
 * What a route runs: a handler, an interceptor, or a list of interceptors ending in a
 * handler or an interceptor (Pedestal's per-route interceptor vector).
 */
export type RouteTarget =
  | RouteHandler
  | Interceptor<any>
  | readonly [...Interceptor<any>[], RouteHandler | Interceptor<any>];

/**
 * A constraint on one path parameter, tested against the decoded value: a `RegExp`
 * that must match the whole value (it is anchored for you), or a predicate. A value
 * that fails makes the route not match, as if its path were different.
 */
export type ParamConstraint = RegExp | ((value: string) => boolean);

/** The fourth element of a route table entry. */
export interface RouteOptions {
  /**
   * The route's name, for `urlFor` and `ctx.route.name`; unique in a table.
   * @default the methods and the path, e.g. `'GET /users/:id'`
   */
  name?: string | undefined;
  /**
   * Per-parameter constraints, by parameter name.
   * @default {} (any non-empty segment matches a parameter)
   */
  constraints?: Readonly<Record<string, ParamConstraint>> | undefined;
}

/**
 * One route: `[path, method(s), target, options?]`, Pedestal's table route
 * (`["/range" :get range :route-name :range]`) in TypeScript.
 *
 * Paths are made of `/`-separated segments: literal text, `:name` for a parameter
 * taking one whole segment, or `*name` (last) for a wildcard taking the rest.
 */
export type RouteSpec = readonly [
  path: string,
  method: MethodSpec,
  target: RouteTarget,
  options?: RouteOptions,
];

/** A group of routes under a common path prefix; build one with `group()`. */
export interface RouteGroup {
  /** The brand that tells a group from a route. @internal */
  readonly kind: 'plinth.route-group';
  /** The prefix every route path in the group is appended to. */
  readonly prefix: string;
  /** The routes (and nested groups). */
  readonly routes: RouteTableSpec;
  /** Interceptors run before every route of the group (before the route's own). */
  readonly interceptors: readonly Interceptor<any>[];
}

/** A route table: routes and groups of routes, in order. */
export type RouteTableSpec = readonly (RouteSpec | RouteGroup)[];

/**
 * Decoded path parameters, by name, in an object that inherits nothing (no
 * `Object.prototype`), so a parameter named `__proto__` or `toString` is ordinary.
 */
export type PathParams = Record<string, string>;

/** A route of a table, as the table describes it. */
export interface RouteInfo {
  /** The route's name (given, or the default `'<METHODS> <path>'`). */
  readonly name: string;
  /** The full path pattern, group prefixes included (`/users/:id`). */
  readonly path: string;
  /** The methods the route declares (`['ANY']` for any). */
  readonly methods: readonly string[];
  /** The parameter names in path order, the wildcard's last. */
  readonly params: readonly string[];
}

/** The route that matched a request: what the router puts on `ctx.route`. */
export interface MatchedRoute extends RouteInfo {
  /**
   * The declared method that matched: the request's method, or `'GET'` for a HEAD
   * request served by a GET route, or `'ANY'`.
   */
  readonly method: string;
}

/**
 * The outcome of matching a method and a path against a table:
 *
 * - `found`: the route and its decoded parameters;
 * - `not-found`: no route's path matches (404);
 * - `method-not-allowed`: some route's path matches but none answers this method
 *   (405, or the automatic answer to OPTIONS); `allow` lists the methods that would;
 * - `bad-request`: the path cannot be decoded (400); `reason` says why.
 */
export type MatchResult =
  | { readonly kind: 'found'; readonly route: MatchedRoute; readonly params: PathParams }
  | { readonly kind: 'not-found' }
  | { readonly kind: 'method-not-allowed'; readonly allow: readonly string[] }
  | { readonly kind: 'bad-request'; readonly reason: string };

/** A query-string value for `urlFor`; `null`/`undefined` leave the key out. */
export type QueryValue = string | number | boolean | null | undefined;

/** Options of `urlFor`. */
export interface UrlForOptions {
  /**
   * Values for the route's path parameters (all are required). Numbers are
   * converted with `String()`. A wildcard value may contain `/`.
   * @default {}
   */
  params?: Readonly<Record<string, string | number>> | undefined;
  /**
   * Query parameters, encoded after `?` in insertion order; an array repeats the key.
   * @default {} (no query string)
   */
  query?: Readonly<Record<string, QueryValue | readonly QueryValue[]>> | undefined;
}

/** Decoded query parameters: repeated keys as arrays, in a null-prototype object. */
export type QueryParams = Record<string, string | string[]>;

/** The context the router reads and writes: an {@link HttpContext} plus `route`. */
export interface RouterContext extends HttpContext {
  /** The route that matched, set by the router before the route's interceptors run. */
  route?: MatchedRoute | undefined;
}
