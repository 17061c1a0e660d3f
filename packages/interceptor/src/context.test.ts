import { describe, expect, it } from 'vitest';
import { ENTRY_POINTS, fresh, record, rejection, type TraceCtx, tracer } from '../test/support';
import { addObserver, enqueue, pendingStage, terminate, terminateWhen, withError } from './context';
import { execute } from './execute';
import { interceptor } from './interceptor';
import { run } from './run';

describe.each(ENTRY_POINTS)('through %s', (_entry, exec) => {
  describe('enqueue', () => {
    it.each([
      [null, /position 0 .*got null/],
      [undefined, /position 0 .*got undefined/],
      [{}, /position 0 .*has no stage/],
      [{ enter: 1 }, /position 0 .*enter must be a function, got number 1/],
      [() => ({}), /position 0 .*got function/],
    ])('rejects %o with a TypeError naming the value', (bad, message) => {
      const ctx = fresh();
      expect(() => enqueue(ctx, bad as never)).toThrow(TypeError);
      expect(() => enqueue(ctx, bad as never)).toThrow(message);
    });

    it('adds nothing when one of the interceptors is bad', async () => {
      const ctx = fresh();
      expect(() => enqueue(ctx, tracer('a'), null as never)).toThrow(/position 1/);
      expect((await exec(ctx, [tracer('b')])).trace).toEqual([
        ['enter', 'b'],
        ['leave', 'b'],
      ]);
    });

    it('from inside a chain, a bad interceptor fails that stage', async () => {
      const bad = interceptor<TraceCtx>({
        name: 'bad',
        enter: (ctx) => enqueue(ctx, null as never),
      });
      const error = await rejection(exec(fresh(), [bad]));
      expect([error.interceptor, error.stage]).toEqual(['bad', 'enter']);
      expect(error.cause).toBeInstanceOf(TypeError);
      expect(error.message).toMatch(/got null/);
    });

    it('does not change the array given to execute', async () => {
      const list = [
        interceptor<TraceCtx>({ name: 'a', enter: (ctx) => enqueue(ctx, tracer('b')) }),
      ];
      const out = await exec(fresh(), list);
      expect(out.trace).toEqual([
        ['enter', 'b'],
        ['leave', 'b'],
      ]);
      expect(list).toHaveLength(1);
    });

    it('is ignored while leaving (as in Pedestal)', async () => {
      const late = interceptor<TraceCtx>({
        name: 'late',
        leave: (ctx) => enqueue(ctx, tracer('x')),
      });
      expect((await exec(fresh(), [late, tracer('a')])).trace).toEqual([
        ['enter', 'a'],
        ['leave', 'a'],
      ]);
    });

    it('set up before execute is a template that copies of the context can each run', async () => {
      const base = enqueue(fresh(), tracer('a'));
      const [one, two] = await Promise.all([
        exec({ ...base, n: 1 }, [tracer('b')]),
        exec({ ...base, n: 2 }),
      ]);
      expect(one.trace.map((e) => e[1])).toEqual(['a', 'b', 'b', 'a']);
      expect(two.trace.map((e) => e[1])).toEqual(['a', 'a']);
      // A finished context starts afresh.
      expect((await exec(one, [tracer('c')])).trace.slice(4)).toEqual([
        ['enter', 'c'],
        ['leave', 'c'],
      ]);
    });
  });

  describe('terminate', () => {
    it('stops entering; the leaves of entered interceptors run', async () => {
      const stop = interceptor<TraceCtx>({
        name: 's',
        enter: (ctx) => terminate(record(ctx, 'enter', 's')),
        leave: (ctx) => record(ctx, 'leave', 's'),
      });
      expect((await exec(fresh(), [tracer('a'), stop, tracer('b')])).trace).toEqual([
        ['enter', 'a'],
        ['enter', 's'],
        ['leave', 's'],
        ['leave', 'a'],
      ]);
    });

    it('then enqueue queues again', async () => {
      const stop = interceptor<TraceCtx>({
        name: 's',
        enter: (ctx) => enqueue(terminate(ctx), tracer('c')),
      });
      const out = await exec(fresh(), [stop, tracer('b')]);
      expect(out.trace.map((e) => e.join(' '))).toEqual(['enter c', 'leave c']);
    });
  });

  describe('terminateWhen', () => {
    it('rejects a predicate that is not a function', () => {
      expect(() => terminateWhen(fresh(), 'yes' as never)).toThrow(
        /predicate must be a function, got "yes"/,
      );
    });

    it('a predicate that throws fails the enter it ran after', async () => {
      const ctx = terminateWhen(fresh(), () => {
        throw new Error('bad predicate');
      });
      const error = await rejection(exec(ctx, [tracer('a')]));
      expect([error.interceptor, error.stage, (error.cause as Error).message]).toEqual([
        'a',
        'enter',
        'bad predicate',
      ]);
      expect(error.code).toBe('STAGE_FAILED');
    });
  });

  describe('withError', () => {
    it('returned from enter unwinds as if it threw, offering the error to its own error stage', async () => {
      const cause = { code: 'E_TEST' };
      const failing = interceptor<TraceCtx>({
        name: 'w',
        enter: (ctx) => withError(ctx, cause),
        error: (ctx, error) => record(ctx, 'error', 'w', error.stage, error.cause === cause),
      });
      const out = await exec(fresh(), [tracer('a'), failing, tracer('b')]);
      expect(out.trace).toEqual([
        ['enter', 'a'],
        ['error', 'w', 'enter', true],
        ['leave', 'a'],
      ]);
    });

    it('returned from leave unwinds from the next outer interceptor', async () => {
      const failing = interceptor<TraceCtx>({ name: 'w', leave: (ctx) => withError(ctx, 'nope') });
      const error = await rejection(exec(fresh(), [tracer('a'), failing]));
      expect([error.interceptor, error.stage, error.cause]).toEqual(['w', 'leave', 'nope']);
      expect(error.code).toBe('STAGE_FAILED');
    });

    it('before execute, fails the execution at once', async () => {
      const error = await rejection(exec(withError(fresh(), 'early'), [tracer('a')]));
      expect([error.interceptor, error.stage, error.cause]).toEqual([undefined, 'enter', 'early']);
      expect(error.code).toBe('CONTEXT_CARRIED_ERROR');
    });

    it('rejects null and undefined', () => {
      expect(() => withError(fresh(), undefined)).toThrow(/error must be a value, got undefined/);
      expect(() => withError(fresh(), null)).toThrow(/got null/);
    });

    it('with a different error from error replaces it (suppressing the old)', async () => {
      const swap = interceptor<TraceCtx>({ name: 's', error: (ctx) => withError(ctx, 'other') });
      const thrower = interceptor<TraceCtx>({
        name: 't',
        enter: () => {
          throw new Error('first');
        },
      });
      const error = await rejection(exec(fresh(), [swap, thrower]));
      expect([error.interceptor, error.stage, error.cause]).toEqual(['s', 'error', 'other']);
      expect(error.code).toBe('STAGE_FAILED');
      expect(error.suppressed.map((e) => (e as { interceptor: string }).interceptor)).toEqual([
        't',
      ]);
    });
  });

  describe('addObserver', () => {
    it('rejects an observer that is not a function', () => {
      expect(() => addObserver(fresh(), null as never)).toThrow(
        /observer must be a function, got null/,
      );
    });

    it('an observer that throws fails the stage it observed', async () => {
      const ctx = addObserver(fresh(), (e) => {
        if (e.interceptor === 'b') throw new Error('observer broke');
      });
      const error = await rejection(exec(ctx, [tracer('a'), tracer('b')]));
      expect([error.interceptor, error.stage, (error.cause as Error).message]).toEqual([
        'b',
        'enter',
        'observer broke',
      ]);
      expect(error.code).toBe('STAGE_FAILED');
    });

    it('several observers all see every stage', async () => {
      const seen: string[] = [];
      const ctx = addObserver(
        addObserver(fresh(), (e) => seen.push(`1 ${e.interceptor} ${e.stage}`)),
        (e) => seen.push(`2 ${e.interceptor} ${e.stage}`),
      );
      await exec(ctx, [tracer('a')]);
      expect(seen).toEqual(['1 a enter', '2 a enter', '1 a leave', '2 a leave']);
    });
  });
});

