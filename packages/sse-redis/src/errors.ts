/**
 * What went wrong, as {@link SseRedisError.code}:
 *
 * - `INVALID_OPTION`: a bad option or argument; {@link SseRedisError.field} names it.
 * - `INVALID_TOPIC`: a topic name that is empty, too long or has a character outside
 *   `A-Z a-z 0-9 . _ : -` (status 400: thrown while handling a request, the adapter
 *   answers 400 with the message).
 * - `CONNECT_FAILED`: Redis could not be reached at start-up; the message names the
 *   address.
 * - `UNAVAILABLE`: Redis is unreachable now (a publish or a replay failed fast
 *   instead of queueing); the message names the address.
 * - `CLOSED`: the streams were closed with {@link RedisStreams.close}.
 */
export type SseRedisErrorCode =
  | 'INVALID_OPTION'
  | 'INVALID_TOPIC'
  | 'CONNECT_FAILED'
  | 'UNAVAILABLE'
  | 'CLOSED';

/** Options of {@link SseRedisError}. */
export interface SseRedisErrorOptions {
  /** The field or option at fault. */
  field?: string | undefined;
  /** The HTTP status a request that caused this error deserves (400 for a bad topic). */
  status?: number | undefined;
  /** The underlying error (the Redis client's). */
  cause?: unknown;
}

/**
 * The one error class of `@plinth/sse-redis`. Recognise it with
 * {@link isSseRedisError}: name-based, so it works across duplicated copies of the
 * package.
 *
 * @example
 * ```ts
 * try {
 *   await streams.hub('room-1').publish({ data: 'hi' });
 * } catch (error) {
 *   if (isSseRedisError(error) && error.code === 'UNAVAILABLE') console.log('try again later');
 * }
 * ```
 */
export class SseRedisError extends Error {
  /** Always `'SseRedisError'`. */
  override readonly name: 'SseRedisError' = 'SseRedisError';
  /** What went wrong. */
  readonly code: SseRedisErrorCode;
  /** The field or option at fault, when there is one. */
  readonly field: string | undefined;
  /** The HTTP status for errors caused by a request (400); `undefined` otherwise. */
  readonly status: number | undefined;

  /** Builds an error; `code` says what went wrong, `options` where and why. */
  constructor(code: SseRedisErrorCode, message: string, options: SseRedisErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.field = options.field;
    this.status = options.status;
  }

  /** Tells whether a value is an {@link SseRedisError}; the same as {@link isSseRedisError}. */
  static isError(value: unknown): value is SseRedisError {
    return isSseRedisError(value);
  }
}

/**
 * Tells whether a value is an {@link SseRedisError}, by name rather than `instanceof`.
 *
 * @example
 * ```ts
 * if (isSseRedisError(error) && error.code === 'INVALID_TOPIC') console.log(error.status); // 400
 * ```
 */
export function isSseRedisError(value: unknown): value is SseRedisError {
  return (
    value instanceof Error &&
    value.name === 'SseRedisError' &&
    typeof (value as { code?: unknown }).code === 'string'
  );
}
