// The runner, after Pedestal's chain.clj: one loop enters, one loop leaves, and an
// error is a mode of the leave loop (a context carrying an error is offered to
// `error` stages instead of `leave` stages). All state is in a ChainState that the
// context references, plus the error, which the context carries itself.
//
// The loops call every stage synchronously. Only when a stage returns a thenable
// does `loop` return SUSPENDED, and `drive` awaits that one result and re-enters
// the loops; so an all-synchronous chain costs no promise and no microtask per
// stage (see SPEC.md, "@plinth/interceptor"), and `run` none at all.
//
// One piece because the enter loop, the leave loop and the error mode share the
// same few private helpers (wrap, failed, completed, observe) and must agree on
// every state transition; split, each would need the others' internals.
import { InterceptorError } from '../errors';
import type { Interceptor, ObserverEvent, Stage } from '../types';
import { CHAIN, type ChainState, type Ctx, DONE, ENTER, ERROR, LEAVE } from './state';
import { describe, isThenable, messageOf } from './values';

/** @internal Returned by `loop` when a stage returned a thenable. */
export const SUSPENDED: unique symbol = Symbol('suspended') as never;

const NO_SUPPRESSED: readonly unknown[] = [];

function label(i: Interceptor, s: ChainState, stage: Stage): string {
  if (i.name !== undefined) return `Interceptor "${i.name}"`;
  // Entering: index counts the entered ones; leaving: it is the position.
  const position = stage === 'enter' ? s.index - 1 : s.index;
  return `Anonymous interceptor at position ${position}`;
}

function wrap(
  s: ChainState,
  i: Interceptor,
  stage: Stage,
  cause: unknown,
  suppressed: readonly unknown[] = NO_SUPPRESSED,
): InterceptorError {
  return new InterceptorError(
    'STAGE_FAILED',
    `${label(i, s, stage)} failed in ${stage}: ${messageOf(cause)}`,
    { interceptor: i.name, stage, executionId: s.id, cause, suppressed },
  );
}

function notReturned(stage: Stage, value: unknown): TypeError {
  return new TypeError(
    `${stage} returned ${describe(value)}; a stage must return the context object (or a promise of it)`,
  );
}

/** Drops the rest of the queue and switches to unwinding. */
function unwind(s: ChainState): void {
  s.end = s.index;
  s.phase = LEAVE;
}

/** An `enter` or `leave` threw (or failed in another way): `ctx` carries the error. */
function failed(s: ChainState, i: Interceptor, stage: Stage, ctx: Ctx, thrown: unknown): Ctx {
  ctx[ERROR] = wrap(s, i, stage, thrown);
  if (stage === 'enter') unwind(s);
  return ctx;
}

/** An `error` stage threw: the same error declines, another one replaces it. */
function errorFailed(
  s: ChainState,
  i: Interceptor,
  ctx: Ctx,
  current: InterceptorError,
  thrown: unknown,
): Ctx {
  ctx[ERROR] =
    thrown === current || thrown === current.cause
      ? current
      : wrap(s, i, 'error', thrown, [...current.suppressed, current]);
  return ctx;
}

function observe(s: ChainState, i: Interceptor, stage: Stage, ctxIn: Ctx, ctxOut: Ctx): unknown {
  const event: ObserverEvent = {
    executionId: s.id,
    stage,
    interceptor: i.name,
    contextIn: ctxIn,
    contextOut: ctxOut,
  };
  try {
    for (const observer of s.observers!) observer(event);
  } catch (e) {
    return e === undefined ? new TypeError('an observer threw undefined') : e;
  }
  return undefined;
}

/** An `enter` or `leave` returned `r` (not a thenable, or what one resolved to). */
function completed(s: ChainState, i: Interceptor, stage: Stage, ctxIn: Ctx, r: unknown): Ctx {
  if (typeof r !== 'object' || r === null) return failed(s, i, stage, ctxIn, notReturned(stage, r));
  const ctx = r as Ctx;
  // A callback may return a new object that lost the state (or a context a nested
  // execute left its own state on): the chain goes on with its own.
  if (ctx[CHAIN] !== s) ctx[CHAIN] = s;
  if (s.observers !== undefined) {
    const e = observe(s, i, stage, ctxIn, ctx);
    if (e !== undefined) return failed(s, i, stage, ctx, e);
  }
  const error = ctx[ERROR];
  if (error !== undefined) {
    // withError(ctx, e) returned from enter/leave.
    ctx[ERROR] =
      InterceptorError.isError(error) && error.executionId === s.id
        ? error
        : wrap(s, i, stage, error);
    if (stage === 'enter') unwind(s);
    return ctx;
  }
  if (stage === 'enter' && s.terminators !== undefined) return terminators(s, i, ctx);
  return ctx;
}

