import { runChain } from './internal/start';
import type { Interceptor } from './types';

/**
 * Runs a context through a queue of interceptors exactly as {@link execute}
 * does, but returns **the final context itself** when every stage completed
 * synchronously, and a promise of it only once some stage returned one. The entry
 * point for adapters and other hot paths: a chain of synchronous stages costs no
 * promise and no microtask at all.
 *
 * It never throws. An unhandled {@link InterceptorError} (also one raised by a
 * synchronous stage) and a `TypeError` for bad arguments come back as a rejected
 * promise, as from `execute`, so `await run(ctx, chain)` behaves exactly like
 * `await execute(ctx, chain)` and a caller has only one failure path to handle.
 *
 * What it returns is either the context or a native `Promise`, never another
 * thenable (a thenable context is refused, and a stage's thenable is awaited),
 * so `out instanceof Promise` tells the two apart.
 *
 * @example
 * ```ts
 * const out = run(ctx, chain);
 * if (out instanceof Promise) {
 *   out.then(send, fail); // some stage was asynchronous, or the chain failed
 * } else {
 *   send(out); // all synchronous: no promise was created
 * }
 * ```
 */
export function run<C extends object>(
  ctx: C,
  interceptors?: readonly Interceptor<C>[],
): C | Promise<C> {
  return runChain('run', ctx, interceptors);
}
