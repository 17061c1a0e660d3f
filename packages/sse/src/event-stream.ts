import { type Interceptor, terminate } from '@plinth/interceptor';
import {
  endResponse,
  type HttpContext,
  RESPONDER,
  type ResponseHeaders,
  writeableBody,
  writeResponse,
  writeResponseBody,
} from '@plinth/writeable-body';
import type { Channel, StreamOptions } from './channel';
import type { SseEvent } from './encode';
import { type CloseReason, SseError } from './error';
import { EventChannel, reasonFromSignal } from './internal/event-channel';
import { lastEventIdOf, SSE_CONTENT_TYPE, streamHeaders } from './internal/headers';
import { adoptProducerResult } from './internal/producer';
import { badOption, streamSettings } from './internal/settings';

/**
 * Called once the stream is open (headers sent), with the client's {@link Channel}
 * and the context. It may send at once, keep the channel for later (a hub does),
 * return a promise (a rejection ends the stream as an error), or return an async
 * iterable (an async generator) whose events are sent and whose completion closes
 * the stream. It is never awaited before events are written: events sent while it
 * runs go out at once.
 */
export type OnReady<C extends HttpContext = HttpContext> = (
  channel: Channel,
  ctx: C,
) => void | Promise<void> | AsyncIterable<SseEvent>;

/** Options of {@link eventStream}. */
export interface EventStreamOptions<C extends HttpContext = HttpContext> extends StreamOptions {
  /**
   * Called exactly once when the stream ended, whatever ended it: the client went
   * away, `close()`, an error in `onReady`, server stop, eviction by a hub. See
   * {@link CloseReason}. (Pedestal's `on-client-disconnect`, with a reason.)
   * @default undefined
   */
  onClientDisconnect?: ((ctx: C, reason: CloseReason) => void) | undefined;
  /**
   * More response headers. They may override `Cache-Control`; the content type is
   * always `text/event-stream; charset=utf-8`. Headers already on `ctx.response`
   * (set by a CORS interceptor, say) are sent too.
   * @default undefined
   */
  headers?: ResponseHeaders | undefined;
  /**
   * The interceptor's name (in errors and observers).
   * @default 'eventStream'
   */
  name?: string | undefined;
}

const WHERE = 'eventStream(onReady, options)';

/**
 * An interceptor that turns the request into an event stream (Pedestal's
 * `start-event-stream`). Its `enter` answers 200 with `text/event-stream;
 * charset=utf-8`, `Cache-Control: no-cache, no-transform`, `X-Accel-Buffering: no`
 * (and `Connection: keep-alive` on HTTP/1.1), plus the headers already on
 * `ctx.response`, and puts them on the wire at once; then calls
 * `onReady(channel, ctx)` and streams what is sent on the channel.
 *
 * The `enter` resolves when the stream has ended (so outer `leave` stages see the
 * whole stream, as an access log wants), and terminates the rest of the queue: a
 * response went out, nothing after it may set another.
 *
 * @example
 * ```ts
 * import { createServer } from '@plinth/node';
 * import { eventStream } from '@plinth/sse';
 *
 * const server = createServer([
 *   eventStream(async (channel) => {
 *     for (const [i, name] of ['one', 'two', 'three'].entries()) {
 *       await channel.send({ event: name, id: i + 1, data: `event ${name}` });
 *     }
 *     channel.close();
 *   }, { heartbeatMs: 15_000, buffer: { size: 65_536, policy: 'drop-oldest' } }),
 * ]);
 * await server.start();
 * ```
 */
export function eventStream<C extends HttpContext = HttpContext>(
  onReady: OnReady<C>,
  options?: EventStreamOptions<C>,
): Interceptor<C> {
  if (typeof onReady !== 'function') throw badOption(WHERE, 'onReady', 'a function', onReady);
  const settings = streamSettings(options, WHERE);
  const onClientDisconnect = options?.onClientDisconnect;
  if (onClientDisconnect !== undefined && typeof onClientDisconnect !== 'function') {
    throw badOption(WHERE, 'options.onClientDisconnect', 'a function', onClientDisconnect);
  }
  const extraHeaders = options?.headers;
  if (extraHeaders !== undefined && (extraHeaders === null || typeof extraHeaders !== 'object')) {
    throw badOption(WHERE, 'options.headers', 'an object', extraHeaders);
  }
  const name = options?.name ?? 'eventStream';
  if (typeof name !== 'string') throw badOption(WHERE, 'options.name', 'a string', name);

  async function enter(ctx: C): Promise<C> {
    const responder = ctx?.[RESPONDER];
    const channel = new EventChannel(settings, lastEventIdOf(ctx?.request));
    if (onClientDisconnect !== undefined)
      channel.onEnd((reason) => onClientDisconnect(ctx, reason));
    if (responder !== undefined) {
      channel.abortResponse = (reason) =>
        responder.abort(new SseError('CLOSED', `The event stream was ${reason.code}`, { reason }));
    }
    const headers = streamHeaders(responder?.protocol, ctx?.response?.headers, extraHeaders);
    try {
      await writeResponse(ctx, { status: 200, headers });
    } catch (error) {
      if (responder?.signal.aborted) {
        // The client left before the headers went out: nothing to stream.
        channel.finish(reasonFromSignal(responder.signal));
        return terminate(ctx);
      }
      channel.finish({ code: 'error', error });
      throw error;
    }
    const body = writeableBody({
      contentType: SSE_CONTENT_TYPE,
      write: (sink) =>
        channel.run(sink, () => {
          sink.flush();
          adoptProducerResult(channel, onReady(channel, ctx));
        }),
    });
    try {
      await writeResponseBody(ctx, body);
    } catch (error) {
      // The stream failed (the adapter aborted the response) or could not start.
      if (responder?.signal.aborted && channel.isOpen) {
        channel.finish(reasonFromSignal(responder.signal));
      } else {
        channel.finish({ code: 'error', error });
      }
      throw error;
    }
    if (responder !== undefined && !responder.ended) {
      try {
        await endResponse(ctx);
      } catch (error) {
        // Ending a response the client already left is not an error.
        if (!responder.signal.aborted) throw error;
      }
    }
    return terminate(ctx);
  }

  return { name, enter };
}

/**
 * Pedestal's name for {@link eventStream}: the same function.
 *
 * @example
 * ```ts
 * const events = startEventStream((channel) => {
 *   void channel.send({ data: 'hello' });
 * });
 * ```
 */
export const startEventStream: typeof eventStream = eventStream;
