import type { ServerResponse } from 'node:http';
import { TEXT_PLAIN_UTF8 } from '@plinth/writeable-body';
import type { Exchange } from '../exchange';
import { abortExchange } from './abort';
import { abortReason } from './reasons';

/**
 * Answers with a short text the adapter writes itself (404, 4xx errors, 500, the
 * 503 of `handlerTimeout`) and ends the response; `Retry-After` when given.
 * @internal
 */
export function sendText(
  exchange: Exchange,
  status: number,
  text: string,
  retryAfter?: number,
): void {
  exchange.phase = 'ended';
  exchange.committed = true;
  if (exchange.timer !== undefined) exchange.disarm();
  const headers: Record<string, string | number> = {
    'content-type': TEXT_PLAIN_UTF8,
    'content-length': Buffer.byteLength(text),
  };
  if ((exchange.closeAfter || exchange.serverState.stopping) && !exchange.h2) {
    headers.connection = 'close';
  }
  if (retryAfter !== undefined) headers['retry-after'] = retryAfter;
  const res = exchange.res as ServerResponse;
  try {
    res.writeHead(status, headers);
    const trace = exchange.trace;
    if (trace !== undefined) {
      trace.head(status);
      if (exchange.req.method !== 'HEAD') trace.bytes += headers['content-length'] as number;
    }
    res.end(exchange.req.method === 'HEAD' ? undefined : text);
    if (exchange.closeAfter) exchange.closeUnread();
  } catch (error) {
    exchange.logOnce(error, {}, 'could not send an error response; connection aborted');
    abortExchange(exchange, abortReason('BODY_ERROR', error), true);
  }
}
