import { InterceptorError } from './error';
import { describe } from './internal/describe';
import { drive, finish, isThenable, run, SUSPENDED } from './internal/run';
import { CHAIN, ChainState, type Ctx, DONE, ENTER, ERROR, LEAVE, PENDING } from './internal/state';
import { assertInterceptors } from './internal/validate';
import type { Interceptor } from './types';

let lastExecutionId = 0;

/** Arrays of interceptors already checked, with the length they had. */
const validated = new WeakMap<readonly unknown[], number>();
// The array checked last, to skip even the WeakMap look-up in the common case.
let lastChecked: readonly unknown[] | undefined;
let lastCheckedLength = 0;

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
 * A chain of synchronous stages runs synchronously (one promise per call); the
 * first stage that returns a promise switches to awaiting.
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
  if (typeof ctx !== 'object' || ctx === null) {
    return Promise.reject(
      new TypeError(`execute(ctx): the context must be an object, got ${describe(ctx)}`),
    );
  }
  if (isThenable(ctx)) {
    // A promise could never resolve to it: awaiting it would call its `then`.
    return Promise.reject(
      new TypeError('execute(ctx): the context must not be a thenable (it has a then method)'),
    );
  }
  if (interceptors !== undefined) {
    if (!Array.isArray(interceptors)) {
      return Promise.reject(
        new TypeError(
          `execute(ctx, interceptors): interceptors must be an array, got ${describe(interceptors)}`,
        ),
      );
    }
    // A server runs the same arrays for every request: check each array once (at
    // a given length) rather than each interceptor on every call.
    if (
      (interceptors !== lastChecked || interceptors.length !== lastCheckedLength) &&
      validated.get(interceptors) !== interceptors.length
    ) {
      try {
        assertInterceptors('execute(ctx, interceptors)', interceptors);
      } catch (e) {
        return Promise.reject(e);
      }
      validated.set(interceptors, interceptors.length);
    }
    lastChecked = interceptors;
    lastCheckedLength = interceptors.length;
  }
  const input = ctx as Ctx;
  const s = start(input, interceptors);
  let out: Ctx | typeof SUSPENDED;
  try {
    out = run(s, input);
    if (out === SUSPENDED) return drive(s) as Promise<C>;
    return Promise.resolve(finish(s, out) as C);
  } catch (e) {
    return Promise.reject(e);
  }
}

function start(ctx: Ctx, interceptors: readonly Interceptor[] | undefined): ChainState {
  const previous = ctx[CHAIN];
  const s = new ChainState(ENTER, ++lastExecutionId);
  if (previous !== undefined) {
    if (previous.phase === PENDING) {
      // What enqueue/terminateWhen/addObserver set up before: a template, left
      // as it is so that other copies of the context can run it too.
      s.queue = previous.queue;
      s.end = previous.end;
      s.terminators = previous.terminators;
      s.observers = previous.observers;
      s.slow = previous.slow;
      s.plain = previous.plain;
    } else if (previous.phase !== DONE) {
      s.outer = previous;
      s.input = ctx;
    }
  }
  if (interceptors !== undefined) s.append(interceptors);
  ctx[CHAIN] = s;
  // Only withError puts an error on a context, and it leaves a state there too:
  // a context that had none cannot carry an error.
  const error = previous === undefined ? undefined : ctx[ERROR];
  if (error !== undefined && !InterceptorError.isError(error)) {
    // withError before execute: an error nobody raised in this chain.
    ctx[ERROR] = new InterceptorError(`The context carried an error: ${describe(error)}`, {
      interceptor: undefined,
      stage: 'enter',
      executionId: s.id,
      cause: error,
    });
  }
  if (error !== undefined) {
    s.end = 0;
    s.phase = LEAVE;
  }
  return s;
}
