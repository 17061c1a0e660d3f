import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import { type Interceptor, interceptor, run } from '@plinth/interceptor';
import { describeValue, type HttpContext, RESPONDER } from '@plinth/writeable-body';
import { observed, RequestTrace, requestChannel } from './diagnostics';
import { NodeAdapterError } from './errors';
import type { Exchange, ServerState } from './exchange';
import { ringResponse, stylobate, terminator } from './interceptors';
import { watchClose } from './internal/abort';
import { answerError } from './internal/error-answer';
import type { LiveList } from './internal/live';
import { armHandlerTimeout, chainSettled, MAX_HANDLER_TIMEOUT } from './internal/timeout';
import { jsonLogger, type Logger } from './logger';
import type { ListenerOptions, Service } from './options';
import { DEFAULT_BODY_LIMIT, NodeHttpRequest } from './request';
import { NodeResponder } from './responder';

/** A request listener for `node:http`, `node:https`, `node:http2` and Connect/Express. */
export type PlinthListener = (
  req: IncomingMessage | Http2ServerRequest,
  res: ServerResponse | Http2ServerResponse,
  next?: (error?: unknown) => void,
) => void;

const LOGGER_METHODS = ['error', 'warn', 'info', 'debug'] as const;

/** @internal */
export function checkLogger(logger: unknown): Logger {
  if (logger === undefined) return jsonLogger();
  for (const method of LOGGER_METHODS) {
    if (typeof (logger as Record<string, unknown> | null)?.[method] !== 'function') {
      throw new NodeAdapterError(
        'INVALID_ARGUMENT',
        `options.logger must have error, warn, info and debug methods (pino's signature); its ${method} is ${describeValue((logger as Record<string, unknown> | null)?.[method])}`,
      );
    }
  }
  return logger as Logger;
}

/** @internal */
export function serviceInterceptors(fn: string, service: Service): readonly Interceptor[] {
  const list = Array.isArray(service)
    ? service
    : (service as { interceptors?: unknown } | null)?.interceptors;
  if (!Array.isArray(list)) {
    throw new NodeAdapterError(
      'INVALID_ARGUMENT',
      `${fn}: service must be an array of interceptors or an object with an interceptors array, got ${describeValue(Array.isArray(service) || service === null || typeof service !== 'object' ? service : list)}`,
    );
  }
  return list.map((entry, index) => {
    try {
      return interceptor(entry as Interceptor);
    } catch (error) {
      throw new NodeAdapterError(
        'INVALID_ARGUMENT',
        `${fn}: interceptors[${index}] is not an interceptor: ${(error as Error).message}`,
        { cause: error },
      );
    }
  });
}

/** @internal */
export function makeServerState(
  fn: string,
  service: Service,
  options: ListenerOptions,
  live: LiveList<Exchange> | undefined,
): ServerState {
  const bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  if (!Number.isSafeInteger(bodyLimit) || bodyLimit < 0) {
    throw new NodeAdapterError(
      'INVALID_ARGUMENT',
      `${fn}: options.bodyLimit must be a non-negative integer, got ${describeValue(bodyLimit)}`,
    );
  }
  const handlerTimeout = options.handlerTimeout === undefined ? 0 : options.handlerTimeout;
  if (
    !Number.isSafeInteger(handlerTimeout) ||
    handlerTimeout < 0 ||
    handlerTimeout > MAX_HANDLER_TIMEOUT
  ) {
    throw new NodeAdapterError(
      'INVALID_ARGUMENT',
      `${fn}: options.handlerTimeout must be a whole number of milliseconds from 0 (off) to ${MAX_HANDLER_TIMEOUT}, got ${describeValue(handlerTimeout)}`,
    );
  }
  if (options.accessLog !== undefined && typeof options.accessLog !== 'boolean') {
    throw new NodeAdapterError(
      'INVALID_ARGUMENT',
      `${fn}: options.accessLog must be a boolean, got ${describeValue(options.accessLog)}`,
    );
  }
  const logger = checkLogger(options.logger);
  return {
    chain: [stylobate, terminator, ringResponse, ...serviceInterceptors(fn, service)],
    logger,
    bodyLimit,
    handlerTimeout,
    live,
    logged: new WeakSet(),
    accessLog: options.accessLog === true ? logger : undefined,
    stopping: false,
    onClosed: undefined,
  };
}

