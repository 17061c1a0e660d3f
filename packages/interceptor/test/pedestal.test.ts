// Pedestal's interceptor, terminator and observer test cases, ported; each runs
// with synchronous and with asynchronous stages, through `execute` and through `run`.
import { describe, expect, it } from 'vitest';
import {
  addObserver,
  enqueue,
  type Interceptor,
  InterceptorError,
  interceptor,
  type ObserverEvent,
  terminateWhen,
  withError,
} from '../src/index';
import {
  catcher,
  ENTRY_POINTS,
  fresh,
  later,
  laterReject,
  MODES,
  messageOf,
  record,
  rejection,
  type TraceCtx,
  thrower,
  tracer,
} from './support';

const ORDER = [
  ['enter', 'a'],
  ['enter', 'b'],
  ['enter', 'c'],
  ['leave', 'c'],
  ['leave', 'b'],
  ['leave', 'a'],
];

describe.each(ENTRY_POINTS)('%s', (_entry, exec) => {
  describe.each(MODES)('%s stages', (mode) => {
    describe('simple execution', () => {
      it('runs enter in order and leave in reverse (execute after enqueue)', async () => {
        const ctx = enqueue(fresh(), tracer('a', mode), tracer('b', mode), tracer('c', mode));
        expect((await exec(ctx)).trace).toEqual(ORDER);
      });

      it('runs the same with the 2-arity execute', async () => {
        const out = await exec(fresh(), [tracer('a', mode), tracer('b', mode), tracer('c', mode)]);
        expect(out.trace).toEqual(ORDER);
      });

      it('runs what enqueue put first, then the interceptors given to execute', async () => {
        const ctx = enqueue(fresh(), tracer('a', mode));
        const out = await exec(ctx, [tracer('b', mode), tracer('c', mode)]);
        expect(out.trace).toEqual(ORDER);
      });

      it('runs interceptors enqueued by an enter after the queued ones', async () => {
        const adder = interceptor<TraceCtx>({
          name: 'a',
          enter: (ctx) => enqueue(record(ctx, 'enter', 'a'), tracer('c', mode)),
          leave: (ctx) => record(ctx, 'leave', 'a'),
        });
        const out = await exec(fresh(), [adder, tracer('b', mode)]);
        expect(out.trace).toEqual(ORDER);
      });

      it('works with stages that mutate and return the same context', async () => {
        const ctx = fresh();
        const out = await exec(ctx, [
          tracer('a', mode, 'mutate'),
          tracer('b', mode, 'spread'),
          tracer('c', mode, 'mutate'),
        ]);
        expect(out.trace).toEqual(ORDER);
      });
    });

    it('rejects with the InterceptorError when nothing handles an error', async () => {
      const error = await rejection(exec(fresh(), [tracer('a', mode), thrower('b', mode)]));
      expect(error).toBeInstanceOf(InterceptorError);
      expect(error.name).toBe('InterceptorError');
      expect(error.code).toBe('STAGE_FAILED');
      expect(error.interceptor).toBe('b');
      expect(error.stage).toBe('enter');
      expect(error.executionId).toBeGreaterThan(0);
      expect(error.cause).toBeInstanceOf(Error);
      expect(messageOf(error.cause)).toBe('b threw');
      expect(error.suppressed).toEqual([]);
      expect(error.message).toContain('"b"');
      expect(error.message).toContain('enter');
      expect(error.message).toContain('b threw');
    });

    it('catches an error mid-chain: outer leaves resume, skipped ones do not run', async () => {
      // a b c d e f-throws g: c's error sees f's error, then leave b, leave a.
      const out = await exec(fresh(), [
        tracer('a', mode),
        tracer('b', mode),
        catcher('c', mode),
        tracer('d', mode),
        tracer('e', mode),
        thrower('f', mode),
        tracer('g', mode),
      ]);
      expect(out.trace).toEqual([
        ['enter', 'a'],
        ['enter', 'b'],
        ['enter', 'c'],
        ['enter', 'd'],
        ['enter', 'e'],
        ['error', 'c', 'from', 'f', 'f threw'],
        ['leave', 'b'],
        ['leave', 'a'],
      ]);
    });

    it("offers an enter's error to the same interceptor's error stage first", async () => {
      const self = interceptor<TraceCtx>({
        name: 'self',
        enter:
          mode === 'sync'
            ? () => {
                throw new Error('own');
              }
            : () => laterReject(new Error('own')),
        leave: (ctx) => record(ctx, 'leave', 'self'),
        error: (ctx, error) => record(ctx, 'error', 'self', messageOf(error.cause)),
      });
      const out = await exec(fresh(), [tracer('a', mode), self]);
      expect(out.trace).toEqual([
        ['enter', 'a'],
        ['error', 'self', 'own'],
        ['leave', 'a'],
      ]);
    });

    it('runs two asynchronous enters in order', async () => {
      const two = (name: string) =>
        interceptor<TraceCtx>({ name, enter: (ctx) => later(record(ctx, 'enter', name)) });
      const out = await exec(fresh(), [tracer('a', mode), two('b'), two('c'), tracer('d', mode)]);
      expect(out.trace).toEqual([
        ['enter', 'a'],
        ['enter', 'b'],
        ['enter', 'c'],
        ['enter', 'd'],
        ['leave', 'd'],
        ['leave', 'a'],
      ]);
    });

    it('catches an error thrown after an asynchronous enter', async () => {
      const asyncEnter = interceptor<TraceCtx>({
        name: 'b',
        enter: (ctx) => later(record(ctx, 'enter', 'b')),
      });
      const out = await exec(fresh(), [catcher('a', mode), asyncEnter, thrower('c', mode)]);
      expect(out.trace).toEqual([
        ['enter', 'a'],
        ['enter', 'b'],
        ['error', 'a', 'from', 'c', 'c threw'],
      ]);
    });

    it('treats a rejected promise as an error of that interceptor and stage', async () => {
      const rejecting = interceptor<TraceCtx>({
        name: 'r',
        leave: () => laterReject(new Error('late')),
      });
      const out = await exec(fresh(), [catcher('a', mode), tracer('b', mode), rejecting]);
      expect(out.trace).toEqual([
        ['enter', 'a'],
        ['enter', 'b'],
        // r's leave rejected first (it is innermost); b has no error stage.
        ['error', 'a', 'from', 'r', 'late'],
      ]);
      const error = await rejection(exec(fresh(), [tracer('a', mode), rejecting]));
      expect([error.interceptor, error.stage, messageOf(error.cause)]).toEqual([
        'r',
        'leave',
        'late',
      ]);
    });

    it('checks terminators after an asynchronous enter', async () => {
      const responder = interceptor<TraceCtx>({
        name: 'b',
        enter: (ctx) => later({ ...record(ctx, 'enter', 'b'), response: 'ok' }),
        leave: (ctx) => record(ctx, 'leave', 'b'),
      });
      const ctx = terminateWhen(fresh(), (c) => c.response !== undefined);
      const out = await exec(ctx, [tracer('a', mode), responder, tracer('c', mode)]);
      expect(out.response).toBe('ok');
      expect(out.trace).toEqual([
        ['enter', 'a'],
        ['enter', 'b'],
        ['leave', 'b'],
        ['leave', 'a'],
      ]);
    });

    it('checks terminators added by an enter', async () => {
      const adder = interceptor<TraceCtx>({
        name: 'a',
        enter: (ctx) => terminateWhen(record(ctx, 'enter', 'a'), (c) => c.trace.length >= 2),
      });
      const out = await exec(fresh(), [adder, tracer('b', mode), tracer('c', mode)]);
      expect(out.trace).toEqual([
        ['enter', 'a'],
        ['enter', 'b'],
        ['leave', 'b'],
      ]);
    });

    it('does not count rethrowing the same error as a suppression', async () => {
      for (const rethrow of ['error', 'cause'] as const) {
        const rethrower = interceptor<TraceCtx>({
          name: 'b',
          error: (_ctx, error) => {
            throw rethrow === 'error' ? error : error.cause;
          },
        });
        const out = await exec(fresh(), [catcher('a', mode), rethrower, thrower('c', mode)]);
        expect(out.trace).toEqual([
          ['enter', 'a'],
          ['error', 'a', 'from', 'c', 'c threw'],
        ]);
        const error = await rejection(exec(fresh(), [rethrower, thrower('c', mode)]));
        expect([error.interceptor, error.stage, error.suppressed]).toEqual(['c', 'enter', []]);
      }
    });

    it('declines with withError(ctx, error): the error goes on unwinding', async () => {
      let seen: InterceptorError | undefined;
      const decliner = interceptor<TraceCtx>({
        name: 'b',
        error: (ctx, error) => {
          seen = error;
          const out = withError(record(ctx, 'error', 'b'), error);
          return mode === 'sync' ? out : later(out);
        },
      });
      const error = await rejection(exec(fresh(), [decliner, thrower('c', mode)]));
      expect(error).toBe(seen);
      expect(error.suppressed).toEqual([]);
      const out = await exec(fresh(), [catcher('a', mode), decliner, thrower('c', mode)]);
      expect(out.trace).toEqual([
        ['enter', 'a'],
        ['error', 'b'],
        ['error', 'a', 'from', 'c', 'c threw'],
      ]);
    });

    it('replaces the error with a new one thrown in error, and keeps the old as suppressed', async () => {
      const replacer = interceptor<TraceCtx>({
        name: 'b',
        error:
          mode === 'sync'
            ? () => {
                throw new Error('replaced');
              }
            : () => laterReject(new Error('replaced')),
      });
      const error = await rejection(
        exec(fresh(), [tracer('a', mode), replacer, thrower('c', mode)]),
      );
      expect([error.interceptor, error.stage, messageOf(error.cause)]).toEqual([
        'b',
        'error',
        'replaced',
      ]);
      expect(error.suppressed).toHaveLength(1);
      const old = error.suppressed[0] as InterceptorError;
      expect(InterceptorError.isError(old)).toBe(true);
      expect([old.interceptor, old.stage, messageOf(old.cause)]).toEqual(['c', 'enter', 'c threw']);
      expect(error.executionId).toBe(old.executionId);

      // A second replacement keeps both, oldest first.
      const again = interceptor<TraceCtx>({
        name: 'z',
        error: () => {
          throw new Error('again');
        },
      });
      const twice = await rejection(exec(fresh(), [again, replacer, thrower('c', mode)]));
      expect(twice.suppressed.map((e) => (e as InterceptorError).interceptor)).toEqual(['c', 'b']);
    });

    it('tells observers about each stage that ran, with the contexts in and out', async () => {
      const events: ObserverEvent<TraceCtx>[] = [];
      const noError = tracer('d', mode);
      const ctx = addObserver(fresh(), (e) => events.push(e));
      const out = await exec(ctx, [
        tracer('a', mode),
        catcher('b', mode),
        noError,
        thrower('t', mode),
      ]);
      expect(out.trace).toEqual([
        ['enter', 'a'],
        ['enter', 'b'],
        ['enter', 'd'],
        ['error', 'b', 'from', 't', 't threw'],
        ['leave', 'a'],
      ]);
      // Not the thrower, not d (it has no error stage).
      expect(events.map((e) => [e.interceptor, e.stage])).toEqual([
        ['a', 'enter'],
        ['b', 'enter'],
        ['d', 'enter'],
        ['b', 'error'],
        ['a', 'leave'],
      ]);
      for (const e of events) {
        expect(e.executionId).toBe(events[0]!.executionId);
        // Each stage added one trace entry to a spread copy: old and new contexts differ.
        expect(e.contextOut.trace.length).toBe(e.contextIn.trace.length + 1);
        expect(e.contextOut.trace.slice(0, -1)).toEqual(e.contextIn.trace);
      }
      expect(events.at(-1)!.contextOut).toBe(out);
    });
  });

  describe('execution ids', () => {
    it('differ between executions and are the same within one', async () => {
      const ids: number[] = [];
      const spy: Interceptor = { name: 'spy', enter: (ctx) => ctx };
      const observe = (ctx: object) => addObserver(ctx, (e) => ids.push(e.executionId));
      await exec(observe({}), [spy, spy]);
      await exec(observe({}), [spy]);
      expect(ids[0]).toBe(ids[1]);
      expect(ids[2]).toBeGreaterThan(ids[1]!);
    });
  });
});
