import { toWriteableBody } from '@plinth/body-writer';
import type { Response, WriteableBody } from '@plinth/writeable-body';
import { discardBody as discard, isThenable } from '@plinth/writeable-body';
import type { Exchange } from '../exchange';
import { checkStatus, outgoingHeaders } from './headers';
import { abortReason } from './reasons';

// The data path of a ring response, in one direction: ring-response hands the
// context's response here; it becomes a WriteableBody (body-writer), which writes
// itself to the exchange's NodeBodySink, which commits the head with the first byte
// and writes to the Node response. A failure comes back the other way, as the
// rejection of `writeRingResponse`, to the stylobate (`answerError`).

/**
 * Writes a Ring response: status, headers (default Content-Type, Content-Length
 * when known), body; ends it. Returns a promise only when something is asynchronous.
 * @internal
 */
export function writeRingResponse(
  exchange: Exchange,
  response: Response,
): undefined | Promise<void> {
  const body = response.body;
  let status: number;
  let writeable: WriteableBody | undefined;
  try {
    status = checkStatus(response.status);
    writeable = body === undefined || body === null ? undefined : toWriteableBody(body);
  } catch (error) {
    // Refused before its headers: the body will never be written.
    discard(body);
    throw error;
  }
  if (writeable !== undefined && typeof writeable.prepare === 'function') {
    let prepared: void | Promise<void>;
    try {
      prepared = writeable.prepare();
    } catch (error) {
      discard(body, writeable);
      throw error;
    }
    if (isThenable(prepared)) {
      return Promise.resolve(prepared).then(
        () => writePrepared(exchange, status, response.headers, writeable, body),
        (error: unknown) => {
          discard(body, writeable);
          throw error;
        },
      );
    }
  }
  return writePrepared(exchange, status, response.headers, writeable, body);
}

function writePrepared(
  exchange: Exchange,
  status: number,
  headers: unknown,
  body: WriteableBody | undefined,
  original: unknown,
): undefined | Promise<void> {
  if (exchange.reason !== undefined || exchange.phase !== 'idle') {
    discard(original, body);
    return undefined;
  }
  const noContent = status === 204 || status === 304;
  const head = noContent || body === undefined || exchange.req.method === 'HEAD';
  try {
    exchange.headers = outgoingHeaders(
      headers,
      noContent ? undefined : body,
      !noContent,
      exchange.h2,
      exchange.closeAfter || exchange.serverState.stopping,
    );
  } catch (error) {
    discard(original, body);
    throw error;
  }
  exchange.status = status;
  if (head) {
    // HEAD, 204, 304, no body: headers only; the producer never runs.
    discard(original, body);
    exchange.phase = 'ended';
    exchange.commit();
    exchange.res.end();
    if (exchange.closeAfter) exchange.closeUnread();
    return undefined;
  }
  exchange.phase = 'sending';
  const sink = exchange.sink;
  // No flush is scheduled while the body writes synchronously: a body written in one
  // piece then goes out with its headers in one `end`.
  sink.hold = true;
  let written: void | Promise<void>;
  try {
    written = body!.writeBody(sink);
  } catch (error) {
    sink.hold = false;
    return bodyFailed(exchange, error);
  }
  if (isThenable(written)) {
    sink.resumeFlushing();
    return Promise.resolve(written).then(
      () => bodyDone(exchange),
      (error: unknown) => bodyFailed(exchange, error),
    );
  }
  sink.hold = false;
  bodyDone(exchange);
  return undefined;
}

function bodyDone(exchange: Exchange): void {
  if (exchange.reason !== undefined || exchange.phase === 'ended') return;
  exchange.phase = 'ended';
  exchange.sinkObject!.end();
  if (exchange.closeAfter) exchange.closeUnread();
}

/**
 * The body failed. Before its head was committed, nothing reached the wire: the
 * response is withdrawn, so the stylobate can still answer (a 500). Either way the
 * error goes back up the chain to the stylobate, which answers or aborts. After the
 * response was cut short (the client left, the server stops, the timeout answered),
 * the failure is a consequence and is dropped.
 */
function bodyFailed(exchange: Exchange, error: unknown): undefined {
  if (exchange.reason !== undefined) return undefined;
  if (!exchange.committed) exchange.retract(abortReason('BODY_ERROR', error));
  throw error;
}
