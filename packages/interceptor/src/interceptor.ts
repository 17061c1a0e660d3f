import { invalidReason, VALID } from './internal/validate';
import { isThenable } from './internal/values';
import type { Handler, Interceptor, InterceptorSpec, RequestOf, ResponseOf } from './types';

/**
 * Validates an interceptor and returns a frozen copy of it (with exactly `name`,
 * `enter`, `leave` and `error`), or turns a handler `(request) => response` into
 * an interceptor named after the function whose `enter` sets `ctx.response` to the
 * handler's result for `ctx.request` (awaited when it is a promise).
 *
 * @throws TypeError naming the value when it is not an interceptor: not an
 * object, no stage, a stage that is not a function, a name that is not a string.
 * @example
 * ```ts
 * const timing = interceptor<{ start?: number }>({
 *   name: 'timing',
 *   enter: (ctx) => ({ ...ctx, start: performance.now() }),
 *   leave: (ctx) => (console.log(performance.now() - ctx.start!), ctx),
 * });
 * const hello = interceptor((request: { url: string }) => ({ status: 200, body: `hi ${request.url}` }));
 * ```
 */
export function interceptor<C extends object = any>(
  handler: Handler<RequestOf<C>, ResponseOf<C>>,
): Interceptor<C>;
export function interceptor<C extends object = any>(spec: InterceptorSpec<C>): Interceptor<C>;
export function interceptor(spec: Interceptor | Handler): Interceptor {
  if (typeof spec === 'function') return fromHandler(spec);
  const reason = invalidReason(spec);
  if (reason !== undefined) throw new TypeError(`interceptor(spec): ${reason}`);
  return make(spec.name, spec.enter, spec.leave, spec.error);
}

function make(
  name: string | undefined,
  enter: Interceptor['enter'],
  leave: Interceptor['leave'],
  error: Interceptor['error'],
): Interceptor {
  // Always the same four keys, so the runner's property reads see one shape.
  const result = { name, enter, leave, error };
  Object.defineProperty(result, VALID, { value: true });
  return Object.freeze(result);
}

function fromHandler(handler: Handler): Interceptor {
  const set = (ctx: any, response: unknown) => {
    ctx.response = response;
    return ctx;
  };
  return make(
    handler.name || 'handler',
    (ctx: any) => {
      const response = handler(ctx.request);
      if (typeof response === 'object' && response !== null && isThenable(response)) {
        return Promise.resolve(response).then((r) => set(ctx, r));
      }
      return set(ctx, response);
    },
    undefined,
    undefined,
  );
}
