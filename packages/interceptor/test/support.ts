// Test helpers: interceptors that record what ran in the context, in the style of
// Pedestal's interceptor tests (tracer, thrower, catcher).
import { createHook } from 'node:async_hooks';
import { execute, type Interceptor, InterceptorError, interceptor, run } from '../src/index';

export type Mode = 'sync' | 'async';
export const MODES: readonly Mode[] = ['sync', 'async'];

/** `execute` or `run`: the same chain semantics, only the return differs. */
export type EntryPoint = <C extends object>(
  ctx: C,
  interceptors?: readonly Interceptor<C>[],
) => C | Promise<C>;
/** Both entry points, for `describe.each`: every chain case runs through each. */
export const ENTRY_POINTS: readonly (readonly [string, EntryPoint])[] = [
  ['execute', execute],
  ['run', run],
];

export type Entry = readonly unknown[];
export interface TraceCtx {
  trace: readonly Entry[];
  [key: string]: unknown;
}

export function fresh(): TraceCtx {
  return { trace: [] };
}

/** A value on a later turn of the event loop (a real asynchronous step). */
export function later<T>(value: T): Promise<T> {
  return new Promise((resolve) => setImmediate(() => resolve(value)));
}

/** Fails on a later turn of the event loop. */
export function laterReject(error: unknown): Promise<never> {
  return new Promise((_, reject) => setImmediate(() => reject(error)));
}

export function record(ctx: TraceCtx, ...entry: unknown[]): TraceCtx {
  return { ...ctx, trace: [...ctx.trace, entry] };
}

function step(mode: Mode, f: (ctx: TraceCtx) => TraceCtx) {
  return mode === 'sync' ? f : (ctx: TraceCtx) => later(f(ctx));
}

/** Records its enter and leave (as spread copies, or by mutating the context). */
export function tracer(
  name: string,
  mode: Mode = 'sync',
  style: 'spread' | 'mutate' = 'spread',
): Interceptor<TraceCtx> {
  const note = (stage: string) =>
    style === 'spread'
      ? (ctx: TraceCtx) => record(ctx, stage, name)
      : (ctx: TraceCtx) => {
          (ctx.trace as Entry[]).push([stage, name]);
          return ctx;
        };
  return interceptor<TraceCtx>({
    name,
    enter: step(mode, note('enter')),
    leave: step(mode, note('leave')),
  });
}

/** An interceptor whose enter throws (or rejects) `new Error(`${name} threw`)`. */
export function thrower(name: string, mode: Mode = 'sync'): Interceptor<TraceCtx> {
  const error = () => new Error(`${name} threw`);
  return interceptor<TraceCtx>({
    name,
    enter:
      mode === 'sync'
        ? () => {
            throw error();
          }
        : () => laterReject(error()),
    leave: (ctx) => record(ctx, 'leave', name),
  });
}

/** A traced interceptor whose error stage handles any error and records it. */
export function catcher(name: string, mode: Mode = 'sync'): Interceptor<TraceCtx> {
  const t = tracer(name, mode);
  return interceptor<TraceCtx>({
    ...t,
    error: (ctx, error) => {
      const out = record(ctx, 'error', name, 'from', error.interceptor, messageOf(error.cause));
      return mode === 'sync' ? out : later(out);
    },
  });
}

export function messageOf(e: unknown): unknown {
  return e instanceof Error ? e.message : e;
}

/**
 * Awaits a rejection and returns it as an InterceptorError (fails otherwise). Takes
 * what `run` returns too: a context (then it fails) or a promise.
 */
export async function rejection(promise: unknown): Promise<InterceptorError> {
  try {
    await promise;
  } catch (e) {
    if (InterceptorError.isError(e)) return e;
    throw new Error(`expected an InterceptorError, got ${String(e)}`);
  }
  throw new Error('expected the promise to reject, it resolved');
}

/** Counts the promises created (async_hooks `PROMISE` inits) while `f` runs synchronously. */
export function promisesCreatedBy(f: () => void): number {
  let count = 0;
  const hook = createHook({
    init(_id, type) {
      if (type === 'PROMISE') count++;
    },
  });
  hook.enable();
  try {
    f();
  } finally {
    hook.disable();
  }
  return count;
}
