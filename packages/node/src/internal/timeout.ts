import { pendingStage } from '@plinth/interceptor';
import type { HttpContext } from '@plinth/writeable-body';
import { discardBody as discard } from '@plinth/writeable-body';
import type { Exchange } from '../exchange';
import { abortExchange } from './abort';
import { abortReason } from './reasons';
import { sendText } from './text-answer';

/**
 * The longest `handlerTimeout`: Node's timers hold at most 2^31 - 1 ms (a longer
 * delay would fire after 1 ms).
 * @internal
 */
export const MAX_HANDLER_TIMEOUT = 2_147_483_647;

/**
 * What the 503 of an expired `handlerTimeout` asks the client to wait before it
 * tries again (`Retry-After`, seconds): long enough for a short overload to pass,
 * short enough that a retrying client is not left idle.
 * @internal
 */
export const RETRY_AFTER_SECONDS = 5;

const TIMEOUT_TEXT = 'Service unavailable: the server took too long to answer';

/** Whether nothing of the response went out (what the timeout may still answer). */
function unanswered(exchange: Exchange): boolean {
  return (
    exchange.reason === undefined &&
    exchange.phase !== 'ended' &&
    !exchange.committed &&
    !exchange.lowLevel
  );
}

/**
 * Starts the `handlerTimeout` of a chain that did not finish synchronously. One
 * timer, unreferenced (it never keeps the process alive), its callback a module
 * function handed the exchange: no closure per request.
 * @internal
 */
export function armHandlerTimeout(exchange: Exchange): void {
  if (!unanswered(exchange)) return;
  const timer = setTimeout(handlerTimedOut, exchange.serverState.handlerTimeout, exchange);
  timer.unref();
  exchange.timer = timer;
}

/**
 * The chain took too long and nothing was sent: answers 503, aborts the request's
 * signal with `TIMEOUT`, logs one warning naming what the chain waits for.
 */
function handlerTimedOut(exchange: Exchange): void {
  exchange.timer = undefined;
  if (!unanswered(exchange)) return;
  const ms = exchange.serverState.handlerTimeout;
  const pending = exchange.ctx === undefined ? undefined : pendingStage(exchange.ctx);
  const interceptor = pending?.interceptor;
  const stage = pending?.stage;
  exchange.serverState.logger.warn(
    { interceptor, stage, method: exchange.req.method, url: exchange.req.url, handlerTimeout: ms },
    `handler timed out after ${ms} ms: interceptor ${JSON.stringify(interceptor ?? '(anonymous)')} still pending in ${stage ?? 'an unknown stage'}; answered 503`,
  );
  // The reason first: whatever the chain tries from now on (a low-level write, a
  // body write, the signal's listeners) sees the request ended.
  const reason = abortReason('TIMEOUT');
  abortExchange(exchange, reason, false);
  // A ring-response body that has not written a byte yet (its head not committed)
  // is withdrawn: the 503 replaces it.
  exchange.retract(reason);
  exchange.closeAfter = true;
  sendText(exchange, 503, TIMEOUT_TEXT, RETRY_AFTER_SECONDS);
}

/**
 * The chain settled (`ctx` when it resolved): the timer is cleared. A ring-response
 * body is written inside the chain (ring-response's `leave` settles when the body
 * ended or failed), so a body that has produced nothing is still covered until then,
 * and the commit of its head clears the timer earlier. After a timeout, the response
 * the chain set is not sent (logged at debug) and its body is given up.
 * @internal
 */
export function chainSettled(exchange: Exchange, ctx: HttpContext | undefined): void {
  if (exchange.timer !== undefined) exchange.disarm();
  if (ctx === undefined || exchange.reason?.code !== 'TIMEOUT') return;
  const response = ctx.response as { status?: unknown; body?: unknown } | null | undefined;
  const late = response !== null && typeof response === 'object';
  exchange.serverState.logger.debug(
    {
      method: exchange.req.method,
      url: exchange.req.url,
      status: late ? response.status : undefined,
      reason: 'TIMEOUT',
    },
    late
      ? 'the chain set a response after its handlerTimeout expired; it was not sent'
      : 'the chain settled after its handlerTimeout expired',
  );
  if (late && response.body !== undefined && response.body !== null) {
    discard(response.body);
  }
}
