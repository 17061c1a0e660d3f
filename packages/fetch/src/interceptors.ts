import { type Interceptor, interceptor, terminateWhen } from '@plinth/interceptor';
import {
  describeValue,
  discardBody as discard,
  findResponder,
  type HttpContext,
  RESPONDER,
} from '@plinth/writeable-body';
import { FetchAdapterError } from './errors';
import { FetchExchange } from './exchange';
import { answerError, sendText } from './internal/answer';
import { writeRingResponse } from './internal/ring-writer';

// The adapter's own interceptors, in front of every service as on Node: the
// stylobate, the terminator and ring-response, with @plinth/node's rules.

function exchangeOf(ctx: HttpContext, name: string): FetchExchange {
  // Ours, or behind wrappers an interceptor put in front of it (@plinth/compress).
  const exchange = findResponder(ctx, (responder) => responder instanceof FetchExchange);
  if (exchange !== undefined) return exchange;
  throw new FetchAdapterError(
    'INVALID_ARGUMENT',
    `${name}: the context has no responder of @plinth/fetch (ctx[RESPONDER] is ${describeValue(ctx?.[RESPONDER])}); keep the context's symbol keys when copying it`,
  );
}

function hasResponse(ctx: HttpContext): boolean {
  return ctx.response !== undefined && ctx.response !== null;
}

/**
 * The outermost interceptor: an unhandled error becomes a 4xx (an error with a
 * `status` from 400 to 499) or a 500 when nothing was sent, and aborts the response
 * when it had started.
 * @internal
 */
export const stylobate: Interceptor<HttpContext> = interceptor<HttpContext>({
  name: 'plinth.stylobate',
  error(ctx, error) {
    answerError(exchangeOf(ctx, 'stylobate'), error, ctx.response);
    return ctx;
  },
});

/**
 * Ends the chain's `enter` phase as soon as a context holds a response.
 * @internal
 */
export const terminator: Interceptor<HttpContext> = interceptor<HttpContext>({
  name: 'plinth.terminator',
  enter: (ctx) => terminateWhen(ctx, hasResponse),
});

/**
 * Writes `ctx.response` on `leave` through the body-writer protocol; no response: 404.
 * @internal
 */
export const ringResponse: Interceptor<HttpContext> = interceptor<HttpContext>({
  name: 'plinth.ring-response',
  leave(ctx) {
    const exchange = exchangeOf(ctx, 'ring-response');
    const response = ctx.response;
    if (exchange.phase !== 'idle' || exchange.reason !== undefined) {
      if (response !== undefined && response !== null && typeof response === 'object') {
        discard(response.body);
      }
      return ctx;
    }
    if (response === undefined || response === null) {
      sendText(exchange, 404, 'Not Found');
      return ctx;
    }
    if (typeof response !== 'object') {
      throw new FetchAdapterError(
        'INVALID_RESPONSE',
        `ctx.response must be a response object { status, headers?, body? }, got ${describeValue(response)}`,
      );
    }
    const sending = writeRingResponse(exchange, response);
    return sending === undefined ? ctx : sending.then(() => ctx);
  },
});
