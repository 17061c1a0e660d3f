import type { Stage } from './types';

/** Options of the {@link InterceptorError} constructor. */
export interface InterceptorErrorOptions {
  /** The failing interceptor's name. */
  interceptor: string | undefined;
  /** The stage that failed. */
  stage: Stage;
  /** The execution the failure happened in. */
  executionId: number;
  /** What was thrown (or passed to `withError`). */
  cause: unknown;
  /**
   * Errors this one replaced, oldest first.
   * @default []
   */
  suppressed?: readonly unknown[] | undefined;
}

const NONE: readonly unknown[] = Object.freeze([]);

/**
 * The error a chain carries while it unwinds, and the one `execute` rejects with
 * when no interceptor handled it. It names the interceptor and stage that failed;
 * what was thrown is its `cause`.
 *
 * @example
 * ```ts
 * try {
 *   await execute({}, [interceptor({ name: 'boom', enter: () => { throw new Error('no') } })]);
 * } catch (e) {
 *   if (InterceptorError.isError(e)) console.log(e.interceptor, e.stage, e.cause); // boom enter Error: no
 * }
 * ```
 */
export class InterceptorError extends Error {
  override readonly name: 'InterceptorError' = 'InterceptorError';
  /** The failing interceptor's name (`undefined` for an anonymous one). */
  readonly interceptor: string | undefined;
  /** The stage that failed. */
  readonly stage: Stage;
  /** Which `execute` call this happened in; ids count up from 1 per process. */
  readonly executionId: number;
  /** What was thrown, as thrown. */
  override readonly cause: unknown;
  /**
   * Errors this one replaced, oldest first: when an `error` stage throws a new
   * error, the one it was handling ends up here.
   */
  readonly suppressed: readonly unknown[];

  constructor(message: string, options: InterceptorErrorOptions) {
    super(message, { cause: options.cause });
    this.interceptor = options.interceptor;
    this.stage = options.stage;
    this.executionId = options.executionId;
    this.cause = options.cause;
    this.suppressed = options.suppressed ?? NONE;
  }

  /**
   * True for an `InterceptorError` from any copy of this package (checks the
   * name, not `instanceof`, which fails across duplicated installs).
   */
  static isError(e: unknown): e is InterceptorError {
    return (
      typeof e === 'object' &&
      e !== null &&
      (e as { name?: unknown }).name === 'InterceptorError' &&
      typeof (e as { stage?: unknown }).stage === 'string'
    );
  }
}
