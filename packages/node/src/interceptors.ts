import { type Interceptor, interceptor, terminateWhen } from '@plinth/interceptor';
import {
  describeValue,
  discardBody as discard,
  findResponder,
  type HttpContext,
  RESPONDER,
} from '@plinth/writeable-body';
import { NodeAdapterError } from './errors';
import { Exchange } from './exchange';
import { answerError } from './internal/error-answer';
import { writeRingResponse } from './internal/ring-writer';
import { sendText } from './internal/text-answer';

function exchangeOf(ctx: HttpContext, name: string): Exchange {
  // Ours, or behind wrappers an interceptor put in front of it (@plinth/compress).
  const exchange = findResponder(ctx, (responder) => responder instanceof Exchange);
  if (exchange !== undefined) return exchange;
  throw new NodeAdapterError(
    'INVALID_ARGUMENT',
    `${name}: the context has no responder of @plinth/node (ctx[RESPONDER] is ${describeValue(ctx?.[RESPONDER])}); keep the context's symbol keys when copying it`,
  );
}

function hasResponse(ctx: HttpContext): boolean {
  return ctx.response !== undefined && ctx.response !== null;
}

/**
 * The outermost adapter interceptor (Pedestal's stylobate): an error no
 * application interceptor handled becomes a response here. When nothing was sent
 * yet: an error with a numeric `status` from 400 to 499 (http-errors convention)
 * answers that status with its message as `text/plain` (unless `expose` is
 * `false`), anything else answers 500 `Internal server error` and is logged at
 * error level, once, with the interceptor and stage. When the response had
 * started, the connection is aborted (HTTP/1.1: no terminating chunk; HTTP/2:
 * stream reset) and the error logged once. After the client left, errors are its
 * consequences and are logged at debug level only.
 */
export const stylobate: Interceptor<HttpContext> = interceptor<HttpContext>({
  name: 'plinth.stylobate',
  error(ctx, error) {
    answerError(exchangeOf(ctx, 'stylobate'), error, ctx.response);
    return ctx;
  },
});

/**
 * Ends the chain's `enter` phase as soon as a context holds a response (Pedestal's
 * terminator injector): interceptors queued after the one that answered do not run.
 */
export const terminator: Interceptor<HttpContext> = interceptor<HttpContext>({
  name: 'plinth.terminator',
  enter: (ctx) => terminateWhen(ctx, hasResponse),
});

/**
 * Writes `ctx.response` on `leave` through the body-writer protocol: validates
 * status and headers (a CR/LF in a header value is a 500, never written), applies
 * the body's default Content-Type and its Content-Length when known, sends HEAD,
 * 204 and 304 without a body (the producer never runs), and otherwise writes the
 * body and ends the response. No response: 404 (or `next()` under Connect/Express).
 * After a low-level write it does nothing: the response is already on the wire.
 */
export const ringResponse: Interceptor<HttpContext> = interceptor<HttpContext>({
  name: 'plinth.ring-response',
  leave(ctx) {
    const exchange = exchangeOf(ctx, 'ring-response');
    // The context as it reached ring-response (a router's ctx.route on it), for observers.
    if (exchange.trace !== undefined) exchange.trace.context = ctx;
    const response = ctx.response;
    if (exchange.phase !== 'idle') {
      // Already answered (a low-level write, a timeout): a response set now is not
      // sent, and a stream it holds is given up.
      if (response !== undefined && response !== null && typeof response === 'object') {
        discard(response.body);
      }
      return ctx;
    }
    if (exchange.reason !== undefined) {
      // The client left: nobody to answer; a stream the response holds is given up.
      if (response !== undefined && response !== null && typeof response === 'object') {
        discard(response.body);
      }
      return ctx;
    }
    if (response === undefined || response === null) {
      const next = exchange.next;
      if (next !== undefined) {
        exchange.phase = 'ended';
        next();
      } else {
        sendText(exchange, 404, 'Not Found');
      }
      return ctx;
    }
    if (typeof response !== 'object') {
      throw new NodeAdapterError(
        'INVALID_RESPONSE',
        `ctx.response must be a response object { status, headers?, body? }, got ${describeValue(response)}`,
      );
    }
    const sending = writeRingResponse(exchange, response);
    return sending === undefined ? ctx : sending.then(() => ctx);
  },
});
