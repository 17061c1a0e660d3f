import { CHAIN, type Ctx, DONE, ERROR, type Predicate, stateFor } from './internal/state';
import { assertInterceptors } from './internal/validate';
import { describe } from './internal/values';
import type { Interceptor, Observer, Stage } from './types';

function assertContext(fn: string, ctx: unknown): asserts ctx is Ctx {
  if (typeof ctx !== 'object' || ctx === null) {
    throw new TypeError(`${fn}: the context must be an object, got ${describe(ctx)}`);
  }
}

/**
 * Adds interceptors to the end of the context's queue. Inside a running chain
 * they run after the ones already queued; before `execute`, they are the queue
 * `execute(ctx)` runs. Changes and returns the same context (the chain state is
 * shared by spread copies).
 *
 * @throws TypeError naming the value when one is not an interceptor.
 * @example
 * ```ts
 * const route = interceptor({ name: 'route', enter: (ctx) => enqueue(ctx, handler) });
 * ```
 */
export function enqueue<C extends object>(ctx: C, ...interceptors: Interceptor<C>[]): C {
  assertContext('enqueue(ctx, ...interceptors)', ctx);
  assertInterceptors('enqueue(ctx, ...interceptors)', interceptors);
  const s = stateFor(ctx);
  s.append(interceptors);
  // The running loop keeps the queue in a local: make it look again.
  s.plain = false;
  return ctx;
}

/**
 * Drops the rest of the queue: no further `enter` runs, and the `leave` stages of
 * the interceptors that entered run as usual. Returns the same context.
 *
 * @example
 * ```ts
 * const cache = interceptor({
 *   name: 'cache',
 *   enter: (ctx) => (hit(ctx) ? terminate({ ...ctx, response: cached(ctx) }) : ctx),
 * });
 * ```
 */
export function terminate<C extends object>(ctx: C): C {
  assertContext('terminate(ctx)', ctx);
  const s = stateFor(ctx);
  s.end = s.index;
  // The running loop keeps the end in a local: make it look again.
  s.plain = false;
  return ctx;
}

// The list holding only the predicate of the last call: an adapter adds the same
// terminator to every request, and the list is never changed in place.
let lastPredicate: unknown;
let lastAlone: readonly Predicate[] = [];

function alone(predicate: Predicate): readonly Predicate[] {
  if (predicate !== lastPredicate) {
    lastPredicate = predicate;
    lastAlone = [predicate];
  }
  return lastAlone;
}

/**
 * Adds a terminator: after every `enter` (also one that completed
 * asynchronously), the chain stops entering when `predicate(ctx)` is true, as
 * with {@link terminate}. Returns the same context.
 *
 * @example
 * ```ts
 * terminateWhen(ctx, (ctx) => ctx.response !== undefined);
 * ```
 */
export function terminateWhen<C extends object>(ctx: C, predicate: (ctx: C) => boolean): C {
  assertContext('terminateWhen(ctx, predicate)', ctx);
  if (typeof predicate !== 'function') {
    throw new TypeError(
      `terminateWhen(ctx, predicate): predicate must be a function, got ${describe(predicate)}`,
    );
  }
  const s = stateFor(ctx);
  s.terminators = s.terminators === undefined ? alone(predicate) : [...s.terminators, predicate];
  s.plain = false;
  return ctx;
}

/**
 * Marks the context as failed with `error`. Returned from `enter` or `leave`, it
 * starts unwinding as if the stage had thrown; returned from `error` with the
 * error it was given, it declines to handle it. Sets the error on the same
 * context and returns it.
 *
 * @throws TypeError when `error` is `undefined` or `null`.
 * @example
 * ```ts
 * const onlyTimeouts = interceptor({
 *   name: 'only-timeouts',
 *   error: (ctx, error) =>
 *     isTimeout(error.cause) ? { ...ctx, response: { status: 504 } } : withError(ctx, error),
 * });
 * ```
 */
export function withError<C extends object>(ctx: C, error: unknown): C {
  assertContext('withError(ctx, error)', ctx);
  if (error === undefined || error === null) {
    throw new TypeError(`withError(ctx, error): error must be a value, got ${describe(error)}`);
  }
  // The flag sends this chain's stage results through the full checks, which see
  // the error; without it the runner does not look for one.
  const s = stateFor(ctx);
  s.slow = true;
  s.plain = false;
  ctx[ERROR] = error;
  return ctx;
}

/**
 * Adds an observer, called after each stage that ran and returned a context (not
 * for a stage that threw, nor for interceptors that have no such stage) with the
 * execution id, stage, interceptor name and the contexts in and out. An observer
 * that throws fails that stage. Returns the same context.
 *
 * @example
 * ```ts
 * addObserver(ctx, (e) => console.log(e.executionId, e.interceptor, e.stage));
 * ```
 */
export function addObserver<C extends object>(ctx: C, observer: Observer<C>): C {
  assertContext('addObserver(ctx, observer)', ctx);
  if (typeof observer !== 'function') {
    throw new TypeError(
      `addObserver(ctx, observer): observer must be a function, got ${describe(observer)}`,
    );
  }
  const s = stateFor(ctx);
  s.observers = s.observers === undefined ? [observer] : [...s.observers, observer];
  s.slow = true;
  s.plain = false;
  return ctx;
}

/** What {@link pendingStage} returns: the stage a suspended chain is waiting for. */
export interface PendingStage {
  /** The name of the interceptor whose stage has not settled (`undefined` when it has none). */
  readonly interceptor: string | undefined;
  /** Its stage. */
  readonly stage: Stage;
}

/**
 * The interceptor and stage a chain on this context is waiting for: the last stage
 * that returned a promise, while the chain has not finished. Meant for code outside
 * the chain (a timeout, a diagnostic log) that must say what a slow request waits
 * on; it costs nothing until called. `undefined` when no chain runs on the context,
 * the chain finished, or every stage so far was synchronous.
 *
 * @example
 * ```ts
 * setTimeout(() => {
 *   const pending = pendingStage(ctx);
 *   if (pending) log.warn(`still waiting for ${pending.interceptor} (${pending.stage})`);
 * }, 30_000).unref();
 * ```
 */
export function pendingStage(ctx: object): PendingStage | undefined {
  if (ctx === null || typeof ctx !== 'object') return undefined;
  const s = (ctx as Ctx)[CHAIN];
  const p = s?.pending;
  if (s === undefined || p === undefined || s.phase === DONE) return undefined;
  const name = p.interceptor.name;
  return { interceptor: typeof name === 'string' ? name : undefined, stage: p.stage };
}
