import { setTimeout as delay } from 'node:timers/promises';
import { type Interceptor, interceptor } from '@plinth/interceptor';
import {
  endResponse,
  type HttpContext,
  writeResponse,
  writeResponseBody,
} from '@plinth/writeable-body';

/** Options of {@link lowLevelInterceptors}. */
export interface LowLevelOptions {
  /**
   * The pause between parts: the "keep processing" of the seed.
   * @default 300
   */
  stepMs?: number | undefined;
}

/**
 * The seed's "Low-level streaming", as the two interceptors of `GET /low-level`:
 *
 * 1. `low-level-stream` sends status, headers and a first part with
 *    `writeResponse`, keeps working, writes more with `writeResponseBody`, and
 *    ends the response with `endResponse`, all from its `enter`. It sets no
 *    `ctx.response`, so the chain goes on.
 * 2. `late-response` then sets a response (with a cookie) like a post-processing
 *    interceptor would. It is never sent: the adapter logs "response already sent"
 *    naming it, and the bytes on the wire are unaffected.
 *
 * @example
 * ```ts
 * const table = [['/low-level', 'GET', lowLevelInterceptors()]];
 * ```
 */
export function lowLevelInterceptors(
  options: LowLevelOptions = {},
): [Interceptor<HttpContext>, Interceptor<HttpContext>] {
  const stepMs = options.stepMs ?? 300;
  const stream = interceptor<HttpContext>({
    name: 'low-level-stream',
    async enter(ctx) {
      const { signal } = ctx.request;
      await writeResponse(ctx, {
        status: 200,
        headers: { 'content-type': 'text/plain; charset=utf-8' },
        body: 'part 1: status, headers and this line were sent by writeResponse\n',
      });
      for (let part = 2; part <= 3; part++) {
        await delay(stepMs, undefined, { signal }); // the interceptor keeps processing…
        await writeResponseBody(ctx, `part ${part}: written later with writeResponseBody\n`);
      }
      await writeResponseBody(
        ctx,
        'end: endResponse closes the response; the next interceptor sets a response that is never sent\n',
      );
      return endResponse(ctx);
    },
  });
  const late = interceptor<HttpContext>({
    name: 'late-response',
    enter: (ctx) => ({
      ...ctx,
      response: {
        status: 200,
        headers: { 'content-type': 'text/plain', 'set-cookie': 'late=1; Path=/' },
        body: 'this response is never sent\n',
      },
    }),
  });
  return [stream, late];
}
