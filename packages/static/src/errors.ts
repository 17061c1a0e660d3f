import { isCodedError } from '@plinth/writeable-body';
/**
 * What went wrong, as `error.code` on a {@link StaticError}.
 *
 * - `INVALID_ARGUMENT`: a function of this package got a bad argument or option;
 *   the message names it.
 * - `FILE_CHANGED`: the file ended before the length announced in Content-Length
 *   (it shrank while it was sent). Thrown while streaming, so the adapter aborts the
 *   response and the client can tell that it is incomplete.
 * - `FILE_ERROR`: reading the file failed for a reason that is not the client's
 *   (an I/O error); before the headers, the adapter answers 500.
 */
export type StaticErrorCode = 'INVALID_ARGUMENT' | 'FILE_CHANGED' | 'FILE_ERROR';

/** Options of the {@link StaticError} constructor. */
export interface StaticErrorOptions {
  /**
   * The HTTP status an adapter should answer with, when the error happens before
   * anything was sent.
   * @default undefined (a server error: 500)
   */
  status?: number | undefined;
  /**
   * The underlying error (Node's, with the full path, for the log).
   * @default undefined
   */
  cause?: unknown;
}

/**
 * The one error class of `@plinth/static`. Recognise it with
 * {@link StaticError.isError} (name-based, so it works across duplicated copies of
 * the package) rather than `instanceof`.
 *
 * Requests never produce one: a missing, forbidden or unsafe path is an ordinary
 * 403/404 response. Errors are for bad options and for files that fail under us.
 *
 * @example
 * ```ts
 * try {
 *   serveStatic('public', { maxAge: -1 });
 * } catch (error) {
 *   if (StaticError.isError(error)) console.log(error.code); // 'INVALID_ARGUMENT'
 * }
 * ```
 */
export class StaticError extends Error {
  /** Always `'StaticError'`; what {@link StaticError.isError} checks. */
  override readonly name: 'StaticError' = 'StaticError';
  /** What went wrong. */
  readonly code: StaticErrorCode;
  /** The HTTP status to answer with, when there is a better one than 500. */
  readonly status: number | undefined;

  /** Builds an error: the code first, the message, then options. */
  constructor(code: StaticErrorCode, message: string, options: StaticErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = options.status;
  }

  /**
   * Tells whether a value is a `StaticError`, by name rather than `instanceof`, so
   * that errors from another copy of this package count too.
   */
  static isError(error: unknown): error is StaticError {
    return isCodedError(error, 'StaticError');
  }
}

/** @internal A short description of a bad value for an error message. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  return `${typeof value} ${String(value)}`;
}

/**
 * Tells whether a value is a {@link StaticError}, by name rather than `instanceof`, so
 * that errors from another copy of this package count too: the package's guard,
 * the same test as {@link StaticError.isError}.
 *
 * @example
 * ```ts
 * try {
 *   serveStatic(dir, { maxAge: -1 });
 * } catch (error) {
 *   if (isStaticError(error)) console.log(error.code); // 'INVALID_ARGUMENT'
 * }
 * ```
 */
export function isStaticError(error: unknown): error is StaticError {
  return StaticError.isError(error);
}
