import { enqueue, type Interceptor, terminate } from '@plinth/interceptor';
import { compiledOf } from './internal/compile';
import { shown, textResponse } from './internal/responses';
import { CompiledRouteTable, type RouteTable } from './table';
import type { RouterContext, RouteTableSpec } from './types';

/**
 * The router: an interceptor that routes each request through a route table, and
 * the table's `match`, `urlFor` and `routes`.
 */
export interface Router extends RouteTable, Interceptor<RouterContext> {
  /** `'router'`. */
  readonly name: 'router';
  /** Routes the request; see {@link router}. */
  enter: (ctx: RouterContext) => RouterContext;
}

// An absolute-form request target (`GET http://host/path`, what proxies are sent):
// route its path.
const ABSOLUTE = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/]*/;

/**
 * Builds the router interceptor for a route table (or a table from `routeTable()`).
 * For each request it matches `request.method` and `request.path`, then:
 *
 * - **found**: sets `request.pathParams` (decoded, null-prototype) and `ctx.route`
 *   (`{ name, path, method, methods, params }`), and enqueues the route's
 *   interceptors (group interceptors first, the handler last);
 * - **no route's path matches**: answers 404 (text/plain, naming method and path);
 * - **a path matches but not the method**: answers 405 with `Allow` (the methods of
 *   every route whose path matches, HEAD with GET, and OPTIONS);
 * - **OPTIONS** on a path no route declares OPTIONS (or ANY) for: answers 204 with
 *   `Allow`; `OPTIONS *` lists every method of the table;
 * - **HEAD**: served by the GET route (the adapter sends no body) unless a route
 *   declares HEAD;
 * - **a malformed percent-encoding in the path**: answers 400 `Bad Request - …`
 *   naming the bad escape.
 *
 * Every answer the router gives itself terminates the chain (the interceptors queued
 * after the router do not run; those before it see the response on `leave`).
 *
 * @example
 * ```ts
 * import { createServer } from '@plinth/node';
 * import { queryParams, router } from '@plinth/router';
 *
 * const app = router([
 *   ['/range', 'GET', (req) => ({ status: 200, body: range(Number(req.query?.limit ?? 10)) }), { name: 'range' }],
 *   ['/users/:id', 'GET', (req) => ({ status: 200, body: { id: req.pathParams!.id } }), { name: 'user' }],
 * ]);
 * await createServer([queryParams, app], { port: 8080 }).start();
 * app.urlFor('user', { params: { id: 7 } }); // '/users/7'
 * ```
 */
export function router(table: RouteTableSpec | RouteTable): Router {
  const compiled =
    table instanceof CompiledRouteTable ? table : new CompiledRouteTable(table as RouteTableSpec);
  const matcher = compiled.matcher;
  const allowAll = matcher.allMethods.join(', ');

  const enter = (ctx: RouterContext): RouterContext => {
    const request = ctx.request;
    const method = request.method;
    let path = request.path;
    if (path.charCodeAt(0) !== 47 /* / */) {
      if (path === '*' && method === 'OPTIONS') {
        ctx.response = { status: 204, headers: { allow: allowAll } };
        return terminate(ctx);
      }
      path = path.replace(ABSOLUTE, '') || '/';
    }
    const result = matcher.match(method, path);
    switch (result.kind) {
      case 'found': {
        request.pathParams = result.params;
        ctx.route = result.route;
        return enqueue(
          ctx,
          ...(compiledOf(result.route).interceptors as Interceptor<RouterContext>[]),
        );
      }
      case 'method-not-allowed': {
        const allow = result.allow.join(', ');
        ctx.response =
          method === 'OPTIONS'
            ? { status: 204, headers: { allow } }
            : textResponse(
                405,
                `Method Not Allowed - ${shown(method)} is not allowed for ${shown(path)} (allowed: ${allow})`,
                allow,
              );
        return terminate(ctx);
      }
      case 'not-found':
        ctx.response = textResponse(
          404,
          `Not Found - no route for ${shown(method)} ${shown(path)}`,
        );
        return terminate(ctx);
      default:
        ctx.response = textResponse(400, `Bad Request - ${result.reason}`);
        return terminate(ctx);
    }
  };

  return Object.freeze({
    name: 'router' as const,
    enter,
    routes: compiled.routes,
    match: (method: string, path: string) => compiled.match(method, path),
    urlFor: (name: string, options?: Parameters<RouteTable['urlFor']>[1]) =>
      compiled.urlFor(name, options),
  });
}
