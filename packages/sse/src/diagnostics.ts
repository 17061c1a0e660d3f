import type { BufferPolicy, Channel } from './channel';
import type { CloseCode } from './errors';
import { diagnosticsChannel, type PublishChannel } from './internal/portable';

// The event streams' diagnostics channels: a stable, versioned contract (see the
// README, "Diagnostics channels"). A change that breaks a subscriber gets new names.

/**
 * The names of the `node:diagnostics_channel` channels `@plinth/sse` publishes on.
 * Each message carries the stream's {@link Channel} (the same object for every
 * message of one stream), so a subscriber can tell streams apart.
 *
 * - `open`: a stream started ({@link SseOpenMessage}).
 * - `close`: a stream ended, with its reason code ({@link SseCloseMessage}).
 * - `send`: a block of fields was accepted for a client: an event, or the `retry:`
 *   preamble of `eventStream({ retry })`; comments and heartbeats are not published
 *   ({@link SseSendMessage}).
 * - `drop`: a buffer policy dropped events for a slow client ({@link SseDropMessage}).
 * - `evict`: a hub evicted a client that stayed too slow ({@link SseChannelMessage}).
 * - `replay`: a hub started replaying after `Last-Event-ID` ({@link SseReplayMessage}).
 * - `reset`: a hub sent its reset event: the history asked for was gone ({@link SseReplayMessage}).
 */
export const SSE_CHANNELS: {
  readonly open: 'plinth:sse:v1:open';
  readonly close: 'plinth:sse:v1:close';
  readonly send: 'plinth:sse:v1:send';
  readonly drop: 'plinth:sse:v1:drop';
  readonly evict: 'plinth:sse:v1:evict';
  readonly replay: 'plinth:sse:v1:replay';
  readonly reset: 'plinth:sse:v1:reset';
} = Object.freeze({
  open: 'plinth:sse:v1:open',
  close: 'plinth:sse:v1:close',
  send: 'plinth:sse:v1:send',
  drop: 'plinth:sse:v1:drop',
  evict: 'plinth:sse:v1:evict',
  replay: 'plinth:sse:v1:replay',
  reset: 'plinth:sse:v1:reset',
} as const);

/** A message about one stream. */
export interface SseChannelMessage {
  /** The stream's channel. */
  readonly channel: Channel;
}

/** `open`: a stream started. */
export interface SseOpenMessage extends SseChannelMessage {
  /** The client's `Last-Event-ID`, when it sent one. */
  readonly lastEventId: string | undefined;
}

/** `close`: a stream ended. */
export interface SseCloseMessage extends SseChannelMessage {
  /** Why (`CLOSED`, `CLIENT_DISCONNECT`, `EVICTED`, `ERROR`, `SERVER_STOP`...). */
  readonly reason: CloseCode;
  /** The error behind `ERROR` (or the adapter's abort reason), else `undefined`. */
  readonly error: unknown;
}

/** `send`: one block accepted for a client. */
export interface SseSendMessage extends SseChannelMessage {
  /** Its encoded size in bytes. */
  readonly bytes: number;
}

/** `drop`: events dropped for a slow client. */
export interface SseDropMessage extends SseChannelMessage {
  /** How many were dropped by this offer. */
  readonly count: number;
  /** The policy that dropped them. */
  readonly policy: BufferPolicy;
}

/** `replay` and `reset`. */
export interface SseReplayMessage extends SseChannelMessage {
  /** The `Last-Event-ID` the client resumed from. */
  readonly lastEventId: string;
}

/** @internal */
export const openChannel: PublishChannel = diagnosticsChannel(SSE_CHANNELS.open);
/** @internal */
export const closeChannel: PublishChannel = diagnosticsChannel(SSE_CHANNELS.close);
/** @internal */
export const sendChannel: PublishChannel = diagnosticsChannel(SSE_CHANNELS.send);
/** @internal */
export const dropChannel: PublishChannel = diagnosticsChannel(SSE_CHANNELS.drop);
/** @internal */
export const evictChannel: PublishChannel = diagnosticsChannel(SSE_CHANNELS.evict);
/** @internal */
export const replayChannel: PublishChannel = diagnosticsChannel(SSE_CHANNELS.replay);
/** @internal */
export const resetChannel: PublishChannel = diagnosticsChannel(SSE_CHANNELS.reset);

const COLON = 0x3a;

/** @internal Publishes `send` for an accepted chunk that is not a comment. Call only when `sendChannel.hasSubscribers`. */
export function publishSend(channel: Channel, chunk: Uint8Array): void {
  if (chunk[0] === COLON) return;
  sendChannel.publish({ channel, bytes: chunk.byteLength } satisfies SseSendMessage);
}

/** @internal Publishes `drop` when an offer dropped something. Call only when `dropChannel.hasSubscribers`. */
export function publishDrop(channel: Channel, count: number, policy: BufferPolicy): void {
  if (count > 0) dropChannel.publish({ channel, count, policy } satisfies SseDropMessage);
}
