import type { Stage } from './stage';

/**
 * What went wrong, as `error.code` on an {@link InterceptorError}:
 *
 * - `STAGE_FAILED`: a stage of an interceptor threw, rejected, returned something
 *   other than the context, or returned `withError(ctx, error)`, or an observer or
 *   `terminateWhen` predicate called after it threw; `interceptor` and `stage`
 *   name it, and what was thrown is the `cause`.
 * - `CONTEXT_CARRIED_ERROR`: the context already carried an error (`withError`
 *   before `execute` or `run`), so the chain started by unwinding; `stage` is
 *   `'enter'` and `interceptor` is `undefined`.
 */
export type InterceptorErrorCode = 'STAGE_FAILED' | 'CONTEXT_CARRIED_ERROR';

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
 * The one error class of `@plinth/interceptor`: the error a chain carries while it
 * unwinds, and the one `execute` rejects with when no interceptor handled it. It
 * names the interceptor and stage that failed; what was thrown is its `cause`.
 * (Bad arguments to this package's functions are `TypeError`s, as before.)
 *
 * @example
 * ```ts
 * try {
 *   await execute({}, [interceptor({ name: 'boom', enter: () => { throw new Error('no') } })]);
 * } catch (e) {
 *   if (InterceptorError.isError(e)) console.log(e.code, e.interceptor, e.stage, e.cause); // STAGE_FAILED boom enter Error: no
 * }
 * ```
 */
export class InterceptorError extends Error {
  /** Always `'InterceptorError'`; what {@link InterceptorError.isError} checks. */
  override readonly name: 'InterceptorError' = 'InterceptorError';
  /** What went wrong. */
  readonly code: InterceptorErrorCode;
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

  /** Builds an error; `code` says what went wrong, `options` where. */
  constructor(code: InterceptorErrorCode, message: string, options: InterceptorErrorOptions) {
    super(message, { cause: options.cause });
    this.code = code;
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

/**
 * Tells whether a value is a {@link InterceptorError}, by name rather than `instanceof`, so
 * that errors from another copy of this package count too: the package's guard,
 * the same test as {@link InterceptorError.isError}.
 *
 * @example
 * ```ts
 * execute({}, chain).catch((e) => {
 *   if (isInterceptorError(e)) console.log(e.interceptor, e.stage, e.cause);
 * });
 * ```
 */
export function isInterceptorError(e: unknown): e is InterceptorError {
  return InterceptorError.isError(e);
}
