import type { BufferPolicy, StreamOptions } from '../channel';
import { SseError } from '../errors';
import { describeValue } from './describe';

/** @internal Validated stream options. */
export interface StreamSettings {
  readonly heartbeatMs: number;
  readonly size: number;
  readonly policy: BufferPolicy;
  readonly retry: number | undefined;
}

/** @internal */
export const DEFAULT_HEARTBEAT_MS = 10_000;
/** @internal */
export const DEFAULT_BUFFER_SIZE = 65_536;

const POLICIES: readonly BufferPolicy[] = ['wait', 'drop-newest', 'drop-oldest'];

/** @internal An `INVALID_OPTION` error naming the option and the bad value. */
export function badOption(
  where: string,
  field: string,
  expected: string,
  value: unknown,
): SseError {
  return new SseError(
    'INVALID_OPTION',
    `${where}: ${field} must be ${expected}, got ${describeValue(value)}`,
    { field },
  );
}

/** @internal Validates {@link StreamOptions} up front, naming the bad one. */
export function streamSettings(options: StreamOptions | undefined, where: string): StreamSettings {
  if (options === undefined) {
    return {
      heartbeatMs: DEFAULT_HEARTBEAT_MS,
      size: DEFAULT_BUFFER_SIZE,
      policy: 'wait',
      retry: undefined,
    };
  }
  if (options === null || typeof options !== 'object') {
    throw badOption(where, 'options', 'an object', options);
  }
  const heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
  if (typeof heartbeatMs !== 'number' || !(heartbeatMs >= 0) || heartbeatMs > 2 ** 31 - 1) {
    throw badOption(
      where,
      'options.heartbeatMs',
      'a number of milliseconds >= 0 (0 disables)',
      heartbeatMs,
    );
  }
  const buffer = options.buffer ?? {};
  if (buffer === null || typeof buffer !== 'object') {
    throw badOption(where, 'options.buffer', 'an object { size?, policy? }', buffer);
  }
  const size = buffer.size ?? DEFAULT_BUFFER_SIZE;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 1) {
    throw badOption(where, 'options.buffer.size', 'a positive integer (bytes)', size);
  }
  const policy = buffer.policy ?? 'wait';
  if (!POLICIES.includes(policy)) {
    throw badOption(where, 'options.buffer.policy', `one of ${POLICIES.join(', ')}`, policy);
  }
  const retry = options.retry;
  if (
    retry !== undefined &&
    (typeof retry !== 'number' || !Number.isSafeInteger(retry) || retry < 0)
  ) {
    throw badOption(where, 'options.retry', 'a non-negative integer (ms)', retry);
  }
  return { heartbeatMs, size, policy, retry };
}
