import { runChain } from './internal/start';
import type { Interceptor } from './types';

/**
 * Runs a context through a queue of interceptors: every `enter` in order, then
 * every `leave` in reverse order; resolves with the final context.
 *
 * The queue is what `enqueue` put on the context before, followed by
 * `interceptors`. The array is neither copied nor changed, and it is checked
 * once: build it once, do not change it afterwards (freezing it is a good idea).
 *
 * When a stage fails, the rest of the queue is dropped and the stack unwinds
 * through `error` stages only, starting with the failing interceptor's own (for
 * an `enter` failure). If no `error` stage handles it, the promise rejects with
 * the {@link InterceptorError}.
 *
 * A chain of synchronous stages runs synchronously (one promise per call, the
 * one returned); the first stage that returns a promise switches to awaiting.
 * {@link run} is the same without that promise when nothing was asynchronous.
 *
 * Called from inside a running chain with that chain's context, it runs a nested
 * chain and then gives the context back to the outer chain.
 *
 * @example
 * ```ts
 * const log: string[] = [];
 * const ctx = await execute({ n: 1 }, [
 *   interceptor({ name: 'double', enter: (ctx) => ({ ...ctx, n: ctx.n * 2 }) }),
 *   interceptor({ name: 'log', leave: (ctx) => (log.push(`n=${ctx.n}`), ctx) }),
 * ]);
 * // ctx.n === 2, log = ['n=2']
 * ```
 */
export function execute<C extends object>(
  ctx: C,
  interceptors?: readonly Interceptor<C>[],
): Promise<C> {
  const out = runChain('execute', ctx, interceptors);
  // run returns a native promise or a context that is not a thenable.
  return out instanceof Promise ? out : Promise.resolve(out);
}
