import type { ServerResponse } from 'node:http';
import { type Http2ServerResponse, constants as h2 } from 'node:http2';
import type { Socket } from 'node:net';
import type { AbortReason } from '@plinth/writeable-body';
import type { NodeAdapterError } from '../errors';
import type { Exchange } from '../exchange';
import type { NodeResponse } from '../sink';
import { abortReason } from './reasons';

// Abort and close: how a response is cut short, and what happens when it closes.

const EXCHANGE = Symbol('plinth.exchange');

function onResponseClose(this: NodeResponse): void {
  responseClosed((this as unknown as { [EXCHANGE]: Exchange })[EXCHANGE]);
}

/**
 * Follows the response until it closes (finished, or the client left), and tracks
 * it in the server's list for `stop()`. Not called for a response that was answered
 * and handed to the socket during the synchronous part of the chain: nothing can
 * happen to it any more that the adapter must act on.
 * @internal
 */
export function watchClose(exchange: Exchange): void {
  (exchange.res as unknown as { [EXCHANGE]: Exchange })[EXCHANGE] = exchange;
  exchange.res.on('close', onResponseClose);
  exchange.serverState.live?.add(exchange);
  // A pipelined HTTP/1.1 response waits for the ones before it to finish; it gets its
  // socket (and, through it, its 'close') only then. Node never emits 'close' on a
  // response still waiting when the connection goes away.
  if (!exchange.h2 && (exchange.res as ServerResponse).socket === null) watchQueued(exchange);
}

/**
 * The responses of each connection still waiting for their turn (see
 * {@link watchQueued}), kept beside the socket rather than on it: a property added
 * to Node's sockets would change their shape under Node's own code. A response
 * leaves its list when it closes, so a list holds only open responses.
 */
const queuedBySocket = new WeakMap<Socket, Exchange[]>();

/**
 * Follows a response queued behind others on its connection: when the connection
 * closes, every response of it still open then closes too (one listener per
 * connection, installed by the first queued response).
 */
function watchQueued(exchange: Exchange): void {
  const socket = exchange.req.socket as Socket | null;
  if (socket === null || socket.destroyed) return;
  let list = queuedBySocket.get(socket);
  if (list === undefined) {
    list = [];
    queuedBySocket.set(socket, list);
    socket.once('close', onQueuedSocketClose);
  }
  list.push(exchange);
  exchange.queuedOn = list;
}

/** Takes a closing response off its connection's list (usually its head: responses finish in order). */
function leaveQueue(exchange: Exchange, list: Exchange[]): void {
  exchange.queuedOn = undefined;
  if (list[0] === exchange) list.shift();
  else {
    const i = list.indexOf(exchange);
    if (i !== -1) list.splice(i, 1);
  }
}

function onQueuedSocketClose(this: Socket): void {
  const list = queuedBySocket.get(this);
  queuedBySocket.delete(this);
  // A response Node handed the socket to as it closed gets its own 'close' on
  // process.nextTick: only those still open after that never will.
  if (list !== undefined && list.length !== 0) setImmediate(closeQueued, list);
}

function closeQueued(list: Exchange[]): void {
  // Each responseClosed() takes its response off the list.
  while (list.length !== 0) responseClosed(list[0]!);
}

/**
 * Cuts the response short: `reason` is set (once), the sink fails with it, the
 * signal aborts with it; `destroy` resets the connection (HTTP/1.1) or stream (HTTP/2).
 * @internal
 */
export function abortExchange(
  exchange: Exchange,
  reason: NodeAdapterError,
  destroy: boolean,
): void {
  if (exchange.reason !== undefined) return;
  exchange.reason = reason;
  exchange.sinkObject?.fail(reason);
  const controller = exchange.controller;
  if (controller !== undefined && !controller.signal.aborted) controller.abort(reason);
  if (destroy && !exchange.isClosed) destroyConnection(exchange);
}

function destroyConnection(exchange: Exchange): void {
  if (exchange.h2) {
    const stream = (exchange.res as Http2ServerResponse).stream;
    if (!stream.destroyed) stream.close(h2.NGHTTP2_INTERNAL_ERROR);
  } else {
    (exchange.res as ServerResponse).destroy();
  }
}

/**
 * `stop()` began: a low-level stream is told to end (its signal aborts with
 * `SERVER_STOP`); the response itself is left to the application.
 * @internal
 */
export function signalStop(exchange: Exchange): void {
  if (exchange.reason !== undefined || exchange.phase === 'ended') return;
  const reason = abortReason('SERVER_STOP');
  const controller = exchange.controller;
  if (controller === undefined) exchange.controller = new AbortController();
  exchange.controller!.abort(reason);
}

/** Whether the response's close follows its end (rather than the client leaving). */
function finishedCleanly(exchange: Exchange): boolean {
  const res = exchange.res;
  if (!res.writableEnded) return false;
  if (exchange.h2) {
    // The compatibility response reports itself finished even when the client
    // reset the stream: the reset code tells.
    const code = (res as Http2ServerResponse).stream.rstCode;
    return code === undefined || code === h2.NGHTTP2_NO_ERROR;
  }
  // Node reports a response finished once its socket is gone, even when the client
  // left before the last bytes went out; a socket already destroyed at this point
  // (a clean close only starts shutting it down) tells.
  return res.writableFinished && exchange.req.socket?.destroyed !== true;
}

/** The response closed (finished, or the client left). */
function responseClosed(exchange: Exchange): void {
  const queuedOn = exchange.queuedOn;
  if (queuedOn !== undefined) leaveQueue(exchange, queuedOn);
  if (exchange.isClosed) return;
  exchange.isClosed = true;
  const state = exchange.serverState;
  state.live?.delete(exchange);
  // The handlerTimeout has nobody left to answer.
  if (exchange.timer !== undefined) exchange.disarm();
  if (exchange.reason === undefined && !(exchange.phase === 'ended' && finishedCleanly(exchange))) {
    abortExchange(exchange, abortReason('CLIENT_DISCONNECT'), false);
    state.logger.debug(
      { method: exchange.req.method, url: exchange.req.url, reason: 'CLIENT_DISCONNECT' },
      'client closed the connection before the response ended',
    );
  }
  const trace = exchange.trace;
  if (trace !== undefined) {
    const reason = exchange.reason;
    trace.end(reason?.code as AbortReason | undefined, reason?.cause);
  }
  const onClose = exchange.onClose;
  exchange.onClose = undefined;
  onClose?.();
  if (state.stopping) state.onClosed?.();
}

/**
 * Resolves when the response has closed.
 * @internal
 */
export function whenClosed(exchange: Exchange): Promise<void> {
  if (exchange.isClosed) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const previous = exchange.onClose;
    exchange.onClose =
      previous === undefined
        ? resolve
        : () => {
            previous();
            resolve();
          };
  });
}
