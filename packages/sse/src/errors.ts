import type { AbortReason } from '@plinth/writeable-body';
import { isCodedError } from '@plinth/writeable-body';

/**
 * What went wrong, as {@link SseError.code}:
 *
 * - `INVALID_EVENT`: an event or comment that cannot be encoded safely (a CR, LF or
 *   NUL in `event` or `id`, a negative `retry`, data that has no JSON form, …).
 *   {@link SseError.field} names the field.
 * - `INVALID_OPTION`: a bad option or argument; {@link SseError.field} names it.
 * - `CLOSED`: the stream is closed (or closing); {@link SseError.reason} says why.
 */
export type SseErrorCode = 'INVALID_EVENT' | 'INVALID_OPTION' | 'CLOSED';

/**
 * Why an event stream ended, as {@link CloseReason.code}: one of the adapter's abort
 * reasons (`AbortReason` of `@plinth/writeable-body`, the same words, not a copy), or
 * one of the stream's own.
 *
 * The adapter's (it aborted the response):
 *
 * - `CLIENT_DISCONNECT`: the client went away.
 * - `SERVER_STOP`: the server is shutting down and ended the stream.
 * - `BODY_ERROR`, `ABORTED`, `TIMEOUT`: the adapter aborted the response for that reason.
 *
 * The stream's own:
 *
 * - `CLOSED`: the application called `close()`, or the event source completed.
 * - `EVICTED`: a hub dropped this subscriber because it stayed full (see `evictAfterMs`),
 *   or because its `wait` buffer overflowed on a broadcast.
 * - `ERROR`: the producer (`onReady`, a generator) or a callback failed; see
 *   {@link CloseReason.error}.
 */
export type CloseCode = AbortReason | StreamCloseCode;

/** The close reasons of an event stream itself, beside the adapter's {@link AbortReason}. */
export type StreamCloseCode = 'CLOSED' | 'EVICTED' | 'ERROR';

/** Why an event stream ended: what `channel.closed` resolves with and what `onClientDisconnect` gets. */
export interface CloseReason {
  /** The cause, see {@link CloseCode}. */
  readonly code: CloseCode;
  /** The error, when `code` is `ERROR` (or the adapter gave one). */
  readonly error?: unknown;
}

/** Options of {@link SseError}. */
export interface SseErrorOptions {
  /** The field or option at fault. */
  field?: string | undefined;
  /** Why the stream closed, for `CLOSED`. */
  reason?: CloseReason | undefined;
  /** The underlying error. */
  cause?: unknown;
}

/**
 * The one error class of `@plinth/sse`. Recognise it with {@link isSseError} (or
 * its alias {@link SseError.isError}): name-based, so it works across duplicated
 * copies of the package, unlike `instanceof`.
 *
 * @example
 * ```ts
 * try {
 *   await channel.send({ event: 'a\nb', data: 'x' });
 * } catch (error) {
 *   if (isSseError(error) && error.code === 'INVALID_EVENT') console.log(error.field); // 'event'
 * }
 * ```
 */
export class SseError extends Error {
  /** Always `'SseError'`. */
  override readonly name: 'SseError' = 'SseError';
  /** What went wrong. */
  readonly code: SseErrorCode;
  /** The field or option at fault, when there is one. */
  readonly field: string | undefined;
  /** For `CLOSED`: why the stream closed. */
  readonly reason: CloseReason | undefined;

  /** Builds an error; `code` says what went wrong, `options` where and why. */
  constructor(code: SseErrorCode, message: string, options: SseErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.field = options.field;
    this.reason = options.reason;
  }

  /** Tells whether a value is an {@link SseError} (by name, not by `instanceof`); the same as {@link isSseError}. */
  static isError(value: unknown): value is SseError {
    return isSseError(value);
  }
}

/**
 * Tells whether a value is an {@link SseError}, by name rather than `instanceof`, so
 * that errors from another copy of this package are recognised too.
 *
 * @example
 * ```ts
 * channel.send({ data: 'x' }).catch((error) => {
 *   if (isSseError(error) && error.code === 'CLOSED') console.log(error.reason?.code); // e.g. 'CLIENT_DISCONNECT'
 * });
 * ```
 */
export function isSseError(value: unknown): value is SseError {
  return isCodedError(value, 'SseError');
}
