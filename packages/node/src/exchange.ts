import type { IncomingMessage, ServerResponse } from 'node:http';
import { STATUS_CODES } from 'node:http';
import { type Http2ServerRequest, type Http2ServerResponse, constants as h2 } from 'node:http2';
import { toWriteableBody } from '@plinth/body-writer';
import { addObserver, InterceptorError, type ObserverEvent } from '@plinth/interceptor';
import {
  type HttpContext,
  isWriteableBody,
  type Responder,
  type Response,
  type WriteableBody,
} from '@plinth/writeable-body';
import { NodeAdapterError } from './errors';
import { closeUnreadStream } from './internal/h2';
import { checkStatus, type OutgoingHeaders, outgoingHeaders } from './internal/headers';
import { isPromiseLike, noop } from './internal/promises';
import { abortReason } from './internal/reasons';
import type { Shared } from './internal/shared';
import { NodeBodySink, type NodeResponse } from './sink';

/** A Node request: `node:http`'s or `node:http2`'s compatibility one. */
export type NodeRequest = IncomingMessage | Http2ServerRequest;

const EXCHANGE = Symbol('plinth.exchange');
const TEXT = 'text/plain; charset=utf-8';

function onResponseClose(this: NodeResponse): void {
  (this as unknown as { [EXCHANGE]: Exchange })[EXCHANGE].closed();
}

function release(body: WriteableBody | undefined): void {
  if (body === undefined || typeof body.release !== 'function') return;
  try {
    body.release();
  } catch {
    // Releasing is best effort: the response is not written either way.
  }
}

/**
 * A body that will not be written is given up: a prepared body (or a `WriteableBody`
 * the application made) is released, and a stream the application opened is
 * destroyed or cancelled (an fs.ReadStream holds a descriptor), so HEAD, 204, 304 and
 * a response refused before its headers leak nothing. Every body gets exactly one of
 * `writeBody` or this.
 */
