import type { Interceptor, Observer, Stage } from '../types';

/**
 * Key of the chain state on a context. Registered with `Symbol.for` (and
 * versioned) so that two copies of this package in one install agree. The key is
 * an ordinary enumerable property, so `{ ...ctx }` keeps it.
 * @internal
 */
export const CHAIN: unique symbol = Symbol.for('plinth.interceptor.chain/1') as never;

/**
 * Key of the error a context carries. Kept on the context itself (not in the
 * shared state) so that an `error` stage declines by returning a context that has
 * one and handles by returning one that has none.
 * @internal
 */
export const ERROR: unique symbol = Symbol.for('plinth.interceptor.error/1') as never;

/** @internal */
export type Predicate = (ctx: any) => boolean;

/** @internal A context as the runner sees it. */
export type Ctx = { [CHAIN]?: ChainState; [ERROR]?: unknown } & Record<PropertyKey, any>;

/**
 * A stage that returned a thenable: what the async driver awaits, and what it
 * needs to go on.
 * @internal
 */
export interface Pending {
  result: PromiseLike<unknown> | undefined;
  interceptor: Interceptor;
  stage: Stage;
  /** The context the stage was given. */
  context: Ctx | undefined;
  /** The error an `error` stage was given. */
  error: unknown;
}

/** @internal Built by enqueue/terminateWhen/addObserver before `execute` starts. */
export const PENDING = 0;
/** @internal Entering interceptors. */
export const ENTER = 1;
/** @internal Leaving (or unwinding an error). */
export const LEAVE = 2;
/** @internal Finished. */
export const DONE = 3;

const INSPECT: unique symbol = Symbol.for('nodejs.util.inspect.custom') as never;

/** @internal */
export const NO_INTERCEPTORS: readonly Interceptor[] = Object.freeze([]);

/**
 * The chain's state, one object per execution, referenced from the context.
 *
 * The queue array is never changed in place (enqueue copies it), so it can be the
 * caller's array and can be shared with a pending template. Entered interceptors
 * are `queue[0 .. index)`: there is no separate stack, the leave loop walks the
 * queue backwards from `index`.
 * @internal
 */
export class ChainState {
  // Fields are assigned in the constructor only, always in this order (no class
  // field initialisers, which would define each field once more): one shape for
  // every state, and the cheapest construction, which every request pays.
  declare phase: number;
  /** Execution id, 0 while pending. */
  declare id: number;
  declare queue: readonly Interceptor[];
  /** How many of `queue` may enter (`terminate` lowers it to `index`). */
  declare end: number;
  /**
   * Entering: how many entered, kept up to date before each `enter` runs.
   * Leaving: the position of the interceptor leaving, written by the loop only
   * when something needs it (a failure, a suspension, a stage result to check).
   */
  declare index: number;
  declare terminators: readonly Predicate[] | undefined;
  declare observers: readonly Observer[] | undefined;
  /**
   * True once `withError` or `addObserver` touched this state: then every stage
   * result goes through the full checks (an error on it, observers to tell).
   */
  declare slow: boolean;
  /**
   * Neither slow nor with terminators, and nothing changed the chain since the
   * loop last looked: a stage that returns its context is done. Every chain
   * function clears it; the loop sets it again (see `loop`).
   */
  declare plain: boolean;
  /** The state this one replaced on the context (nested `execute`), restored when done. */
  declare outer: ChainState | undefined;
  /** The context `execute` was given, for restoring `outer` on it. */
  declare input: Ctx | undefined;
  /** The stage result the async driver awaits (kept apart: sync chains never need it). */
  declare pending: Pending | undefined;

  constructor(phase: number, id: number, queue: readonly Interceptor[] = NO_INTERCEPTORS) {
    this.phase = phase;
    this.id = id;
    this.queue = queue;
    this.end = queue.length;
    this.index = 0;
    this.terminators = undefined;
    this.observers = undefined;
    this.slow = false;
    this.plain = true;
    this.outer = undefined;
    this.input = undefined;
    this.pending = undefined;
  }

  static {
    // A short line for console.log of a context instead of every field.
    Object.defineProperty(ChainState.prototype, INSPECT, {
      value(this: ChainState): string {
        const phase = ['pending', 'entering', 'leaving', 'done'][this.phase];
        return `ChainState { execution ${this.id}, ${phase}, at ${this.index} of ${this.end} }`;
      },
    });
  }

  /** Appends interceptors after the runnable part of the queue (copy on write). */
  append(interceptors: readonly Interceptor[]): void {
    if (interceptors.length === 0) return;
    if (this.end === 0) {
      this.queue = interceptors;
    } else {
      // Copied into an array of the final length, not with concat: V8's concat is
      // a generic runtime call (it checks every argument for
      // Symbol.isConcatSpreadable), several times the cost of copying a few
      // elements, and a router pays it on every request; slice then push would
      // allocate twice (the push grows the sliced array).
      const end = this.end;
      const from = this.queue;
      const queue = new Array<Interceptor>(end + interceptors.length);
      for (let k = 0; k < end; k++) queue[k] = from[k]!;
      for (let k = 0; k < interceptors.length; k++) queue[end + k] = interceptors[k]!;
      this.queue = queue;
    }
    this.end = this.queue.length;
  }
}

/**
 * The state to record chain changes in: the running or pending one, or a new
 * pending one when the context has none (or only a finished one).
 * @internal
 */
export function stateFor(ctx: Ctx): ChainState {
  let s = ctx[CHAIN];
  if (s === undefined || s.phase === DONE) {
    s = new ChainState(PENDING, 0);
    ctx[CHAIN] = s;
  }
  return s;
}
