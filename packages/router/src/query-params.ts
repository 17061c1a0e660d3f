import { type Interceptor, interceptor, terminate } from '@plinth/interceptor';
import type { HttpContext } from '@plinth/writeable-body';
import { RouterError } from './errors';
import { textResponse } from './internal/responses';
import { parseQuery } from './query';

/**
 * Decodes the query string into `request.query` (see {@link parseQuery} for the
 * rules): a null-prototype object, `{}` when there is no query string. A malformed
 * percent-encoding answers 400 `Bad Request - …` (text/plain, naming the bad escape)
 * and terminates the chain, as Pedestal's `query-params` does; never a 500.
 *
 * Put it before the router so handlers and route interceptors see `request.query`.
 *
 * @example
 * ```ts
 * const range = (req: Request) => ({ status: 200, body: upTo(Number(req.query?.limit ?? 10)) });
 * createServer([queryParams, router([['/range', 'GET', range, { name: 'range' }]])]);
 * // GET /range?limit=3 → [0,1,2]; GET /range?limit=%zz → 400 Bad Request - malformed query string: …
 * ```
 */
export const queryParams: Interceptor<HttpContext> = interceptor<HttpContext>({
  name: 'queryParams',
  enter(ctx) {
    const request = ctx.request;
    try {
      request.query = parseQuery(request.queryString);
      return ctx;
    } catch (e) {
      if (!(RouterError.isError(e) && e.code === 'MALFORMED_QUERY')) throw e;
      ctx.response = textResponse(400, `Bad Request - ${e.message}`);
      return terminate(ctx);
    }
  },
});
