import { describe, expect, it } from 'vitest';
import {
  ENTRY_POINTS,
  fresh,
  later,
  promisesCreatedBy,
  record,
  rejection,
  type TraceCtx,
  tracer,
} from '../test/support';
import { enqueue } from './context';
import { execute } from './execute';
import { interceptor } from './interceptor';
import type { Interceptor } from './types';

describe('execute: the synchronous path', () => {
  const counter = (k: number): Interceptor<{ n: number; seen: number[] }> =>
    interceptor({
      name: `c${k}`,
      enter: (ctx) => {
        ctx.n++;
        return ctx;
      },
      leave: (ctx) => {
        ctx.seen.push(k);
        return ctx;
      },
    });
  const chain = Array.from({ length: 200 }, (_, k) => counter(k));

  it('runs every stage of an all-synchronous chain before it returns', async () => {
    const ctx = { n: 0, seen: [] as number[] };
    const promise = execute(ctx, chain);
    // Nothing awaited yet: all 400 stages already ran.
    expect(ctx.n).toBe(200);
    expect(ctx.seen).toHaveLength(200);
    expect(await promise).toBe(ctx);
  });

  it('creates one promise per execution, not one per stage', () => {
    let promise: Promise<unknown> | undefined;
    const created = promisesCreatedBy(() => {
      promise = execute({ n: 0, seen: [] }, chain);
    });
    expect(promise).toBeInstanceOf(Promise);
    expect(created).toBe(1);
    // Failing synchronously too: the InterceptorError, then one rejected promise.
    const failing = [
      ...chain,
      interceptor({
        enter: () => {
          throw new Error('x');
        },
      }),
    ];
    let rejected: Promise<unknown> | undefined;
    expect(
      promisesCreatedBy(() => {
        rejected = execute({ n: 0, seen: [] }, failing);
      }),
    ).toBe(1);
    return expect(rejected).rejects.toThrow(/failed in enter: x/);
  });

  it('goes back to running synchronously after an asynchronous stage', async () => {
    const ctx = { n: 0, seen: [] as number[] };
    const asyncOne = interceptor<typeof ctx>({ name: 'async', enter: (c) => later(c) });
    let microtasks = 0;
    let counting = true;
    const tick = (): void => {
      if (!counting) return;
      microtasks++;
      queueMicrotask(tick);
    };
    const promise = execute(ctx, [asyncOne, ...chain]);
    expect(ctx.n).toBe(0);
    await later(null);
    queueMicrotask(tick);
    await promise;
    counting = false;
    expect(ctx.n).toBe(200);
    // 400 stages after the asynchronous one took a handful of microtasks, not hundreds.
    expect(microtasks).toBeLessThan(20);
  });
});

