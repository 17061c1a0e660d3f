// What `run` adds to `execute`: no promise at all when every stage completed
// synchronously, a promise as soon as one stage returned one. The chain semantics
// themselves run through both entry points in the Pedestal, context and property
// suites (test/support.ts, ENTRY_POINTS).
import { describe, expect, it } from 'vitest';
import {
  catcher,
  fresh,
  later,
  promisesCreatedBy,
  rejection,
  type TraceCtx,
  thrower,
  tracer,
} from '../test/support';
import { InterceptorError } from './errors';
import { execute } from './execute';
import { interceptor } from './interceptor';
import { run } from './run';
import type { Interceptor } from './types';

const ORDER = ['enter a', 'enter b', 'enter c', 'leave c', 'leave b', 'leave a'];
const steps = (ctx: TraceCtx): string[] => ctx.trace.map((e) => e.join(' '));

/** Records a step by mutating the context, and returns it. */
function note(ctx: TraceCtx, ...entry: string[]): TraceCtx {
  (ctx.trace as unknown[]).push(entry);
  return ctx;
}

/** Calls `run` while counting the promises it creates. */
function runCounting<C extends object>(
  ctx: C,
  chain: readonly Interceptor<C>[],
): { out: C | Promise<C>; promises: number } {
  let out: C | Promise<C> | undefined;
  const promises = promisesCreatedBy(() => {
    out = run(ctx, chain);
  });
  return { out: out!, promises };
}

describe('run: all stages synchronous', () => {
  it('returns the context itself, creating no promise', () => {
    const ctx = fresh();
    const chain = [tracer('a', 'sync', 'mutate'), tracer('b', 'sync', 'mutate')];
    const { out, promises } = runCounting(ctx, chain);
    expect(out).toBe(ctx);
    expect(out).not.toBeInstanceOf(Promise);
    expect(promises).toBe(0);
    expect(steps(out as TraceCtx)).toEqual(['enter a', 'enter b', 'leave b', 'leave a']);
  });

  it('returns the last spread copy when stages copy the context', () => {
    const chain = [tracer('a'), tracer('b'), tracer('c')];
    const { out, promises } = runCounting(fresh(), chain);
    expect(promises).toBe(0);
    expect(out).not.toBeInstanceOf(Promise);
    expect(steps(out as TraceCtx)).toEqual(ORDER);
  });

  it('returns the context for an empty chain and a long one alike', () => {
    const counter = (k: number): Interceptor<{ n: number }> =>
      interceptor({
        name: `c${k}`,
        enter: (ctx) => {
          ctx.n += k;
          return ctx;
        },
      });
    const long = Array.from({ length: 500 }, (_, k) => counter(k));
    for (const chain of [[], long]) {
      const ctx = { n: 0 };
      const { out, promises } = runCounting(ctx, chain);
      expect(out).toBe(ctx);
      expect(promises).toBe(0);
    }
    expect(run({ n: 0 }, long)).toEqual(expect.objectContaining({ n: (500 * 499) / 2 }));
  });

  it('returns the context when an error stage handled a synchronous failure', () => {
    const { out, promises } = runCounting(fresh(), [catcher('a'), tracer('b'), thrower('c')]);
    expect(promises).toBe(0);
    expect(out).not.toBeInstanceOf(Promise);
    expect(steps(out as TraceCtx)).toEqual(['enter a', 'enter b', 'error a from c c threw']);
  });

  it('a nested run in a synchronous stage returns synchronously and the outer chain goes on', () => {
    const nest = interceptor<TraceCtx>({
      name: 'nest',
      enter: (ctx) => run(ctx, [tracer('x'), tracer('y')]) as TraceCtx,
    });
    const { out, promises } = runCounting(fresh(), [tracer('a'), nest, tracer('b')]);
    expect(promises).toBe(0);
    expect(steps(out as TraceCtx)).toEqual([
      'enter a',
      'enter x',
      'enter y',
      'leave y',
      'leave x',
      'enter b',
      'leave b',
      'leave a',
    ]);
  });
});