/** After an enter: stops entering when a terminator says so. */
function terminators(s: ChainState, i: Interceptor, ctx: Ctx): Ctx {
  const list = s.terminators!;
  try {
    for (let k = 0; k < list.length; k++) {
      if (list[k]!(ctx)) {
        s.end = s.index;
        break;
      }
    }
  } catch (e) {
    return failed(s, i, 'enter', ctx, e);
  }
  return ctx;
}

/** An `error` stage returned `r`: without an error it handled it, with one it declined. */
function errorCompleted(
  s: ChainState,
  i: Interceptor,
  ctxIn: Ctx,
  r: unknown,
  current: InterceptorError,
): Ctx {
  if (typeof r !== 'object' || r === null) {
    return errorFailed(s, i, ctxIn, current, notReturned('error', r));
  }
  const ctx = r as Ctx;
  if (ctx[CHAIN] !== s) ctx[CHAIN] = s;
  if (s.observers !== undefined) {
    const e = observe(s, i, 'error', ctxIn, ctx);
    if (e !== undefined) return errorFailed(s, i, ctx, current, e);
  }
  const error = ctx[ERROR];
  if (error === undefined) return ctx;
  ctx[ERROR] =
    error === current || error === current.cause
      ? current
      : wrap(s, i, 'error', error, [...current.suppressed, current]);
  return ctx;
}

function suspend(
  s: ChainState,
  i: Interceptor,
  stage: Stage,
  ctx: Ctx,
  pending: PromiseLike<unknown>,
  error?: unknown,
): typeof SUSPENDED {
  // One record per execution, reused by every asynchronous stage.
  const p = s.pending;
  if (p === undefined) {
    s.pending = { result: pending, interceptor: i, stage, context: ctx, error };
  } else {
    p.result = pending;
    p.interceptor = i;
    p.stage = stage;
    p.context = ctx;
    p.error = error;
  }
  return SUSPENDED;
}

/**
 * After an `enter` or `leave` that did not take the fast path (it returned another
 * object, or the chain needs the full checks): applies the result and tells
 * whether the chain may take the fast path again.
 */
function settle(
  s: ChainState,
  i: Interceptor,
  stage: 'enter' | 'leave',
  ctx: Ctx,
  r: unknown,
): Ctx {
  if (typeof r === 'object' && r !== null && !s.slow) {
    // Nobody called withError or addObserver: no error on it, nobody to tell. A
    // new object (a spread copy that lost the state) joins the chain.
    if ((r as Ctx)[CHAIN] !== s) (r as Ctx)[CHAIN] = s;
    ctx = r as Ctx;
    if (stage === 'enter' && s.terminators !== undefined) ctx = terminators(s, i, ctx);
  } else {
    ctx = completed(s, i, stage, ctx, r);
  }
  s.plain = !s.slow && s.terminators === undefined;
  return ctx;
}

/**
 * Runs the chain from where `s` stands until it is done (returns the final
 * context) or a stage returned a thenable (returns SUSPENDED).
 * @internal
 */
export function loop(s: ChainState, ctx: Ctx): Ctx | typeof SUSPENDED {
  if (s.phase === ENTER) {
    const out = enterAll(s, ctx);
    if (out === SUSPENDED) return out;
    ctx = out;
    s.phase = LEAVE;
  }
  // Leaving, and unwinding while the context carries an error: each returns when
  // the mode changes (a failure, an error handled), the stack is empty, or a
  // stage returned a thenable.
  while (s.index > 0) {
    const out = ctx[ERROR] === undefined ? leaveAll(s, ctx) : unwindAll(s, ctx);
    if (out === SUSPENDED) return out;
    ctx = out;
  }
  s.phase = DONE;
  return ctx;
}

// The three loops are small functions of their own on purpose: V8 compiles a
// tight loop in a small function into better code than the same loop inside one
// large function with every mode in it (measured: about 1 ns per stage).
//
// The hot path, per stage: one array read, one property read, the call, and one
// check (`r === ctx && s.plain`). The position, the queue and its end live in
// locals; `s.index` is written before each `enter` (terminate reads it) and, while
// leaving, only when something needs it (a failure, a suspension, a result to
// check). Every function that changes the chain (enqueue, terminate,
// terminateWhen, withError, addObserver) clears `s.plain`, which sends the stage
// that called it down the slow path, and that reloads the locals.

