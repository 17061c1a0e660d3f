import {
  type Request,
  type Response,
  type WriteableBody,
  writeableBody,
} from '@plinth/writeable-body';
import type { Channel, StreamOptions } from './channel';
import type { SseEvent } from './encode';
import type { CloseReason } from './errors';
import { EventChannel } from './internal/event-channel';
import { lastEventIdOf, SSE_CONTENT_TYPE, streamHeaders } from './internal/headers';
import { isAsyncIterable } from './internal/producer';
import { badOption, streamSettings } from './internal/settings';

/**
 * Where the events of an {@link eventSource} come from: an async iterable of events
 * (an async generator), or a function handed the {@link Channel} that sends on it
 * and may itself return an async iterable.
 */
export type EventSourceInput =
  | AsyncIterable<SseEvent>
  | ((channel: Channel) => void | Promise<void> | AsyncIterable<SseEvent>);

/** Options of {@link eventSource}. */
export interface EventSourceOptions extends StreamOptions {
  /**
   * The client's last event id, for a source that resumes (see
   * {@link Channel.lastEventId}); {@link eventSourceResponse} takes it from the request.
   * @default undefined
   */
  lastEventId?: string | undefined;
  /**
   * Called exactly once when the stream ended, whatever ended it.
   * @default undefined
   */
  onClose?: ((reason: CloseReason) => void) | undefined;
}

/**
 * An event stream as a response body: a {@link WriteableBody} with the content type
 * `text/event-stream; charset=utf-8` that sends the events `source` yields. The
 * stream ends when the source completes; when the client goes away first, the
 * iterator is stopped (a generator's `finally` runs). Pair it with the stream
 * headers, or use {@link eventSourceResponse} which does.
 *
 * @example
 * ```ts
 * const clock = interceptor(() => ({
 *   status: 200,
 *   headers: { 'cache-control': 'no-cache, no-transform' },
 *   body: eventSource(async function* () {
 *     for (let i = 0; i < 10; i++) {
 *       yield { event: 'tick', id: i, data: new Date().toISOString() };
 *       await new Promise((r) => setTimeout(r, 1000));
 *     }
 *   }()),
 * }));
 * ```
 */
export function eventSource(source: EventSourceInput, options?: EventSourceOptions): WriteableBody {
  if (typeof source !== 'function' && !isAsyncIterable(source)) {
    throw badOption('eventSource(source)', 'source', 'an async iterable or a function', source);
  }
  const settings = streamSettings(options, 'eventSource(source, options)');
  const onClose = options?.onClose;
  if (onClose !== undefined && typeof onClose !== 'function') {
    throw badOption('eventSource(source, options)', 'options.onClose', 'a function', onClose);
  }
  const lastEventId = options?.lastEventId;
  if (lastEventId !== undefined && typeof lastEventId !== 'string') {
    throw badOption('eventSource(source, options)', 'options.lastEventId', 'a string', lastEventId);
  }
  const onReady = typeof source === 'function' ? source : () => source;
  const hooks = {
    onReady,
    onClose:
      onClose === undefined ? undefined : (_ctx: unknown, reason: CloseReason) => onClose(reason),
  };
  return writeableBody({
    contentType: SSE_CONTENT_TYPE,
    write: (sink) => new EventChannel(settings, lastEventId, hooks).streamTo(sink),
  });
}

/**
 * A complete event-stream response for a handler: status 200, the stream headers
 * (`Cache-Control: no-cache, no-transform` and `X-Accel-Buffering: no`; no
 * `Connection` header, which is the adapter's) and an {@link eventSource} body that knows
 * the request's `Last-Event-ID`.
 *
 * @example
 * ```ts
 * const countdown = interceptor((request) =>
 *   eventSourceResponse(request, async function* () {
 *     for (let i = 3; i > 0; i--) yield { data: String(i) };
 *   }()),
 * );
 * ```
 */
export function eventSourceResponse(
  request: Request,
  source: EventSourceInput,
  options?: EventSourceOptions,
): Response<WriteableBody> {
  if (request === null || typeof request !== 'object') {
    throw badOption('eventSourceResponse(request, source)', 'request', 'a request', request);
  }
  const lastEventId = options?.lastEventId ?? lastEventIdOf(request);
  return {
    status: 200,
    headers: streamHeaders(undefined, undefined),
    body: eventSource(source, { ...options, lastEventId }),
  };
}
