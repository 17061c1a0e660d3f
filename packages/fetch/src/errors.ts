import type { AbortReason } from '@plinth/writeable-body';
import { isCodedError } from '@plinth/writeable-body';

/**
 * What went wrong, as `error.code` on a {@link FetchAdapterError}: the codes of
 * `@plinth/node`'s `NodeAdapterError`, so that code written against one adapter
 * reads the other's errors the same way.
 *
 * The {@link AbortReason} values are the reasons a response's signal aborts with
 * (`request.signal.reason.code`). The others:
 * - `BODY_TOO_LARGE`: a request body declared or sent more than the limit (status 413).
 * - `MALFORMED_JSON`: `request.body.json()` got a body that is not JSON (status 400).
 * - `BODY_CONSUMED`: the request body was read twice.
 * - `INVALID_RESPONSE`: a response with a bad status or a header the runtime refuses.
 * - `RESPONSE_ALREADY_SENT`: a second response for one request.
 * - `NO_RESPONSE`: a low-level write before `writeResponse`.
 * - `INVALID_ARGUMENT`: a function of this package got a bad argument or option.
 */
export type FetchAdapterErrorCode =
  | AbortReason
  | 'BODY_TOO_LARGE'
  | 'MALFORMED_JSON'
  | 'BODY_CONSUMED'
  | 'INVALID_RESPONSE'
  | 'RESPONSE_ALREADY_SENT'
  | 'NO_RESPONSE'
  | 'INVALID_ARGUMENT';

/** Options of the {@link FetchAdapterError} constructor. */
export interface FetchAdapterErrorOptions {
  /**
   * The HTTP status to answer with when this error reaches the adapter before
   * anything was sent.
   * @default undefined (500)
   */
  status?: number | undefined;
  /**
   * The underlying error.
   * @default undefined
   */
  cause?: unknown;
}

/**
 * The one error class of `@plinth/fetch`. Request-body errors carry the status the
 * adapter answers with (413, 400); the reasons a response's signal aborts with are
 * instances too, with `code` set to an {@link AbortReason}. Recognise it with
 * {@link isFetchAdapterError}.
 *
 * @example
 * ```ts
 * request.signal.addEventListener('abort', () => {
 *   if (isFetchAdapterError(request.signal.reason)) console.log(request.signal.reason.code);
 * });
 * ```
 */
export class FetchAdapterError extends Error {
  /** Always `'FetchAdapterError'`; what {@link isFetchAdapterError} checks. */
  override readonly name: 'FetchAdapterError' = 'FetchAdapterError';
  /** What went wrong. */
  readonly code: FetchAdapterErrorCode;
  /** The HTTP status to answer with, when there is a better one than 500. */
  readonly status: number | undefined;

  /** Builds an error; `code` says what went wrong, `options` how to answer and why. */
  constructor(
    code: FetchAdapterErrorCode,
    message: string,
    options: FetchAdapterErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = options.status;
  }

  /** The same as {@link isFetchAdapterError}. */
  static isError(error: unknown): error is FetchAdapterError {
    return isFetchAdapterError(error);
  }
}

/**
 * Tells whether a value is a {@link FetchAdapterError}, by name rather than
 * `instanceof`, so that errors from another copy of this package count too.
 *
 * @example
 * ```ts
 * try {
 *   await request.body.json();
 * } catch (error) {
 *   if (isFetchAdapterError(error) && error.code === 'MALFORMED_JSON') console.log(error.status); // 400
 * }
 * ```
 */
export function isFetchAdapterError(error: unknown): error is FetchAdapterError {
  return isCodedError(error, 'FetchAdapterError');
}
