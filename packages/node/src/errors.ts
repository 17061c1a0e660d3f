import type { AbortReason } from '@plinth/writeable-body';

/**
 * What went wrong, as `error.code` on a {@link NodeAdapterError}.
 *
 * The {@link AbortReason} values are the reasons a response's signal aborts with
 * (`request.signal.reason.code`). The others:
 * - `body-too-large`: a request body declared or sent more than the limit (status 413).
 * - `malformed-json`: `request.body.json()` got a body that is not JSON (status 400).
 * - `body-consumed`: the request body was read twice.
 * - `invalid-response`: a response with a bad status or a header that cannot be
 *   written (CR, LF or NUL in a value, a name that is not a token).
 * - `response-already-sent`: a second response for one request.
 * - `no-response`: a low-level write before `writeResponse`.
 * - `invalid-argument`: a function of this package got a bad argument or option.
 */
export type NodeAdapterErrorCode =
  | AbortReason
  | 'body-too-large'
  | 'malformed-json'
  | 'body-consumed'
  | 'invalid-response'
  | 'response-already-sent'
  | 'no-response'
  | 'invalid-argument';

/** Options of the {@link NodeAdapterError} constructor. */
export interface NodeAdapterErrorOptions {
  /** What went wrong. */
  code: NodeAdapterErrorCode;
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
 * {@link AbortReason}.
 *
 * @example
 * ```ts
 * request.signal.addEventListener('abort', () => {
 *   const reason = request.signal.reason;
 *   if (NodeAdapterError.isError(reason) && reason.code === 'client-disconnect') cleanUp();
 * });
 * ```
 */
export class NodeAdapterError extends Error {
  /** Always `'NodeAdapterError'`; what {@link NodeAdapterError.isError} checks. */
  override readonly name: 'NodeAdapterError' = 'NodeAdapterError';
  /** What went wrong. */
  readonly code: NodeAdapterErrorCode;
  /** The HTTP status to answer with, when there is a better one than 500. */
  readonly status: number | undefined;

  /** Builds an error; `options.code` says what went wrong. */
  constructor(message: string, options: NodeAdapterErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = options.code;
    this.status = options.status;
  }

  /**
   * Tells whether a value is a `NodeAdapterError`, by name rather than
   * `instanceof`, so that errors from another copy of this package count too.
   */
  static isError(error: unknown): error is NodeAdapterError {
    return (
      error instanceof Error &&
      error.name === 'NodeAdapterError' &&
      typeof (error as { code?: unknown }).code === 'string'
    );
  }
}
