import { type Interceptor, terminate } from '@plinth/interceptor';
import {
  endResponse,
  type HttpContext,
  RESPONDER,
  type ResponseHeaders,
  writeResponse,
  writeResponseBody,
} from '@plinth/writeable-body';
import type { Channel, StreamOptions } from './channel';
import type { SseEvent } from './encode';
import type { CloseReason } from './errors';
import { reasonFromSignal } from './internal/close-reason';
import { EventChannel } from './internal/event-channel';
import { lastEventIdOf, streamHeaders } from './internal/headers';
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
const ignore = (): void => {};

/**
 * An interceptor that turns the request into an event stream (Pedestal's
 * `start-event-stream`). Its `enter` answers 200 with `text/event-stream;
 * charset=utf-8`, `Cache-Control: no-cache, no-transform` and `X-Accel-Buffering: no`
 * (no `Connection` header: the adapter keeps the connection alive or closes it as
 * the request asked), plus the headers already on `ctx.response`, and puts them on the wire at once; then calls
 * `onReady(channel, ctx)` and streams what is sent on the channel.
 *
 * Like Pedestal's, the interceptor does not wait for the stream: `enter` resolves
 * once the headers are out and terminates the rest of the queue (a response went
 * out; nothing after it may set another), so the chain's `leave` stages run at
 * once while the stream goes on. The stream ends when the channel does (`close()`,
 * the client leaving, server stop, …); the response is then ended or, after a
 * failure, aborted by the adapter so that the client can tell.
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
    // The channel is also the body written through the adapter, and it holds the
    // hooks itself: nothing else is allocated per stream.
    const channel = new EventChannel(settings, lastEventIdOf(ctx?.request), {
      ctx,
      onReady,
      onClose: onClientDisconnect,
      responder,
    });
    const headers = streamHeaders(ctx?.response?.headers, extraHeaders);
    try {
      await writeResponse(ctx, { status: 200, headers });
    } catch (error) {
      if (responder?.signal.aborted) {
        // The client left before the headers went out: nothing to stream.
        channel.endNow(reasonFromSignal(responder.signal));
        return terminate(ctx);
      }
      channel.endNow({ code: 'ERROR', error });
      throw error;
    }
    // The stream goes on after `enter` returned (as Pedestal's does): the adapter
    // keeps a low-level response open until it is ended. Ended here once the channel
    // is done; a failure is the adapter's to report (it logs it once and aborts the
    // connection, so the client can tell).
    writeResponseBody(ctx, channel)
      .then(
        () => {
          // Still open here only when the adapter never ran the body (a HEAD request):
          // the stream ended all the same.
          channel.endNow({ code: 'CLOSED' });
          return responder !== undefined && !responder.ended ? endResponse(ctx) : ctx;
        },
        (error: unknown) =>
          channel.endNow(
            responder?.signal.aborted
              ? reasonFromSignal(responder.signal)
              : { code: 'ERROR', error },
          ),
      )
      .catch(ignore);
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
