import type { SseEvent } from './encode';
import type { CloseReason } from './errors';

/**
 * What a full buffer does with one more event:
 *
 * - `wait`: `send()` waits until there is room (backpressure to the producer).
 *   Nothing is lost. On a hub broadcast, which never waits for one client, a full
 *   `wait` subscriber is evicted instead (its client reconnects and replays).
 * - `drop-newest`: the new event is dropped (`send()` resolves with `false`).
 * - `drop-oldest`: the oldest buffered events are dropped to make room.
 */
export type BufferPolicy = 'wait' | 'drop-newest' | 'drop-oldest';

/** The per-client buffer between the producer and the socket. */
export interface BufferOptions {
  /**
   * The most bytes (UTF-8, as encoded on the wire) held for a client that reads
   * slower than events are produced, on top of what the adapter and the kernel
   * already hold. An event is always accepted into an empty buffer, so one event
   * larger than `size` still goes out: the buffer holds at most `size` bytes or one
   * event, whichever is larger.
   * @default 65536
   */
  size?: number | undefined;
  /**
   * What happens when the buffer is full; see {@link BufferPolicy}.
   * @default 'wait'
   */
  policy?: BufferPolicy | undefined;
}

/** Options shared by {@link eventStream} and {@link eventSource}. */
export interface StreamOptions {
  /**
   * Sends a comment line (`:`) after this many milliseconds without any write, so
   * that clients and proxies keep the connection open. Never sent while events flow
   * or while the client is not reading. `0` disables it.
   * @default 10000
   */
  heartbeatMs?: number | undefined;
  /** The per-client buffer; see {@link BufferOptions}. */
  buffer?: BufferOptions | undefined;
  /**
   * When given, a `retry:` field with this reconnection delay (ms) is the first thing
   * sent on the stream.
   * @default undefined (the client's default, about 3 s in browsers)
   */
  retry?: number | undefined;
}

/**
 * One client's event stream, handed to `onReady` (see {@link eventStream}).
 *
 * @example
 * ```ts
 * eventStream(async (channel) => {
 *   for (let i = 1; i <= 3 && !channel.signal.aborted; i++) {
 *     await channel.send({ event: 'tick', id: i, data: { i } });
 *   }
 *   channel.close();
 * });
 * ```
 */
export interface Channel {
  /**
   * Queues an event. Resolves with `true` when it is accepted into the buffer (at
   * once unless the buffer is full and the policy is `wait`), with `false` when the
   * `drop-newest` policy dropped it. Rejects with an {@link SseError} `INVALID_EVENT`
   * for an event that cannot be encoded (nothing is sent), and with `CLOSED` once the
   * channel is closed (also for sends still waiting for room when it closes).
   */
  send(event: SseEvent): Promise<boolean>;
  /** Queues a comment (one `:` line per line of `text`), as {@link Channel.send} does. */
  comment(text: string): Promise<boolean>;
  /**
   * Stops accepting events, sends what is buffered, then ends the response. Idempotent.
   */
  close(): void;
  /** Resolves, once, with why the stream ended, after it ended. Never rejects. */
  readonly closed: Promise<CloseReason>;
  /**
   * Aborted as soon as the channel stops accepting events (client gone, `close()`,
   * server stop, eviction, error): stop producing. `signal.reason` is an
   * {@link SseError} with code `CLOSED` and the {@link CloseReason} as `reason`.
   */
  readonly signal: AbortSignal;
  /** The client's `Last-Event-ID` request header, or `undefined` (also when empty). */
  readonly lastEventId: string | undefined;
  /** Bytes buffered for this client now (not counting the adapter's and kernel's). */
  readonly bufferedBytes: number;
  /** How many events (and comments) a drop policy discarded so far. */
  readonly droppedEvents: number;
}
