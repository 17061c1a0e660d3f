// Property-based tests: random chains of synchronous, asynchronous and failing
// interceptors against a small reference model of the order rules (SPEC.md,
// "@plinth/interceptor").
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addObserver,
  enqueue,
  type Interceptor,
  InterceptorError,
  interceptor,
  terminate,
  withError,
} from '../src/index';
import { ENTRY_POINTS, type EntryPoint } from './support';

type EnterKind = 'none' | 'ok' | 'throw' | 'withError' | 'terminate' | 'enqueue';
type LeaveKind = 'none' | 'ok' | 'throw';
type ErrorKind = 'none' | 'handle' | 'decline' | 'rethrow' | 'replace';
type Timing = 'sync' | 'microtask' | 'macrotask';

interface Spec {
  name: string;
  enter: EnterKind;
  leave: LeaveKind;
  error: ErrorKind;
  timing: Timing;
  style: 'spread' | 'mutate';
}

interface Ctx {
  steps: readonly string[];
}

interface Outcome {
  /** Every callback that started, in order. */
  started: string[];
  /** Every stage that returned a context (what observers see, and what the context records). */
  returned: string[];
  error: { interceptor: string; stage: string; suppressed: number } | undefined;
}

const extra = (name: string): Spec => ({
  name: `${name}+`,
  enter: 'ok',
  leave: 'ok',
  error: 'none',
  timing: 'sync',
  style: 'spread',
});

/** The rules, written as plainly as possible. */
function model(specs: readonly Spec[]): Outcome {
  const started: string[] = [];
  const returned: string[] = [];
  const queue = [...specs];
  const stack: Spec[] = [];
  let error: Outcome['error'];
  for (let k = 0; k < queue.length; k++) {
    const s = queue[k]!;
    stack.push(s);
    if (s.enter === 'none') continue;
    started.push(`${s.name} enter`);
    if (s.enter === 'throw') {
      error = { interceptor: s.name, stage: 'enter', suppressed: 0 };
      break;
    }
    returned.push(`${s.name} enter`);
    if (s.enter === 'withError') {
      error = { interceptor: s.name, stage: 'enter', suppressed: 0 };
      break;
    }
    if (s.enter === 'terminate') break;
    if (s.enter === 'enqueue') queue.push(extra(s.name));
  }
  while (stack.length > 0) {
    const s = stack.pop()!;
    if (error !== undefined) {
      if (s.error === 'none') continue;
      started.push(`${s.name} error`);
      if (s.error === 'handle' || s.error === 'decline') returned.push(`${s.name} error`);
      if (s.error === 'replace') {
        error = { interceptor: s.name, stage: 'error', suppressed: error.suppressed + 1 };
      }
      if (s.error === 'handle') error = undefined;
    } else {
      if (s.leave === 'none') continue;
      started.push(`${s.name} leave`);
      if (s.leave === 'throw') {
        error = { interceptor: s.name, stage: 'leave', suppressed: 0 };
      } else {
        returned.push(`${s.name} leave`);
      }
    }
  }
  return { started, returned, error };
}

function build(spec: Spec, started: string[]): Interceptor<Ctx> {
  const { name, timing, style } = spec;
  const settle = <T>(value: T): T | Promise<T> =>
    timing === 'sync'
      ? value
      : timing === 'microtask'
        ? Promise.resolve(value)
        : new Promise((resolve) => setImmediate(() => resolve(value)));
  const fail = (error: unknown): never | Promise<never> => {
    if (timing === 'sync') throw error;
    return timing === 'microtask'
      ? Promise.reject(error)
      : new Promise((_, reject) => setImmediate(() => reject(error)));
  };
  const note = (ctx: Ctx, step: string): Ctx => {
    if (style === 'spread') return { ...ctx, steps: [...ctx.steps, step] };
    (ctx.steps as string[]).push(step);
    return ctx;
  };
  const enterFn = (ctx: Ctx): Ctx | Promise<Ctx> => {
    const step = `${name} enter`;
    started.push(step);
    switch (spec.enter) {
      case 'throw':
        return fail(new Error(step));
      case 'withError':
        return settle(withError(note(ctx, step), new Error(step)));
      case 'terminate':
        return settle(terminate(note(ctx, step)));
      case 'enqueue':
        return settle(enqueue(note(ctx, step), build(extra(name), started)));
      default:
        return settle(note(ctx, step));
    }
  };
  const leaveFn = (ctx: Ctx): Ctx | Promise<Ctx> => {
    const step = `${name} leave`;
    started.push(step);
    return spec.leave === 'throw' ? fail(new Error(step)) : settle(note(ctx, step));
  };
  const errorFn = (ctx: Ctx, error: InterceptorError): Ctx | Promise<Ctx> => {
    const step = `${name} error`;
    started.push(step);
    switch (spec.error) {
      case 'handle':
        return settle(note(ctx, step));
      case 'decline':
        return settle(withError(note(ctx, step), error));
      case 'rethrow':
        return fail(error.cause);
      default:
        return fail(new Error(step));
    }
  };
  return interceptor<Ctx>({
    name,
    enter: spec.enter === 'none' ? undefined : enterFn,
    leave: spec.leave === 'none' ? undefined : leaveFn,
    error: spec.error === 'none' ? undefined : errorFn,
  });
}

