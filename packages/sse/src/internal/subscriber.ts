import type { BufferPolicy } from '../channel';
import type { CloseReason } from '../errors';

/**
 * @internal What a hub needs of a channel, and all it may use: the hub reaches it
 * through {@link subscriberOf}, never through the channel's class.
 */
export interface Subscriber {
  /** True while the channel accepts events. */
  readonly isOpen: boolean;
  /** The client's `Last-Event-ID`, if any. */
  readonly lastEventId: string | undefined;
  /** The channel's buffer policy, for broadcasts. */
  readonly policy: BufferPolicy;
  /** When its buffer was first found full since it was last emptied (`performance.now()`), else 0. */
  readonly fullSince: number;
  /** Hands over encoded bytes without waiting; see {@link OfferResult}. */
  offer(chunk: Uint8Array, policy: BufferPolicy): OfferResult;
  /** Hands over encoded bytes, waiting for room under `wait`; resolves as `Channel.send` does. */
  sendChunk(chunk: Uint8Array, policy: BufferPolicy): Promise<boolean>;
  /** Ends the stream at once and cuts the connection: the client stayed too slow. */
  evict(): void;
  /** Sends what is buffered, then ends the stream (reason `CLOSED`). */
  close(): void;
  /** Ends the stream because what fed it failed (reason `ERROR`). */
  endWithError(error: unknown): void;
  /** Calls `listener` once when the stream ended (at once if it has); a listener is kept once. */
  onEnd(listener: EndListener): void;
}

/** @internal What {@link Subscriber.offer} did with a chunk. */
export type OfferResult = 'accepted' | 'dropped' | 'full' | 'closed';

/** @internal Told once that a stream ended, and which. */
export type EndListener = (reason: CloseReason, subscriber: Subscriber) => void;

/** @internal The brand of a channel that is a {@link Subscriber} (set on its prototype). */
export const SUBSCRIBER: unique symbol = Symbol('plinth.sse.subscriber');

/** @internal The channel as a {@link Subscriber} when it is one of this package's, else `undefined`. */
export function subscriberOf(channel: unknown): Subscriber | undefined {
  return channel !== null &&
    typeof channel === 'object' &&
    (channel as { [SUBSCRIBER]?: unknown })[SUBSCRIBER] === true
    ? (channel as Subscriber)
    : undefined;
}
