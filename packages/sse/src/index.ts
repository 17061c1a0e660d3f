// @plinth/sse: Server-Sent Events for Plinth.

// The channel a stream is written through, its buffer and options
export type { BufferOptions, BufferPolicy, Channel, StreamOptions } from './channel';
// Diagnostics channels (a stable contract; see the README)
export type {
  SseChannelMessage,
  SseCloseMessage,
  SseDropMessage,
  SseOpenMessage,
  SseReplayMessage,
  SseSendMessage,
} from './diagnostics';
export { SSE_CHANNELS } from './diagnostics';
// Encoding events and comments
export type { SseEvent } from './encode';
export { encodeComment, encodeEvent } from './encode';
// Errors and why streams end
export type {
  CloseCode,
  CloseReason,
  SseErrorCode,
  SseErrorOptions,
  StreamCloseCode,
} from './errors';
export { isSseError, SseError } from './errors';
// Replay storage behind an interface a shared store can implement
export type {
  EventLog,
  LogEntry,
  LogFollow,
  LogFollower,
  LoggedEvent,
  LogRead,
  MemoryEventLogOptions,
} from './event-log';
export { memoryEventLog } from './event-log';
// An event stream as a response body (async generators)
export type { EventSourceInput, EventSourceOptions } from './event-source';
export { eventSource, eventSourceResponse } from './event-source';
// The event-stream interceptor
export type { EventStreamOptions, OnReady } from './event-stream';
export { eventStream, startEventStream } from './event-stream';
// Broadcast and replay
export type { EventHub, HubEvent, HubOptions, SubscribeOptions } from './hub';
export { createHub, RESET_EVENT } from './hub';