describe.each(ENTRY_POINTS)('%s', (entry, exec) => {
  describe('contexts', () => {
    it('resolves with the same object when every stage mutates and returns it', async () => {
      const ctx = fresh();
      const out = await exec(ctx, [tracer('a', 'sync', 'mutate'), tracer('b', 'async', 'mutate')]);
      expect(out).toBe(ctx);
      expect(ctx.trace.length).toBe(4);
    });

    it('keeps the chain going when a stage returns a fresh object without the chain state', async () => {
      const rebuild = interceptor<TraceCtx>({
        name: 'rebuild',
        enter: (ctx) => ({ trace: [...ctx.trace, ['enter', 'rebuild']] }),
      });
      const out = await exec(fresh(), [tracer('a'), rebuild, tracer('b')]);
      expect(out.trace.map((e) => e.join(' '))).toEqual([
        'enter a',
        'enter rebuild',
        'enter b',
        'leave b',
        'leave a',
      ]);
    });

    it.each([
      ['undefined', undefined],
      ['null', null],
      ['a number', 3],
      ['a string', 'ctx'],
    ])('fails naming interceptor and stage when a stage returns %s', async (_label, value) => {
      for (const stage of ['enter', 'leave'] as const) {
        const bad = interceptor({ name: 'bad', [stage]: () => value });
        for (const wrapped of [bad, interceptor({ name: 'bad', [stage]: async () => value })]) {
          const error = await rejection(exec({}, [wrapped]));
          expect([error.interceptor, error.stage]).toEqual(['bad', stage]);
          expect(error.cause).toBeInstanceOf(TypeError);
          expect(error.message).toMatch(
            new RegExp(
              `^Interceptor "bad" failed in ${stage}: ${stage} returned .*must return the context`,
            ),
          );
        }
      }
    });

    it('an error stage returning a non-object replaces the error', async () => {
      const bad = interceptor({ name: 'bad', error: () => undefined as never });
      const thrower = interceptor({
        name: 't',
        enter: () => {
          throw new Error('t');
        },
      });
      const error = await rejection(exec({}, [bad, thrower]));
      expect([error.interceptor, error.stage, error.suppressed.length]).toEqual([
        'bad',
        'error',
        1,
      ]);
    });

    it('names an anonymous interceptor by its position', async () => {
      const anon = interceptor({
        enter: () => {
          throw new Error('x');
        },
      });
      const error = await rejection(exec(fresh(), [tracer('a'), anon as Interceptor<TraceCtx>]));
      expect(error.interceptor).toBeUndefined();
      expect(error.message).toMatch(/^Anonymous interceptor at position 1 failed in enter: x/);
    });

    it('wraps thrown non-errors and keeps them as the cause', async () => {
      for (const thrown of [undefined, 'text', 42, { code: 1 }]) {
        const t = interceptor({
          name: 't',
          enter: () => {
            throw thrown;
          },
        });
        const error = await rejection(exec({}, [t]));
        expect(error.cause).toBe(thrown);
      }
    });

    it('accepts plain interceptor objects, not built with interceptor()', async () => {
      const out = await exec({ n: 1 }, [{ enter: (ctx) => ({ ...ctx, n: ctx.n + 1 }) }]);
      expect(out.n).toBe(2);
    });

    it('rejects a thenable context (no promise could resolve to it)', async () => {
      const thenable = Object.defineProperty({}, 'then', { value: () => {}, enumerable: true });
      await expect(exec(thenable, [])).rejects.toThrow(/must not be a thenable/);
    });

    it('checks an array again when its length changed', async () => {
      const list: Interceptor[] = [tracer('a')];
      await exec(fresh(), list);
      list.push(null as never);
      await expect(exec(fresh(), list)).rejects.toThrow(/position 1 is not valid: .*got null/);
    });

    it('rejects bad arguments with a TypeError naming the value and the function', async () => {
      await expect(exec(null as never)).rejects.toThrow(
        new RegExp(`^${entry}\\(ctx\\): the context must be an object, got null`),
      );
      await expect(exec({}, 'x' as never)).rejects.toThrow(
        new RegExp(`^${entry}\\(ctx, interceptors\\): interceptors must be an array, got "x"`),
      );
      await expect(exec({}, [tracer('a') as Interceptor, 5 as never])).rejects.toThrow(
        /position 1 is not valid: .*got number 5/,
      );
    });
  });

  describe('nested', () => {
    it('runs a nested chain on the running context and gives it back to the outer chain', async () => {
      const nest = interceptor<TraceCtx>({
        name: 'nest',
        enter: async (ctx) => {
          const inner = await exec(record(ctx, 'enter', 'nest'), [tracer('x'), tracer('y')]);
          // The outer chain's state is back: this enqueues into the outer chain.
          return enqueue(inner, tracer('b'));
        },
      });
      const out = await exec(fresh(), [tracer('a'), nest]);
      expect(out.trace.map((e) => e.join(' '))).toEqual([
        'enter a',
        'enter nest',
        'enter x',
        'enter y',
        'leave y',
        'leave x',
        'enter b',
        'leave b',
        'leave a',
      ]);
    });

    it('a nested chain that fails leaves the context usable by the outer one', async () => {
      const ctx0 = fresh();
      const nest = interceptor<TraceCtx>({
        name: 'nest',
        enter: async (ctx) => {
          try {
            await exec(ctx, [
              interceptor({
                enter: () => {
                  throw new Error('inner');
                },
              }),
            ]);
          } catch {
            return record(ctx, 'caught');
          }
          return ctx;
        },
      });
      const out = await exec(ctx0, [nest, tracer('b')]);
      expect(out.trace.map((e) => e.join(' '))).toEqual(['caught', 'enter b', 'leave b']);
    });
  });
});