const specArb = fc
  .record({
    enter: fc.constantFrom<EnterKind>(
      'none',
      'ok',
      'ok',
      'ok',
      'throw',
      'withError',
      'terminate',
      'enqueue',
    ),
    leave: fc.constantFrom<LeaveKind>('none', 'ok', 'ok', 'throw'),
    error: fc.constantFrom<ErrorKind>('none', 'none', 'handle', 'decline', 'rethrow', 'replace'),
    timing: fc.constantFrom<Timing>('sync', 'sync', 'microtask', 'macrotask'),
    style: fc.constantFrom<'spread' | 'mutate'>('spread', 'mutate'),
  })
  // An interceptor needs at least one stage.
  .map((s) =>
    s.enter === 'none' && s.leave === 'none' && s.error === 'none'
      ? { ...s, enter: 'ok' as const }
      : s,
  );

const chainArb = fc
  .array(specArb, { maxLength: 12 })
  .map((specs) => specs.map((s, k): Spec => ({ ...s, name: `i${k}` })));

async function runChain(exec: EntryPoint, specs: readonly Spec[]) {
  const started: string[] = [];
  const observed: string[] = [];
  const ctx = addObserver<Ctx>({ steps: [] }, (e) => observed.push(`${e.interceptor} ${e.stage}`));
  const promise = exec(
    ctx,
    specs.map((s) => build(s, started)),
  );
  const startedSynchronously = started.length;
  const returnedPromise = promise instanceof Promise;
  let result: Ctx | undefined;
  let error: unknown;
  try {
    result = await promise;
  } catch (e) {
    error = e;
  }
  return { started, observed, result, error, startedSynchronously, returnedPromise };
}

describe.each(ENTRY_POINTS)('%s: order invariants over random chains', (entry, exec) => {
  it('match the reference model: stages started, stages returned, outcome', async () => {
    await fc.assert(
      fc.asyncProperty(chainArb, async (specs) => {
        const expected = model(specs);
        const actual = await runChain(exec, specs);
        expect(actual.started).toEqual(expected.started);
        expect(actual.observed).toEqual(expected.returned);
        if (expected.error === undefined) {
          expect(actual.error).toBeUndefined();
          // The context that came out carries exactly the steps that returned, whether
          // stages mutated it or made spread copies.
          expect(actual.result!.steps).toEqual(expected.returned);
        } else {
          expect(InterceptorError.isError(actual.error)).toBe(true);
          const e = actual.error as InterceptorError;
          expect({
            interceptor: e.interceptor,
            stage: e.stage,
            suppressed: e.suppressed.length,
          }).toEqual(expected.error);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('a chain whose stages are all synchronous has run completely when the entry point returns', async () => {
    await fc.assert(
      fc.asyncProperty(
        chainArb.map((specs) => specs.map((s) => ({ ...s, timing: 'sync' as const }))),
        async (specs) => {
          const actual = await runChain(exec, specs);
          expect(actual.startedSynchronously).toBe(actual.started.length);
          // run: a promise exactly when the chain failed; execute: always one.
          const failed = model(specs).error !== undefined;
          expect(actual.returnedPromise).toBe(entry === 'execute' || failed);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('every stage that started is one of enter, leave, error; each interceptor enters at most once and leaves only after entering', async () => {
    await fc.assert(
      fc.asyncProperty(chainArb, async (specs) => {
        const { started } = await runChain(exec, specs);
        const entered = new Set<string>();
        const left = new Set<string>();
        for (const step of started) {
          const [name, stage] = step.split(' ') as [string, string];
          if (stage === 'enter') {
            expect(entered.has(name)).toBe(false);
            entered.add(name);
          } else {
            // leave/error only for interceptors on the stack, once each
            expect(left.has(name)).toBe(false);
            left.add(name);
          }
        }
        // Leaves and errors come in reverse order of entering.
        const order = started.filter((s) => !s.endsWith('enter')).map((s) => s.split(' ')[0]);
        const enteredOrder = specs.map((s) => s.name);
        const positions = order.map((n) => enteredOrder.indexOf(n!)).filter((p) => p >= 0);
        expect(positions).toEqual([...positions].sort((a, b) => b - a));
      }),
      { numRuns: 200 },
    );
  });
});
