import { isCodedError } from '@plinth/writeable-body';

/**
 * What went wrong, as `error.code` on a {@link CompressError}.
 *
 * - `INVALID_ARGUMENT`: {@link compress} got a bad option; the message names it.
 * - `COMPRESSION_FAILED`: zlib failed while compressing a body (after the head was
 *   sent, so the adapter aborts the response and the client can tell).
 */
export type CompressErrorCode = 'INVALID_ARGUMENT' | 'COMPRESSION_FAILED';

/** Options of the {@link CompressError} constructor. */
export interface CompressErrorOptions {
  /**
   * The underlying error (zlib's).
   * @default undefined
   */
  cause?: unknown;
}

/**
 * The one error class of `@plinth/compress`. Recognise it with
 * {@link isCompressError} (name-based, so it works across duplicated copies of the
 * package) rather than `instanceof`.
 *
 * @example
 * ```ts
 * try {
 *   compress({ threshold: -1 });
 * } catch (error) {
 *   if (isCompressError(error)) console.log(error.code); // 'INVALID_ARGUMENT'
 * }
 * ```
 */
export class CompressError extends Error {
  /** Always `'CompressError'`; what {@link isCompressError} checks. */
  override readonly name: 'CompressError' = 'CompressError';
  /** What went wrong. */
  readonly code: CompressErrorCode;

  /** Builds an error: the code first, the message, then options. */
  constructor(code: CompressErrorCode, message: string, options: CompressErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }
}

/**
 * Tells whether a value is a {@link CompressError}, by name rather than
 * `instanceof`, so that errors from another copy of this package count too.
 *
 * @example
 * ```ts
 * try {
 *   compress({ encodings: ['lzma'] as never });
 * } catch (error) {
 *   if (isCompressError(error)) console.log(error.code); // 'INVALID_ARGUMENT'
 * }
 * ```
 */
export function isCompressError(error: unknown): error is CompressError {
  return isCodedError(error, 'CompressError');
}
