import { InterceptorError } from '@plinth/interceptor';
import {
  discardBody as discard,
  type Response as RingResponse,
  TEXT_PLAIN_UTF8,
} from '@plinth/writeable-body';
import { abortReason, type FetchExchange } from '../exchange';

// What the adapter answers itself: the same answers as @plinth/node's
// internal/error-answer.ts and internal/text-answer.ts (the stylobate's rules).

/** Reason phrases of the 4xx statuses (RFC 9110), for an error that exposes no message. */
const PHRASES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  402: 'Payment Required',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  407: 'Proxy Authentication Required',
  408: 'Request Timeout',
  409: 'Conflict',
  410: 'Gone',
  411: 'Length Required',
  412: 'Precondition Failed',
  413: 'Payload Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  416: 'Range Not Satisfiable',
  417: 'Expectation Failed',
  418: "I'm a Teapot",
  421: 'Misdirected Request',
  422: 'Unprocessable Entity',
  423: 'Locked',
  424: 'Failed Dependency',
  425: 'Too Early',
  426: 'Upgrade Required',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  451: 'Unavailable For Legal Reasons',
};

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function clientStatus(error: unknown): number | undefined {
  if (error === null || typeof error !== 'object') return undefined;
  const e = error as { status?: unknown; statusCode?: unknown };
  const status = e.status ?? e.statusCode;
  return typeof status === 'number' && Number.isInteger(status) && status >= 400 && status <= 499
    ? status
    : undefined;
}

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
      { ...fields, reason: reason.code, error: messageOf(cause) },
      'request ended early',
    );
    return;
  }
  if (exchange.committed || reason !== undefined) {
    exchange.cutShort(abortReason('BODY_ERROR', cause), true);
    exchange.logOnce(cause, fields, 'response failed after it started; connection aborted');
    return;
  }
  const status = clientStatus(cause);
  if (status === undefined) {
    exchange.logOnce(cause, fields, 'unhandled error; answered 500');
    sendText(exchange, 500, 'Internal server error');
    return;
  }
  const expose = (cause as { expose?: unknown }).expose !== false;
  const text = (expose && messageOf(cause)) || PHRASES[status] || 'Error';
  exchange.state.logger.info({ ...fields, status, error: messageOf(cause) }, 'client error');
  sendText(exchange, status, text);
}
