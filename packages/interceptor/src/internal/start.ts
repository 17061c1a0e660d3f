// The one entry into a chain, behind both `run` and `execute`: argument checks,
// the chain state, the synchronous loop, and the switch to `drive` when a stage
// returned a thenable.
import { InterceptorError } from '../errors';
import type { Interceptor } from '../types';
import { drive, finish, loop, SUSPENDED } from './loop';
import {
  CHAIN,
  ChainState,
  type Ctx,
  DONE,
  ENTER,
  ERROR,
  LEAVE,
  NO_INTERCEPTORS,
  PENDING,
} from './state';
import { assertInterceptors } from './validate';
import { describe, isThenable } from './values';

let lastExecutionId = 0;

/** Arrays of interceptors already checked, with the length they had. */
const validated = new WeakMap<readonly unknown[], number>();
// The array checked last, to skip even the WeakMap look-up in the common case.
let lastChecked: readonly unknown[] | undefined;
let lastCheckedLength = 0;

/**
 * `run`, with the name of the public function for error messages.
 * @internal
 */
export function runChain<C extends object>(
  fn: 'run' | 'execute',
  ctx: C,
  interceptors: readonly Interceptor<C>[] | undefined,
): C | Promise<C> {
  // The common case first, in as few steps as possible: an object that is not a
  // thenable and the array of the previous call, unchanged.
  if (
    typeof ctx !== 'object' ||
    ctx === null ||
    isThenable(ctx) ||
    (interceptors !== undefined &&
      (interceptors !== lastChecked || interceptors.length !== lastCheckedLength))
  ) {
    const bad = checkArguments(fn, ctx, interceptors);
    if (bad !== undefined) return Promise.reject(bad);
  }
  const input = ctx as Ctx;
  const previous = input[CHAIN];
  // A fresh context (what an adapter makes for each request) needs nothing else.
  const s =
    previous === undefined
      ? new ChainState(ENTER, ++lastExecutionId, interceptors ?? NO_INTERCEPTORS)
      : start(input, previous, interceptors);
  input[CHAIN] = s;
  try {
    const out = loop(s, input);
    if (out === SUSPENDED) return drive(s) as Promise<C>;
    if (s.outer === undefined && out[ERROR] === undefined) return out as C;
    return finish(s, out) as C;
  } catch (e) {
    return Promise.reject(e);
  }
}

/**
 * The slow part of the argument checks: the error to reject with, or `undefined`
 * once a new (or changed) array of interceptors passed.
 */
function checkArguments(
  fn: string,
  ctx: unknown,
  interceptors: readonly unknown[] | undefined,
): TypeError | undefined {
  if (typeof ctx !== 'object' || ctx === null) {
    return new TypeError(`${fn}(ctx): the context must be an object, got ${describe(ctx)}`);
  }
  if (isThenable(ctx)) {
    // A promise could never resolve to it, and `run`'s caller could not tell it from one.
    return new TypeError(`${fn}(ctx): the context must not be a thenable (it has a then method)`);
  }
  if (interceptors === undefined) return undefined;
  if (!Array.isArray(interceptors)) {
    return new TypeError(
      `${fn}(ctx, interceptors): interceptors must be an array, got ${describe(interceptors)}`,
    );
  }
  // A server runs the same arrays for every request: check each array once (at
  // a given length) rather than each interceptor on every call.
  if (validated.get(interceptors) !== interceptors.length) {
    try {
      assertInterceptors(`${fn}(ctx, interceptors)`, interceptors);
    } catch (e) {
      return e as TypeError;
    }
    validated.set(interceptors, interceptors.length);
  }
  lastChecked = interceptors;
  lastCheckedLength = interceptors.length;
  return undefined;
}

/** The state for a context that has (or had) one: a template, an outer chain, or a finished one. */
function start(
  ctx: Ctx,
  previous: ChainState,
  interceptors: readonly Interceptor[] | undefined,
): ChainState {
  const s = new ChainState(ENTER, ++lastExecutionId);
  if (previous.phase === PENDING) {
    // What enqueue/terminateWhen/addObserver set up before: a template, left
    // as it is so that other copies of the context can run it too.
    s.queue = previous.queue;
    s.end = previous.end;
    s.terminators = previous.terminators;
    s.observers = previous.observers;
    s.slow = previous.slow;
    s.plain = !previous.slow && previous.terminators === undefined;
  } else if (previous.phase !== DONE) {
    s.outer = previous;
    s.input = ctx;
  }
  if (interceptors !== undefined) s.append(interceptors);
  // Only withError puts an error on a context, and it leaves a state there too:
  // a context that had none cannot carry an error.
  const error = ctx[ERROR];
  if (error !== undefined && !InterceptorError.isError(error)) {
    // withError before execute: an error nobody raised in this chain.
    ctx[ERROR] = new InterceptorError(
      'CONTEXT_CARRIED_ERROR',
      `The context carried an error: ${describe(error)}`,
      { interceptor: undefined, stage: 'enter', executionId: s.id, cause: error },
    );
  }
  if (error !== undefined) {
    s.end = 0;
    s.phase = LEAVE;
  }
  return s;
}
