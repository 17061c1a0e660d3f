import { toWriteableBody } from '@plinth/body-writer/portable';
import type { Response as RingResponse, WriteableBody } from '@plinth/writeable-body';
import { discardBody as discard, isThenable } from '@plinth/writeable-body';
import { abortReason, type FetchExchange } from '../exchange';
import { checkStatus, outgoingHeaders } from './headers';
import { nativeFile } from './native-file';

// The data path of a ring response, as on Node: the context's response becomes a
// WriteableBody, which writes itself to the exchange's PullSink, which commits the
// head with the first byte. A failure comes back as the rejection of
// `writeRingResponse`, to the stylobate.

/**
 * Writes a Ring response: status, headers, body; ends it. Returns a promise only
 * when something is asynchronous.
 * @internal
 */
export function writeRingResponse(
  exchange: FetchExchange,
  response: RingResponse,
): undefined | Promise<void> {
  const body = response.body;
  let status: number;
  let writeable: WriteableBody | undefined;
  try {
    status = checkStatus(response.status);
    writeable = body === undefined || body === null ? undefined : toWriteableBody(body);
  } catch (error) {
    discard(body);
    throw error;
  }
  if (writeable !== undefined) {
    const native = nativeFile(exchange, status, response.headers, writeable);
    if (native !== undefined) return native;
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
  exchange: FetchExchange,
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
  const head = noContent || body === undefined || exchange.request.method === 'HEAD';
  try {
    exchange.headers = outgoingHeaders(headers, noContent ? undefined : body, !noContent);
  } catch (error) {
    discard(original, body);
    throw error;
  }
  exchange.status = status;
  if (head) {
    // HEAD, 204, 304, no body: headers only; the producer never runs.
    discard(original, body);
    exchange.phase = 'ended';
    exchange.commitEmpty();
    return undefined;
  }
  exchange.phase = 'sending';
  const sink = exchange.sink;
  // Nothing goes out while the body writes synchronously: a body written in one
  // piece then becomes the whole body of the Response, with no stream.
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

function bodyDone(exchange: FetchExchange): void {
  if (exchange.reason !== undefined || exchange.phase === 'ended') return;
  exchange.phase = 'ended';
  exchange.sinkObject!.end();
}

function bodyFailed(exchange: FetchExchange, error: unknown): undefined {
  if (exchange.reason !== undefined) return undefined;
  if (!exchange.committed) exchange.retract(abortReason('BODY_ERROR', error));
  throw error;
}