function discard(original: unknown, body: WriteableBody | undefined): void {
  release(body ?? (isWriteableBody(original) ? original : undefined));
  if (original === null || typeof original !== 'object') return;
  try {
    const stream = original as { destroy?: unknown; cancel?: unknown; locked?: unknown };
    if (typeof stream.destroy === 'function') (stream.destroy as () => void).call(original);
    else if (typeof stream.cancel === 'function' && stream.locked === false) {
      (stream.cancel as () => Promise<void>).call(original).catch(noop);
    }
  } catch {
    // Best effort: the response goes out without the body either way.
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The status of an error meant for the client (http-errors convention), if it is one. */
function clientStatus(error: unknown): number | undefined {
  if (error === null || typeof error !== 'object') return undefined;
  const e = error as { status?: unknown; statusCode?: unknown };
  const status = e.status ?? e.statusCode;
  return typeof status === 'number' && Number.isInteger(status) && status >= 400 && status <= 499
    ? status
    : undefined;
}

/**
 * One request and its response: the adapter's {@link Responder} (on every context
 * under `RESPONDER`) and the host of the response's {@link NodeBodySink}.
 *
 * `phase`: 0 nothing sent; 1 a response started (ring-response writing its body, or
 * a low-level stream open); 2 ended. `committed`: status and headers were handed
 * to Node (ring-response commits them with the first body bytes, so a body that
 * fails before writing anything still gets a 500).
 * @internal
 */
export class Exchange implements Responder {
  readonly req: NodeRequest;
  readonly res: NodeResponse;
  readonly shared: Shared;
  /** The context the chain started with (for observers of a running chain). */
  ctx: HttpContext | undefined = undefined;
  /** Connect/Express `next`, when mounted as middleware. */
  next: ((error?: unknown) => void) | undefined = undefined;
  chainDone = false;
  phase = 0;
  committed = false;
  lowLevel = false;
  /** Send `Connection: close` (an unread request body is left behind). */
  closeAfter = false;
  isClosed = false;
  /** Why the response was cut short; set once. */
  reason: NodeAdapterError | undefined = undefined;
  status = 200;
  headers: OutgoingHeaders | undefined = undefined;
  controller: AbortController | undefined = undefined;
  sinkObject: NodeBodySink | undefined = undefined;
  /** The last pending low-level write, so writes go out in order. */
  tail: Promise<void> | undefined = undefined;
  onClose: (() => void) | undefined = undefined;
  /**
   * The pending `handlerTimeout` timer: set for a chain that went asynchronous before
   * its response started, cleared when the head is committed, the response closes or
   * the chain settles with nothing left to start (see internal/timeout.ts).
   */
  timer: ReturnType<typeof setTimeout> | undefined = undefined;
  /** Links of the server's list of exchanges not yet closed (see LiveList). */
  livePrev: Exchange | undefined = undefined;
  liveNext: Exchange | undefined = undefined;

  constructor(req: NodeRequest, res: NodeResponse, shared: Shared) {
    this.req = req;
    this.res = res;
    this.shared = shared;
  }

  /**
   * Follows the response until it closes (finished, or the client left), and
   * tracks it in the server's list for `stop()`. Not called for a response that
   * was answered and handed to the socket during the synchronous part of the
   * chain: nothing can happen to it any more that the adapter must act on.
   */
  watch(): void {
    (this.res as unknown as { [EXCHANGE]: Exchange })[EXCHANGE] = this;
    this.res.on('close', onResponseClose);
    this.shared.live?.add(this);
  }

  /**
   * Whether the response is complete and every byte of it is in the kernel's
   * hands (HTTP/1.1: the socket buffers nothing), so it needs no watching.
   */
  get handedOver(): boolean {
    if (this.phase !== 2 || this.reason !== undefined || this.h2) return false;
    const socket = (this.res as ServerResponse).socket;
    return socket !== null && !socket.destroyed && socket.writableLength === 0;
  }

  get sent(): boolean {
    return this.phase !== 0;
  }

  get ended(): boolean {
    return this.phase === 2 || this.reason !== undefined;
  }

  get signal(): AbortSignal {
    let controller = this.controller;
    if (controller === undefined) {
      controller = new AbortController();
      this.controller = controller;
      if (this.reason !== undefined) controller.abort(this.reason);
    }
    return controller.signal;
  }

  get protocol(): string {
    const version = this.req.httpVersion;
    return version === '1.1' ? 'HTTP/1.1' : version === '2.0' ? 'HTTP/2.0' : `HTTP/${version}`;
  }

  get h2(): boolean {
    return this.req.httpVersionMajor === 2;
  }

  get sink(): NodeBodySink {
    if (this.sinkObject === undefined) this.sinkObject = new NodeBodySink(this.res, this);
    return this.sinkObject;
  }

  /** SinkHost: hands status and headers to Node before the first byte. */
  commit(): void {
    if (this.committed) return;
    // Marked after writeHead: if Node refuses a header, nothing went out and the
    // stylobate can still answer 500.
    (this.res as ServerResponse).writeHead(this.status, this.headers as never);
    this.committed = true;
    // The response started: the handlerTimeout has nothing left to answer.
    if (this.timer !== undefined) this.disarm();
  }

  /** SinkHost: a body's `flush()` with no byte pending puts status and headers on the wire. */
  flushHead(): void {
    if (this.committed) return;
    this.commit();
    (this.res as ServerResponse).flushHeaders();
  }

  /** Clears a pending `handlerTimeout` timer. */
  disarm(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  // ---- ring-response -------------------------------------------------------------

  /**
   * Writes a Ring response: status, headers (default Content-Type, Content-Length
   * when known), body; ends it. Returns a promise only when something is asynchronous.
   */
  send(response: Response): undefined | Promise<void> {
    const body = response.body;
    let status: number;
    let writeable: WriteableBody | undefined;
    try {
      status = checkStatus(response.status);
      writeable = body === undefined || body === null ? undefined : toWriteableBody(body);
    } catch (error) {
      // Refused before its headers: the body will never be written.
      discard(body, undefined);
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
      if (isPromiseLike(prepared)) {
        return Promise.resolve(prepared).then(
          () => this.sendPrepared(status, response.headers, writeable, body),
          (error: unknown) => {
            discard(body, writeable);
            throw error;
          },
        );
      }
    }
    return this.sendPrepared(status, response.headers, writeable, body);
  }

  private sendPrepared(
    status: number,
    headers: unknown,
    body: WriteableBody | undefined,
    original: unknown,
  ): undefined | Promise<void> {
    if (this.reason !== undefined || this.phase !== 0) {
      discard(original, body);
      return undefined;
    }
    const noContent = status === 204 || status === 304;
    const head = noContent || body === undefined || this.req.method === 'HEAD';
    try {
      this.headers = outgoingHeaders(
        headers,
        noContent ? undefined : body,
        !noContent,
        this.h2,
        this.closeAfter || this.shared.stopping,
      );
    } catch (error) {
      discard(original, body);
      throw error;
    }
    this.status = status;
    if (head) {
      // HEAD, 204, 304, no body: headers only; the producer never runs.
      discard(original, body);
      this.phase = 2;
      this.commit();
      this.res.end();
      if (this.closeAfter) this.closeUnread();
      return undefined;
    }
    this.phase = 1;
    const sink = this.sink;
    sink.hold = true;
    let written: void | Promise<void>;
    try {
      written = body!.writeBody(sink);
    } catch (error) {
      sink.hold = false;
      return this.bodyFailed(error);
    }
    if (isPromiseLike(written)) {
      sink.release();
      return Promise.resolve(written).then(
        () => this.bodyDone(),
        (error: unknown) => this.bodyFailed(error),
      );
    }
    sink.hold = false;
    this.bodyDone();
    return undefined;
  }

  private bodyDone(): void {
    if (this.reason !== undefined || this.phase === 2) return;
    this.phase = 2;
    this.sinkObject!.end();
    if (this.closeAfter) this.closeUnread();
  }

  /**
   * The request body was left unread (413): HTTP/1.1 closes the connection after the
   * response (`Connection: close`); HTTP/2 resets the stream with NO_ERROR once the
   * response is out (see `closeUnreadStream`).
   */
  private closeUnread(): void {
    if (this.h2) closeUnreadStream(this.res as Http2ServerResponse);
  }

  /** A ring-response body failed: before any byte, a 500 can still go out; after, abort. */
  private bodyFailed(error: unknown): undefined {
    if (this.reason !== undefined) return undefined; // the client left or the server stops
    if (!this.committed) {
      this.sinkObject?.fail(abortReason('body-error', error));
      this.sinkObject = undefined;
      this.phase = 0;
      this.headers = undefined;
      throw error;
    }
    this.abortWith(abortReason('body-error', error), true);
    throw error;
  }

  /** Gives up a body that will not be written (see `discard`). */
  discardBody(body: unknown): void {
    discard(body, undefined);
  }

  /** A short text response (404, 4xx errors, 500, the 503 of `handlerTimeout`). */
  sendText(status: number, text: string, retryAfter?: number): void {
    this.phase = 2;
    this.committed = true;
    if (this.timer !== undefined) this.disarm();
    const headers: Record<string, string | number> = {
      'content-type': TEXT,
      'content-length': Buffer.byteLength(text),
    };
    if ((this.closeAfter || this.shared.stopping) && !this.h2) headers.connection = 'close';
    if (retryAfter !== undefined) headers['retry-after'] = retryAfter;
    const res = this.res as ServerResponse;
    try {
      res.writeHead(status, headers);
      res.end(this.req.method === 'HEAD' ? undefined : text);
      if (this.closeAfter) this.closeUnread();
    } catch (error) {
      this.logOnce(error, {}, 'could not send an error response; connection aborted');
      this.abortWith(abortReason('body-error', error), true);
    }
  }

  // ---- errors ---------------------------------------------------------------------

  /**
   * The stylobate's error stage: answers an unhandled error, or aborts the connection
   * when the response already started. Logs once.
   */
  fail(error: unknown, response?: unknown): void {
    const chainError = InterceptorError.isError(error) ? error : undefined;
    const cause = chainError === undefined ? error : chainError.cause;
    if (
      response !== null &&
      typeof response === 'object' &&
      chainError?.interceptor !== 'plinth.ring-response'
    ) {
      // A response the chain made but failed before ring-response took it (an
      // interceptor's leave threw): its body will never be written.
      discard((response as Response).body, undefined);
    }
    const fields = {
      interceptor: chainError?.interceptor,
      stage: chainError?.stage,
      method: this.req.method,
      url: this.req.url,
    };
    const reason = this.reason;
    if (reason !== undefined && reason.code !== 'body-error') {
      // A consequence of the client leaving (or of the server stopping): not an error.
      this.shared.logger.debug(
        { ...fields, reason: reason.code, error: messageOf(cause) },
        'request ended early',
      );
      return;
    }
    if (this.committed || reason !== undefined) {
      this.abortWith(abortReason('body-error', cause), true);
      this.logOnce(cause, fields, 'response failed after it started; connection aborted');
      return;
    }
    this.phase = 0;
    if (this.sinkObject !== undefined) {
      this.sinkObject.fail(abortReason('body-error', cause));
      this.sinkObject = undefined;
    }
    const status = clientStatus(cause);
    if (status === undefined) {
      this.logOnce(cause, fields, 'unhandled error; answered 500');
      this.sendText(500, 'Internal server error');
      return;
    }
    const expose = (cause as { expose?: unknown }).expose !== false;
    const text = (expose && messageOf(cause)) || STATUS_CODES[status] || 'Error';
    this.shared.logger.info({ ...fields, status, error: messageOf(cause) }, 'client error');
    if (status === 413) this.closeAfter = true;
    this.sendText(status, text);
  }

  logOnce(error: unknown, fields: object, msg: string): void {
    if (error !== null && typeof error === 'object') {
      if (this.shared.logged.has(error)) return;
      this.shared.logged.add(error);
    }
    this.shared.logger.error({ ...fields, err: error }, msg);
  }

  // ---- aborting -------------------------------------------------------------------

  /** Cuts the response short; `destroy` resets the connection (HTTP/1.1) or stream (HTTP/2). */
  abortWith(reason: NodeAdapterError, destroy: boolean): void {
    if (this.reason !== undefined) return;
    this.reason = reason;
    this.sinkObject?.fail(reason);
    const controller = this.controller;
    if (controller !== undefined && !controller.signal.aborted) controller.abort(reason);
    if (destroy && !this.isClosed) this.destroyConnection();
  }

  private destroyConnection(): void {
    if (this.h2) {
      const stream = (this.res as Http2ServerResponse).stream;
      if (!stream.destroyed) stream.close(h2.NGHTTP2_INTERNAL_ERROR);
    } else {
      (this.res as ServerResponse).destroy();
    }
  }

  /** `stop()` began: a low-level stream is told to end (its signal aborts with `server-stop`). */
  stopSignal(): void {
    if (this.reason !== undefined || this.phase === 2) return;
    const reason = abortReason('server-stop');
    const controller = this.controller;
    if (controller === undefined) this.controller = new AbortController();
    this.controller!.abort(reason);
  }

  /** Whether the response's close follows its end (rather than the client leaving). */
  private finishedCleanly(): boolean {
    const res = this.res;
    if (!res.writableEnded) return false;
    if (this.h2) {
      // The compatibility response reports itself finished even when the client
      // reset the stream: the reset code tells.
      const code = (res as Http2ServerResponse).stream.rstCode;
      return code === undefined || code === h2.NGHTTP2_NO_ERROR;
    }
    // Node reports a response finished once its socket is gone, even when the client
    // left before the last bytes went out; a socket already destroyed at this point
    // (a clean close only starts shutting it down) tells.
    return res.writableFinished && this.req.socket?.destroyed !== true;
  }

  /** The response closed (finished, or the client left). */
  closed(): void {
    this.isClosed = true;
    this.shared.live?.delete(this);
    // The handlerTimeout has nobody left to answer.
    if (this.timer !== undefined) this.disarm();
    if (this.reason === undefined && !(this.phase === 2 && this.finishedCleanly())) {
      this.abortWith(abortReason('client-disconnect'), false);
      this.shared.logger.debug(
        { method: this.req.method, url: this.req.url, reason: 'client-disconnect' },
        'client closed the connection before the response ended',
      );
    }
    const onClose = this.onClose;
    this.onClose = undefined;
    onClose?.();
    if (this.shared.stopping) this.shared.onClosed?.();
  }

  private whenClosed(): Promise<void> {
    if (this.isClosed) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const previous = this.onClose;
      this.onClose =
        previous === undefined
          ? resolve
          : () => {
              previous();
              resolve();
            };
    });
  }

  // ---- Responder: low-level streaming ---------------------------------------------

  async writeHead(response: Response): Promise<void> {
    const original: unknown =
      response !== null && typeof response === 'object' ? response.body : undefined;
    if (this.phase !== 0) {
      discard(original, undefined);
      throw new NodeAdapterError(
        'writeResponse(ctx, response): a response was already sent for this request',
        { code: 'response-already-sent' },
      );
    }
    if (this.reason !== undefined) {
      discard(original, undefined);
      throw this.reason;
    }
    if (response === null || typeof response !== 'object') {
      throw new NodeAdapterError(
        `writeResponse(ctx, response): response must be an object, got ${response === null ? 'null' : typeof response}`,
        { code: 'invalid-response' },
      );
    }
    let status: number;
    let body: WriteableBody | undefined;
    try {
      status = checkStatus(response.status);
      body = toWriteableBody(original);
    } catch (error) {
      discard(original, undefined);
      throw error;
    }
    this.phase = 1;
    this.lowLevel = true;
    try {
      if (body !== undefined && typeof body.prepare === 'function') await body.prepare();
      // No Content-Length from the body: the response stays open for more writes.
      this.headers = outgoingHeaders(response.headers, body, false, this.h2, this.shared.stopping);
    } catch (error) {
      this.phase = 0;
      this.lowLevel = false;
      discard(original, body);
      throw error;
    }
    if (this.reason !== undefined) {
      discard(original, body);
      throw this.reason;
    }
    this.status = status;
    this.watchLaterResponses();
    this.commit();
    (this.res as ServerResponse).flushHeaders();
    if (body !== undefined) await this.enqueue(body, original);
  }

  writeBody(body: unknown): Promise<void> {
    if (this.phase === 0) {
      return Promise.reject(
        new NodeAdapterError(
          'writeResponseBody(ctx, body): no response was started; call writeResponse first',
          { code: 'no-response' },
        ),
      );
    }
    if (this.reason !== undefined) {
      discard(body, undefined);
      return Promise.reject(this.reason);
    }
    if (this.phase === 2 || !this.lowLevel) {
      discard(body, undefined);
      return Promise.reject(
        new NodeAdapterError('writeResponseBody(ctx, body): the response has ended', {
          code: 'aborted',
        }),
      );
    }
    let writeable: WriteableBody | undefined;
    try {
      writeable = toWriteableBody(body);
    } catch (error) {
      discard(body, undefined);
      return Promise.reject(error);
    }
    if (writeable === undefined) return Promise.resolve();
    return this.enqueue(writeable, body);
  }

  /** Queues a low-level write; `original` is what the application passed (see `discard`). */
  private enqueue(body: WriteableBody, original: unknown): Promise<void> {
    const previous = this.tail;
    const write =
      previous === undefined
        ? this.writeOne(body, original)
        : previous.then(() => this.writeOne(body, original));
    const tail = write.then(noop, noop);
    this.tail = tail;
    tail.then(() => {
      if (this.tail === tail) this.tail = undefined;
    });
    return write;
  }

  private async writeOne(body: WriteableBody, original: unknown): Promise<void> {
    if (this.reason !== undefined) {
      discard(original, body);
      throw this.reason;
    }
    if (this.phase === 2 || this.req.method === 'HEAD') {
      discard(original, body);
      if (this.phase === 2) {
        throw new NodeAdapterError('writeResponseBody(ctx, body): the response has ended', {
          code: 'aborted',
        });
      }
      return;
    }
    const sink = this.sink;
    let handedOver = false;
    try {
      if (typeof body.prepare === 'function') await body.prepare();
      if (this.reason !== undefined) {
        discard(original, body);
        handedOver = true;
        throw this.reason;
      }
      handedOver = true;
      const written = body.writeBody(sink);
      if (isPromiseLike(written)) await written;
      sink.flush();
      const waiting = sink.waiting;
      if (waiting !== undefined) await waiting;
    } catch (error) {
      // Exactly one of writeBody or discard: a body whose prepare() failed is discarded.
      if (!handedOver) discard(original, body);
      if (this.reason !== undefined) throw this.reason;
      this.abortWith(abortReason('body-error', error), true);
      this.logOnce(
        error,
        { stage: 'writeResponseBody', method: this.req.method, url: this.req.url },
        'low-level response body failed; connection aborted',
      );
      throw error;
    }
  }

  async end(): Promise<void> {
    if (this.reason !== undefined || this.phase === 2) return;
    if (this.phase === 0) {
      throw new NodeAdapterError(
        'endResponse(ctx): no response was started; call writeResponse first',
        { code: 'no-response' },
      );
    }
    if (!this.lowLevel) return; // ring-response ends its own response
    while (this.tail !== undefined) await this.tail;
    if (this.reason !== undefined || this.phase === 2) return;
    this.phase = 2;
    if (this.sinkObject !== undefined) this.sinkObject.end();
    else this.res.end();
    if (this.closeAfter) this.closeUnread();
    await this.whenClosed();
  }

  abort(reason?: unknown): void {
    this.abortWith(abortReason('aborted', reason), true);
  }

  /**
   * After a low-level write the chain runs on; a response an interceptor sets later
   * is not sent. An observer on the running chain logs it once, naming the interceptor.
   */
  private watchLaterResponses(): void {
    const ctx = this.ctx;
    if (ctx === undefined || this.chainDone) return;
    let seen: unknown = ctx.response;
    const observer = (event: ObserverEvent<HttpContext>): void => {
      const response = event.contextOut.response;
      if (response === undefined || response === null || response === seen) return;
      seen = response;
      this.shared.logger.error(
        {
          interceptor: event.interceptor,
          stage: event.stage,
          status: (response as { status?: unknown }).status,
          method: this.req.method,
          url: this.req.url,
        },
        `response already sent: interceptor ${JSON.stringify(event.interceptor ?? '(anonymous)')} set a response in ${event.stage} after a low-level write; it was not sent`,
      );
    };
    addObserver(ctx, observer);
  }
}