describe('bad arguments', () => {
  it.each([
    ['enqueue', () => enqueue(null as never)],
    ['terminate', () => terminate(1 as never)],
    ['terminateWhen', () => terminateWhen('x' as never, () => true)],
    ['withError', () => withError(undefined as never, 1)],
    ['addObserver', () => addObserver(null as never, () => {})],
  ])('%s names a context that is not an object', (name, call) => {
    expect(call).toThrow(new RegExp(`^${name}\\(ctx.*the context must be an object, got`));
  });
});

describe('pendingStage', () => {
  it('names the interceptor and stage a suspended chain waits for, then nothing once it finished', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const ctx: Record<string, unknown> = {};
    const slow = interceptor({
      name: 'slow-leave',
      leave: async (c) => {
        await gate;
        return c;
      },
    });
    const done = execute(ctx, [slow, { name: 'sync', enter: (c: object) => c }]);
    expect(pendingStage(ctx)).toEqual({ interceptor: 'slow-leave', stage: 'leave' });
    release();
    await done;
    expect(pendingStage(ctx)).toBeUndefined();
  });

  it('is undefined for a context no chain ran on, a synchronous chain, and a non-object', () => {
    expect(pendingStage({})).toBeUndefined();
    const ctx = run({}, [{ name: 'sync', enter: (c: object) => c }]);
    expect(ctx).not.toBeInstanceOf(Promise);
    expect(pendingStage(ctx as object)).toBeUndefined();
    expect(pendingStage(null as never)).toBeUndefined();
  });

  it('reports an anonymous interceptor as undefined', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const ctx = {};
    const done = execute(ctx, [
      {
        enter: async (c: object) => {
          await gate;
          return c;
        },
      },
    ]);
    expect(pendingStage(ctx)).toEqual({ interceptor: undefined, stage: 'enter' });
    release();
    await done;
  });
});
