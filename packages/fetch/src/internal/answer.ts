import { InterceptorError } from '@plinth/interceptor';
import {
  clientErrorStatus,
  clientErrorText,
  discardBody as discard,
  errorMessage,
  type Response as RingResponse,
  TEXT_PLAIN_UTF8,
} from '@plinth/writeable-body';
import { abortReason, type FetchExchange } from '../exchange';

// What the adapter answers itself: the same answers as @plinth/node's (the
// reading of a client error is shared through @plinth/writeable-body) in
// internal/error-answer.ts and internal/text-answer.ts (the stylobate's rules).

/**
 * Answers with a short plain-text response (the adapter's own answers: 404, 4xx, 500).
 * @internal
 */
export function sendText(exchange: FetchExchange, status: number, text: string): void {
  exchange.phase = 'ended';
  exchange.status = status;
  exchange.headers = { 'content-type': TEXT_PLAIN_UTF8 };
  exchange.commitWhole(exchange.request.method === 'HEAD' ? null : text);
}

/**
 * The stylobate's error stage: answers an unhandled error (a 4xx with the error's
 * message, else 500) when nothing went out, or aborts the response when it had
 * started. Logs once.
 * @internal
 */
export function answerError(exchange: FetchExchange, error: unknown, response?: unknown): void {
  const chainError = InterceptorError.isError(error) ? error : undefined;
  const cause = chainError === undefined ? error : chainError.cause;
  if (
    response !== null &&
    typeof response === 'object' &&
    chainError?.interceptor !== 'plinth.ring-response'
  ) {
    discard((response as RingResponse).body);
  }
  const fields = {
    interceptor: chainError?.interceptor,
    stage: chainError?.stage,
    method: exchange.request.method,
    url: exchange.request.url,
  };
  const reason = exchange.reason;
  if (reason !== undefined && reason.code !== 'BODY_ERROR') {
    exchange.state.logger.debug(
      { ...fields, reason: reason.code, error: errorMessage(cause) },
      'request ended early',
    );
    return;
  }
  if (exchange.committed || reason !== undefined) {
    exchange.cutShort(abortReason('BODY_ERROR', cause), true);
    exchange.logOnce(cause, fields, 'response failed after it started; connection aborted');
    return;
  }
  const status = clientErrorStatus(cause);
  if (status === undefined) {
    exchange.logOnce(cause, fields, 'unhandled error; answered 500');
    sendText(exchange, 500, 'Internal server error');
    return;
  }
  const text = clientErrorText(cause as object, status);
  exchange.state.logger.info({ ...fields, status, error: errorMessage(cause) }, 'client error');
  sendText(exchange, status, text);
}