/** Enters interceptors until the end of the queue, a failure, or a thenable. */
function enterAll(s: ChainState, ctx: Ctx): Ctx | typeof SUSPENDED {
  let queue = s.queue;
  let end = s.end;
  let k = s.index;
  while (k < end) {
    const i = queue[k++]!;
    s.index = k;
    const f = i.enter;
    if (f === undefined) continue;
    let r: unknown;
    try {
      r = f(ctx);
    } catch (e) {
      return failed(s, i, 'enter', ctx, e);
    }
    // The same context back, and nothing called a chain function: no error on
    // it, no one to tell, the queue as it was. (It cannot be a thenable: no
    // context is, see runChain.)
    if (r === ctx && !s.slow) {
      if (s.plain) continue;
      // No error and no observer either, but terminators to ask (the adapter's
      // terminator is on every request) or a queue enqueue/terminate changed:
      // still no need for the full checks of settle.
      if (s.terminators !== undefined) ctx = terminators(s, i, ctx);
      queue = s.queue;
      end = s.end;
      continue;
    }
    if (typeof r === 'object' && r !== null && isThenable(r)) {
      return suspend(s, i, 'enter', ctx, r);
    }
    ctx = settle(s, i, 'enter', ctx, r);
    // enqueue, terminate, a terminator or a failure may have moved the end.
    queue = s.queue;
    end = s.end;
  }
  return ctx;
}

/** Leaves interceptors until the stack is empty, a failure, or a thenable. */
function leaveAll(s: ChainState, ctx: Ctx): Ctx | typeof SUSPENDED {
  // While leaving, enqueue has no effect and terminate nothing to stop: the
  // interceptors on the stack are queue[0 .. k) of any later copy of the queue.
  const queue = s.queue;
  let k = s.index;
  while (k > 0) {
    const i = queue[--k]!;
    const f = i.leave;
    if (f === undefined) continue;
    let r: unknown;
    try {
      r = f(ctx);
    } catch (e) {
      s.index = k;
      return failed(s, i, 'leave', ctx, e);
    }
    // While leaving, only withError and addObserver (which set s.slow) need the
    // full checks: terminators apply to enter, enqueue and terminate do nothing.
    if (r === ctx && !s.slow) continue;
    s.index = k;
    if (typeof r === 'object' && r !== null && isThenable(r)) {
      return suspend(s, i, 'leave', ctx, r);
    }
    ctx = settle(s, i, 'leave', ctx, r);
    if (ctx[ERROR] !== undefined) return ctx;
  }
  s.index = 0;
  return ctx;
}

/**
 * Offers the error the context carries to `error` stages, outwards, until one
 * handles it, the stack is empty, or a thenable.
 */
function unwindAll(s: ChainState, ctx: Ctx): Ctx | typeof SUSPENDED {
  let error = ctx[ERROR] as InterceptorError;
  while (s.index > 0) {
    const i = s.queue[--s.index]!;
    const f = i.error;
    if (f === undefined) continue;
    const current = error;
    ctx[ERROR] = undefined;
    let r: unknown;
    try {
      r = f(ctx, current);
    } catch (e) {
      ctx = errorFailed(s, i, ctx, current, e);
      error = ctx[ERROR] as InterceptorError;
      continue;
    }
    if (typeof r === 'object' && r !== null && isThenable(r)) {
      return suspend(s, i, 'error', ctx, r, current);
    }
    ctx = errorCompleted(s, i, ctx, r, current);
    s.plain = !s.slow && s.terminators === undefined;
    if (ctx[ERROR] === undefined) return ctx;
    error = ctx[ERROR] as InterceptorError;
  }
  return ctx;
}

/**
 * Continues a suspended chain: awaits the pending stage, applies its result, runs
 * on, and repeats until done.
 * @internal
 */
export async function drive(s: ChainState): Promise<Ctx> {
  for (;;) {
    const p = s.pending!;
    const { result: pending, interceptor: i, stage, error } = p;
    const ctxIn = p.context!;
    const current = error as InterceptorError;
    // While waiting, the record holds nothing (the locals do).
    p.result = p.context = p.error = undefined;
    let ok = true;
    let r: unknown;
    try {
      r = await pending!;
    } catch (e) {
      ok = false;
      r = e;
    }
    let ctx: Ctx;
    if (stage === 'error') {
      ctx = ok ? errorCompleted(s, i, ctxIn, r, current) : errorFailed(s, i, ctxIn, current, r);
    } else {
      ctx = ok ? completed(s, i, stage, ctxIn, r) : failed(s, i, stage, ctxIn, r);
    }
    const out = loop(s, ctx);
    if (out !== SUSPENDED) return finish(s, out);
  }
}

/**
 * Ends an execution: restores an outer chain's state (nested `execute`), and
 * throws the error when no interceptor handled it.
 * @internal
 */
export function finish(s: ChainState, ctx: Ctx): Ctx {
  const outer = s.outer;
  if (outer !== undefined) {
    ctx[CHAIN] = outer;
    if (s.input !== ctx) s.input![CHAIN] = outer;
    s.input = undefined;
  }
  const error = ctx[ERROR];
  if (error !== undefined) {
    // The caller may catch and go on with this context (a nested execute).
    ctx[ERROR] = undefined;
    throw error;
  }
  return ctx;
}