describe('run: failures come back as a rejected promise, never thrown', () => {
  it('an unhandled synchronous failure: one rejected promise, the same error as execute', async () => {
    const chain = [tracer('a'), thrower('b')];
    let out: unknown;
    expect(() => {
      out = run(fresh(), chain);
    }).not.toThrow();
    expect(out).toBeInstanceOf(Promise);
    const counted = runCounting(fresh(), chain);
    expect(counted.promises).toBe(1);
    await rejection(counted.out);
    const fromRun = await rejection(out);
    const fromExecute = await rejection(execute(fresh(), chain));
    for (const error of [fromRun, fromExecute]) {
      expect(InterceptorError.isError(error)).toBe(true);
      expect([error.interceptor, error.stage, (error.cause as Error).message]).toEqual([
        'b',
        'enter',
        'b threw',
      ]);
    }
    expect(fromRun.message).toBe(fromExecute.message);
    expect(fromRun.executionId).not.toBe(fromExecute.executionId);
  });

  it('bad arguments: a rejected promise with a TypeError naming run', async () => {
    for (const [ctx, chain, message] of [
      [null, [], /^run\(ctx\): the context must be an object, got null/],
      [{}, 'x', /^run\(ctx, interceptors\): interceptors must be an array, got "x"/],
      [{}, [{}], /^run\(ctx, interceptors\): interceptor at position 0 is not valid/],
    ] as const) {
      let out: unknown;
      expect(() => {
        out = run(ctx as never, chain as never);
      }).not.toThrow();
      expect(out).toBeInstanceOf(Promise);
      await expect(out).rejects.toThrow(TypeError);
      await expect(out).rejects.toThrow(message);
    }
  });
});

describe('run: the switch to a promise', () => {
  it('returns a promise when one enter is asynchronous, after running the stages before it', async () => {
    const ctx = fresh();
    const asyncB = interceptor<TraceCtx>({
      name: 'b',
      enter: (c) => {
        return later(note(c, 'enter', 'b'));
      },
      leave: (c) => note(c, 'leave', 'b'),
    });
    const out = run(ctx, [tracer('a', 'sync', 'mutate'), asyncB, tracer('c', 'sync', 'mutate')]);
    expect(out).toBeInstanceOf(Promise);
    // Synchronously: a and b entered, c waits for b's promise.
    expect(steps(ctx)).toEqual(['enter a', 'enter b']);
    expect(await out).toBe(ctx);
    expect(steps(ctx)).toEqual(ORDER);
  });

  it('returns a promise when only a leave is asynchronous (every enter ran already)', async () => {
    const ctx = fresh();
    const asyncLeave = interceptor<TraceCtx>({
      name: 'a',
      enter: (c) => note(c, 'enter', 'a'),
      leave: (c) => {
        return Promise.resolve(note(c, 'leave', 'a'));
      },
    });
    const out = run(ctx, [
      asyncLeave,
      tracer('b', 'sync', 'mutate'),
      tracer('c', 'sync', 'mutate'),
    ]);
    expect(out).toBeInstanceOf(Promise);
    expect(steps(ctx)).toEqual(ORDER);
    expect(await out).toBe(ctx);
  });

  it('an asynchronous error stage makes a failing chain return a promise of the handled context', async () => {
    const out = run(fresh(), [catcher('a', 'async'), thrower('b')]);
    expect(out).toBeInstanceOf(Promise);
    expect(steps(await out)).toEqual(['enter a', 'error a from b b threw']);
  });

  it('a rejected stage rejects the promise with the InterceptorError', async () => {
    const out = run(fresh(), [tracer('a'), thrower('b', 'async')]);
    expect(out).toBeInstanceOf(Promise);
    const error = await rejection(out);
    expect([error.interceptor, error.stage]).toEqual(['b', 'enter']);
  });

  it('returns a native promise, whatever thenable a stage returned', async () => {
    // Not a promise: a bare thenable, as some libraries return.
    const thenable = Object.defineProperty({}, 'then', {
      value: (resolve: (ctx: TraceCtx) => void) => resolve({ trace: [['thenable']] }),
    });
    const odd = interceptor<TraceCtx>({ name: 'odd', enter: () => thenable as never });
    const out = run(fresh(), [odd]);
    expect(out).toBeInstanceOf(Promise);
    expect(steps(await out)).toEqual(['thenable']);
  });
});
