// The runner, after Pedestal's chain.clj: one loop enters, one loop leaves, and an
// error is a mode of the leave loop (a context carrying an error is offered to
// `error` stages instead of `leave` stages). All state is in a ChainState that the
// context references, plus the error, which the context carries itself.
//
// The loops call every stage synchronously. Only when a stage returns a thenable
// does `loop` return SUSPENDED, and `drive` awaits that one result and re-enters
// the loops; so an all-synchronous chain costs no promise and no microtask per
// stage (see SPEC.md, "@plinth/interceptor"), and `run` none at all.
import { InterceptorError } from '../error';
import type { Interceptor, ObserverEvent, Stage } from '../types';
import { describe, messageOf } from './describe';
import { CHAIN, type ChainState, type Ctx, DONE, ENTER, ERROR, LEAVE } from './state';

/** @internal Returned by `loop` when a stage returned a thenable. */
export const SUSPENDED: unique symbol = Symbol('suspended') as never;

const NO_SUPPRESSED: readonly unknown[] = [];

/** @internal */
export function isThenable(value: object): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown }).then === 'function';
}

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
  return new InterceptorError(`${label(i, s, stage)} failed in ${stage}: ${messageOf(cause)}`, {
    interceptor: i.name,
    stage,
    executionId: s.id,
    cause,
    suppressed,
  });
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
  try {
    for (const terminator of s.terminators!) {
      if (terminator(ctx)) {
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
 * Runs the chain from where `s` stands until it is done (returns the final
 * context) or a stage returned a thenable (returns SUSPENDED).
 * @internal
 */
export function loop(s: ChainState, ctx: Ctx): Ctx | typeof SUSPENDED {
  if (s.phase === ENTER) {
    while (s.index < s.end) {
      const i = s.queue[s.index++]!;
      const f = i.enter;
      if (f === undefined) continue;
      let r: unknown;
      try {
        r = f(ctx);
      } catch (e) {
        ctx = failed(s, i, 'enter', ctx, e);
        break;
      }
      // The common cases inline. Nobody called withError or addObserver, so there
      // is no error on the result and nobody to tell; the same context back cannot
      // be a thenable (no context is, see execute).
      if (r === ctx && s.plain) continue;
      if (typeof r === 'object' && r !== null) {
        if (isThenable(r)) return suspend(s, i, 'enter', ctx, r);
        if (((r as Ctx)[CHAIN] === s || r === ctx) && !s.slow) {
          ctx = r as Ctx;
          if (s.terminators !== undefined) ctx = terminators(s, i, ctx);
          continue;
        }
      }
      ctx = completed(s, i, 'enter', ctx, r);
    }
    s.phase = LEAVE;
  }
  let error = ctx[ERROR];
  while (s.index > 0) {
    const i = s.queue[--s.index]!;
    let r: unknown;
    if (error === undefined) {
      const f = i.leave;
      if (f === undefined) continue;
      try {
        r = f(ctx);
      } catch (e) {
        ctx = failed(s, i, 'leave', ctx, e);
        error = ctx[ERROR];
        continue;
      }
      if (r === ctx && s.plain) continue;
      if (typeof r === 'object' && r !== null) {
        if (isThenable(r)) return suspend(s, i, 'leave', ctx, r);
        if ((r as Ctx)[CHAIN] === s && !s.slow) {
          ctx = r as Ctx;
          continue;
        }
      }
      ctx = completed(s, i, 'leave', ctx, r);
    } else {
      const f = i.error;
      if (f === undefined) continue;
      const current = error as InterceptorError;
      ctx[ERROR] = undefined;
      try {
        r = f(ctx, current);
      } catch (e) {
        ctx = errorFailed(s, i, ctx, current, e);
        error = ctx[ERROR];
        continue;
      }
      if (typeof r === 'object' && r !== null && isThenable(r)) {
        return suspend(s, i, 'error', ctx, r, current);
      }
      ctx = errorCompleted(s, i, ctx, r, current);
    }
    error = ctx[ERROR];
  }
  s.phase = DONE;
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
