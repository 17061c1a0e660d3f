import { isCodedError } from '@plinth/writeable-body';
/**
 * What went wrong, as `error.code` on a {@link BodyWriterError}.
 *
 * - `UNSUPPORTED_BODY`: the body is a value the protocol cannot write (a symbol, a
 *   bigint, a cyclic object, a promise, a non-finite number). Thrown by
 *   `toWriteableBody` before anything is written.
 * - `UNSERIALISABLE_ELEMENT`: an element of a lazy sequence (or `ndjson()`) cannot be
 *   serialised as JSON. Thrown while streaming; the response is aborted.
 * - `INVALID_CHUNK`: a stream or `text()` source produced something that is not a
 *   string or bytes.
 * - `INVALID_ARGUMENT`: a function of this package was called with a bad argument.
 * - `FILE_NOT_FOUND`: `file(path)` names nothing readable as a file (status 404).
 * - `FILE_ERROR`: any other error opening or reading a `file(path)`.
 * - `FILE_CHANGED`: the file ended before the length announced in Content-Length.
 */
export type BodyWriterErrorCode =
  | 'UNSUPPORTED_BODY'
  | 'UNSERIALISABLE_ELEMENT'
  | 'INVALID_CHUNK'
  | 'INVALID_ARGUMENT'
  | 'FILE_NOT_FOUND'
  | 'FILE_ERROR'
  | 'FILE_CHANGED';

/** Options of the {@link BodyWriterError} constructor. */
export interface BodyWriterErrorOptions {
  /**
   * The HTTP status an adapter should answer with, when the error happens before
   * anything was sent.
   * @default undefined (a server error: 500)
   */
  status?: number | undefined;
  /**
   * The underlying error.
   * @default undefined
   */
  cause?: unknown;
}

/**
 * The one error class of `@plinth/body-writer`. `status` follows the http-errors
 * convention, so an adapter answers `file()` of a missing file with 404.
 *
 * @example
 * ```ts
 * try {
 *   toWriteableBody(Symbol('x'));
 * } catch (error) {
 *   if (BodyWriterError.isError(error)) console.log(error.code); // 'UNSUPPORTED_BODY'
 * }
 * ```
 */
export class BodyWriterError extends Error {
  /** Always `'BodyWriterError'`; what {@link BodyWriterError.isError} checks. */
  override readonly name: 'BodyWriterError' = 'BodyWriterError';
  /** What went wrong. */
  readonly code: BodyWriterErrorCode;
  /** The HTTP status to answer with, when there is a better one than 500. */
  readonly status: number | undefined;

  /** Builds an error; `code` says what went wrong. */
  constructor(code: BodyWriterErrorCode, message: string, options: BodyWriterErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = options.status;
  }

  /**
   * Tells whether a value is a `BodyWriterError`, by name rather than
   * `instanceof`, so that errors from another copy of this package count too.
   */
  static isError(error: unknown): error is BodyWriterError {
    return isCodedError(error, 'BodyWriterError');
  }
}

/**
 * Tells whether a value is a {@link BodyWriterError}, by name rather than `instanceof`, so
 * that errors from another copy of this package count too: the package's guard,
 * the same test as {@link BodyWriterError.isError}.
 *
 * @example
 * ```ts
 * try {
 *   toWriteableBody(Symbol('x'));
 * } catch (error) {
 *   if (isBodyWriterError(error)) console.log(error.code); // 'UNSUPPORTED_BODY'
 * }
 * ```
 */
export function isBodyWriterError(error: unknown): error is BodyWriterError {
  return BodyWriterError.isError(error);
}
