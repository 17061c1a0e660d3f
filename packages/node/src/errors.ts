import type { AbortReason } from '@plinth/writeable-body';
import { isCodedError } from '@plinth/writeable-body';

/**
 * What went wrong, as `error.code` on a {@link NodeAdapterError}.
 *
 * The {@link AbortReason} values are the reasons a response's signal aborts with
 * (`request.signal.reason.code`). The others:
 * - `BODY_TOO_LARGE`: a request body declared or sent more than the limit (status 413).
 * - `MALFORMED_JSON`: `request.body.json()` got a body that is not JSON (status 400).
 * - `BODY_CONSUMED`: the request body was read twice.
 * - `INVALID_RESPONSE`: a response with a bad status or a header that cannot be
 *   written (CR, LF or NUL in a value, a name that is not a token).
 * - `RESPONSE_ALREADY_SENT`: a second response for one request.
 * - `NO_RESPONSE`: a low-level write before `writeResponse`.
 * - `INVALID_ARGUMENT`: a function of this package got a bad argument or option.
 */
export type NodeAdapterErrorCode =
  | AbortReason
  | 'BODY_TOO_LARGE'
  | 'MALFORMED_JSON'
  | 'BODY_CONSUMED'
  | 'INVALID_RESPONSE'
  | 'RESPONSE_ALREADY_SENT'
  | 'NO_RESPONSE'
  | 'INVALID_ARGUMENT';

/** Options of the {@link NodeAdapterError} constructor. */
export interface NodeAdapterErrorOptions {
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
 * The one error class of `@plinth/node`. Request-body errors carry the status the
 * adapter answers with (413, 400), following the http-errors convention; the
 * reasons a response's signal aborts with are instances too, with `code` set to an
 * {@link AbortReason}. Recognise it with {@link isNodeAdapterError} (or its alias
 * {@link NodeAdapterError.isError}).
 *
 * @example
 * ```ts
 * request.signal.addEventListener('abort', () => {
 *   const reason = request.signal.reason;
 *   if (isNodeAdapterError(reason) && reason.code === 'CLIENT_DISCONNECT') cleanUp();
 * });
 * ```
 */
export class NodeAdapterError extends Error {
  /** Always `'NodeAdapterError'`; what {@link isNodeAdapterError} checks. */
  override readonly name: 'NodeAdapterError' = 'NodeAdapterError';
  /** What went wrong. */
  readonly code: NodeAdapterErrorCode;
  /** The HTTP status to answer with, when there is a better one than 500. */
  readonly status: number | undefined;

  /** Builds an error; `code` says what went wrong, `options` how to answer and why. */
  constructor(code: NodeAdapterErrorCode, message: string, options: NodeAdapterErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = options.status;
  }

  /**
   * Tells whether a value is a `NodeAdapterError`, by name rather than
   * `instanceof`, so that errors from another copy of this package count too; the
   * same as {@link isNodeAdapterError}.
   */
  static isError(error: unknown): error is NodeAdapterError {
    return isNodeAdapterError(error);
  }
}

/**
 * Tells whether a value is a {@link NodeAdapterError}, by name rather than
 * `instanceof`, so that errors from another copy of this package count too.
 *
 * @example
 * ```ts
 * try {
 *   await request.body.json();
 * } catch (error) {
 *   if (isNodeAdapterError(error) && error.code === 'MALFORMED_JSON') console.log(error.status); // 400
 * }
 * ```
 */
export function isNodeAdapterError(error: unknown): error is NodeAdapterError {
  return isCodedError(error, 'NodeAdapterError');
}
