import { InterceptorError } from '@plinth/interceptor';
import type { Response } from '@plinth/writeable-body';
import {
  clientErrorStatus,
  clientErrorText,
  discardBody as discard,
  errorMessage,
} from '@plinth/writeable-body';
import type { Exchange } from '../exchange';
import { abortExchange } from './abort';
import { abortReason } from './reasons';
import { sendText } from './text-answer';

/**
 * The stylobate's error stage, the one place where a failure of the chain or of its
 * response comes back to: answers an unhandled error (a 4xx with the error's message,
 * else 500) when nothing reached the wire, or aborts the connection when the
 * response had started. Logs once. `response` is the context's, given up when the
 * error came before ring-response took it.
 *
 * A ring body that failed before its head was committed has been withdrawn by
 * ring-response already ({@link Exchange.retract}), so it is answered like any
 * handler error.
 * @internal
 */
export function answerError(exchange: Exchange, error: unknown, response?: unknown): void {
  const chainError = InterceptorError.isError(error) ? error : undefined;
  const cause = chainError === undefined ? error : chainError.cause;
  if (
    response !== null &&
    typeof response === 'object' &&
    chainError?.interceptor !== 'plinth.ring-response'
  ) {
    // A response the chain made but failed before ring-response took it (an
    // interceptor's leave threw): its body will never be written.
    discard((response as Response).body);
  }
  const state = exchange.serverState;
  const fields = {
    interceptor: chainError?.interceptor,
    stage: chainError?.stage,
    method: exchange.req.method,
    url: exchange.req.url,
  };
  const reason = exchange.reason;
  if (reason !== undefined && reason.code !== 'BODY_ERROR') {
    // A consequence of the client leaving (or of the server stopping): not an error.
    state.logger.debug(
      { ...fields, reason: reason.code, error: errorMessage(cause) },
      'request ended early',
    );
    return;
  }
  if (exchange.committed || reason !== undefined) {
    abortExchange(exchange, abortReason('BODY_ERROR', cause), true);
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
  state.logger.info({ ...fields, status, error: errorMessage(cause) }, 'client error');
  if (status === 413) exchange.closeAfter = true;
  sendText(exchange, status, text);
}