/**
 * Makes the context of a request: `{ request, [RESPONDER] }`, a plain object
 * (its prototype is `Object.prototype`, its constructor `Object`). Built by a
 * constructor rather than an object literal because V8 then sizes the object for
 * the properties the chain adds to every context (its state, `response`), so they
 * are stored in the object itself; a literal has room for its own two properties
 * only, and each context would allocate a separate property array for the others.
 */
const RequestContext = function RequestContext(
  this: Record<PropertyKey, unknown>,
  request: NodeHttpRequest,
  exchange: Exchange,
): void {
  this.request = request;
  this[RESPONDER] = exchange;
} as unknown as new (
  request: NodeHttpRequest,
  exchange: Exchange,
) => HttpContext;
RequestContext.prototype = Object.prototype;

function chainFailed(this: Exchange, error: unknown): void {
  if (this.timer !== undefined || this.reason !== undefined) chainSettled(this, undefined);
  // Only reached when the stylobate itself could not answer (it handles everything else).
  answerError(this, error);
}

function chainDone(this: Exchange, ctx: HttpContext): void {
  this.chainDone = true;
  if (this.timer !== undefined || this.reason !== undefined) chainSettled(this, ctx);
}

/**
 * Runs the chain inside the request's TracingChannel: a store bound to its `start`
 * channel is active for the whole run and every continuation it creates (the
 * interceptors' promises, the body's producer).
 */
function tracedRun(
  exchange: Exchange,
  request: NodeHttpRequest,
  ctx: HttpContext,
  state: ServerState,
): ReturnType<typeof run> {
  const trace = new RequestTrace(request, exchange.req, exchange.res, ctx, state.accessLog);
  exchange.trace = trace;
  return requestChannel.traceSync(run, trace, undefined, ctx, state.chain) as ReturnType<
    typeof run
  >;
}

/** @internal Serves one request. */
export function handle(
  state: ServerState,
  req: IncomingMessage | Http2ServerRequest,
  res: ServerResponse | Http2ServerResponse,
  next: ((error?: unknown) => void) | undefined,
): void {
  const exchange = new NodeResponder(req, res, state);
  if (next !== undefined) exchange.next = next;
  const request = new NodeHttpRequest(exchange);
  const ctx = new RequestContext(request, exchange);
  exchange.ctx = ctx;
  // run, not execute: a chain whose stages are all synchronous (the common case)
  // costs no promise and no microtask. Observed (diagnostics channels, access log):
  // the same run inside the request's TracingChannel.
  const done =
    state.accessLog === undefined && !observed()
      ? run(ctx, state.chain)
      : tracedRun(exchange, request, ctx, state);
  if (!(done instanceof Promise)) {
    exchange.chainDone = true;
    // Answered and every byte handed to the socket during this call (the common
    // case): no listener, no tracking, nothing more to do.
    if (exchange.handedOver) {
      if (exchange.trace !== undefined) exchange.trace.end(undefined, undefined);
      return;
    }
  } else if (exchange.phase === 'ended' && !exchange.lowLevel) {
    // Answered, and the chain failed synchronously anyway: the stylobate could not
    // handle an error (its logger threw, say).
    exchange.chainDone = true;
    done.then(undefined, (error: unknown) => {
      state.logger.error({ err: error }, 'the adapter could not answer an error');
    });
  } else {
    done.then(chainDone.bind(exchange), chainFailed.bind(exchange));
    if (state.handlerTimeout !== 0) armHandlerTimeout(exchange);
  }
  // Followed until the response closes (not just ends): the client leaving aborts
  // the request, and stop() must not destroy a connection still flushing a body.
  watchClose(exchange);
}

/**
 * Turns a service (the application's interceptors) into a request listener, with
 * the adapter's interceptors in front: the stylobate, the terminator and
 * ring-response (see the README). Works with `node:http`, `node:https`,
 * `node:http2` (compatibility API) and as Connect/Express middleware, where a
 * chain that sets no response calls `next()` instead of answering 404.
 *
 * `createServer` adds graceful shutdown on top; with a bare listener, closing the
 * server is up to you.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * import { requestListener } from '@plinth/node';
 *
 * const hello = (request) => ({ status: 200, body: { hello: request.path } });
 * createServer(requestListener([hello])).listen(8080);
 * ```
 */
export function requestListener(service: Service, options: ListenerOptions = {}): PlinthListener {
  const state = makeServerState('requestListener(service, options)', service, options, undefined);
  return (req, res, next) => handle(state, req, res, typeof next === 'function' ? next : undefined);
}
