import dc from 'node:diagnostics_channel';
import type { IncomingMessage } from 'node:http';
import type { Http2ServerRequest } from 'node:http2';
import type { AbortReason, HttpContext, Request } from '@plinth/writeable-body';
import type { Logger } from './logger';
import type { NodeResponse } from './sink';

// The adapter's diagnostics channels: a stable, versioned contract (see the README,
// "Diagnostics channels"). A change that breaks a subscriber gets new names (`v2`).

/**
 * The names of the adapter's `node:diagnostics_channel` channels. Every message of
 * one request is the same {@link RequestMessage} object.
 *
 * - `request`: the base name of a `TracingChannel` (`tracing:plinth:node:v1:request:start`,
 *   `:end`, `:error`) around the interceptor chain's synchronous run. A store bound to
 *   its `start` channel (`bindStore`) is active in every interceptor stage and in the
 *   body's producer, its asynchronous continuations included.
 * - `head`: status and headers committed (the time to first byte).
 * - `finish`: the response ended and its last byte was handed to the socket.
 * - `abort`: the response was cut short; `reason` says why.
 *
 * Exactly one of `finish` and `abort` follows each `start`.
 */
export const NODE_CHANNELS: {
  readonly request: 'plinth:node:v1:request';
  readonly head: 'plinth:node:v1:head';
  readonly finish: 'plinth:node:v1:finish';
  readonly abort: 'plinth:node:v1:abort';
} = Object.freeze({
  request: 'plinth:node:v1:request',
  head: 'plinth:node:v1:head',
  finish: 'plinth:node:v1:finish',
  abort: 'plinth:node:v1:abort',
} as const);

/**
 * What the adapter publishes about one request: one object from `start` to `finish`
 * or `abort`, filled in as the response goes. Subscribers may keep their own state
 * on it in a `WeakMap` (or a symbol-keyed property). Times are `performance.now()`
 * milliseconds.
 */
export interface RequestMessage {
  /** The request as the chain sees it. */
  readonly request: Request;
  /** Node's request and response objects. */
  readonly req: IncomingMessage | Http2ServerRequest;
  /** Node's response object. */
  readonly res: NodeResponse;
  /**
   * The context: the one the chain started with, then the one ring-response was
   * given (a router's `ctx.route` is there once routed).
   */
  context: HttpContext;
  /** When the adapter received the request. */
  readonly startTime: number;
  /** When status and headers were committed (`head`), else `undefined`. */
  headTime: number | undefined;
  /** When the response finished or was aborted, else `undefined`. */
  endTime: number | undefined;
  /** The status sent; set at `head`. */
  status: number | undefined;
  /** Body bytes handed to Node (after any encoding the body did itself; no headers). */
  bytes: number;
  /** Why the response was cut short (`abort`), else `undefined`. */
  reason: AbortReason | undefined;
  /** The error behind a `BODY_ERROR` (or the value given to `abort()`), else `undefined`. */
  error: unknown;
}

/** @internal */
export const requestChannel: dc.TracingChannel<unknown, RequestMessage & object> =
  dc.tracingChannel(NODE_CHANNELS.request) as never;
/** @internal */
export const headChannel: dc.Channel = dc.channel(NODE_CHANNELS.head);
/** @internal */
export const finishChannel: dc.Channel = dc.channel(NODE_CHANNELS.finish);
/** @internal */
export const abortChannel: dc.Channel = dc.channel(NODE_CHANNELS.abort);
/** @internal The `start` channel of {@link requestChannel}. */
export const startChannel: dc.Channel = (requestChannel as unknown as { start: dc.Channel }).start;

/**
 * @internal Whether anything listens: checked once per request, before any message
 * is built, so that a server nobody observes pays four property reads.
 */
export function observed(): boolean {
  return (
    startChannel.hasSubscribers ||
    finishChannel.hasSubscribers ||
    abortChannel.hasSubscribers ||
    headChannel.hasSubscribers
  );
}

/**
 * @internal The {@link RequestMessage} of one observed request, and what publishes
 * it. Made only when something listens (or the access log is on).
 */
export class RequestTrace implements RequestMessage {
  readonly request: Request;
  readonly req: IncomingMessage | Http2ServerRequest;
  readonly res: NodeResponse;
  context: HttpContext;
  readonly startTime: number = performance.now();
  headTime: number | undefined = undefined;
  endTime: number | undefined = undefined;
  status: number | undefined = undefined;
  bytes = 0;
  reason: AbortReason | undefined = undefined;
  error: unknown = undefined;
  /** Where the access log line goes, when it is on. */
  readonly accessLog: Logger | undefined;

  constructor(
    request: Request,
    req: IncomingMessage | Http2ServerRequest,
    res: NodeResponse,
    context: HttpContext,
    accessLog: Logger | undefined,
  ) {
    this.request = request;
    this.req = req;
    this.res = res;
    this.context = context;
    this.accessLog = accessLog;
  }

  /** Status and headers were committed. */
  head(status: number): void {
    if (this.headTime !== undefined) return;
    this.headTime = performance.now();
    this.status = status;
    if (headChannel.hasSubscribers) headChannel.publish(this);
  }

  /** The response finished (`reason` undefined) or was cut short; published once. */
  end(reason: AbortReason | undefined, error: unknown): void {
    if (this.endTime !== undefined) return;
    this.endTime = performance.now();
    this.reason = reason;
    this.error = error;
    if (reason === undefined) {
      if (finishChannel.hasSubscribers) finishChannel.publish(this);
    } else if (abortChannel.hasSubscribers) abortChannel.publish(this);
    if (this.accessLog !== undefined) logAccess(this.accessLog, this);
  }
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/** One line per response, at `info`: what an operator greps for. */
function logAccess(logger: Logger, trace: RequestTrace): void {
  const route = (trace.context as { route?: { path?: unknown } }).route?.path;
  logger.info(
    {
      method: trace.req.method,
      url: trace.req.url,
      route: typeof route === 'string' ? route : undefined,
      status: trace.status,
      bytes: trace.bytes,
      ttfbMs: trace.headTime === undefined ? undefined : round(trace.headTime - trace.startTime),
      durationMs: round(trace.endTime! - trace.startTime),
      end: trace.reason ?? 'FINISHED',
    },
    'request completed',
  );
}
