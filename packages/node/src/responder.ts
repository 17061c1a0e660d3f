import { toWriteableBody } from '@plinth/body-writer';
import { addObserver, type ObserverEvent } from '@plinth/interceptor';
import type { HttpContext, Responder, Response, WriteableBody } from '@plinth/writeable-body';
import { discardBody as discard, isThenable } from '@plinth/writeable-body';
import { NodeAdapterError } from './errors';
import { Exchange, type Phase } from './exchange';
import { abortExchange, whenClosed } from './internal/abort';
import { checkStatus, outgoingHeaders } from './internal/headers';
import { noop } from './internal/promises';
import { abortReason } from './internal/reasons';

/**
 * The adapter's {@link Responder}: the object on every context under `RESPONDER`,
 * for low-level streaming (`writeResponse`, `writeResponseBody`, `endResponse`).
 * It is the request's {@link Exchange} itself, one object per request; the
 * Responder's methods live here, apart from the state they act on, so that the
 * state depends on none of the modules that act on it.
 * @internal
 */
export class NodeResponder extends Exchange implements Responder {
  async begin(response: Response): Promise<void> {
    const original: unknown =
      response !== null && typeof response === 'object' ? response.body : undefined;
    if (this.phase !== 'idle') {
      discard(original);
      throw new NodeAdapterError(
        'RESPONSE_ALREADY_SENT',
        'writeResponse(ctx, response): a response was already sent for this request',
      );
    }
    if (this.reason !== undefined) {
      discard(original);
      throw this.reason;
    }
    if (response === null || typeof response !== 'object') {
      throw new NodeAdapterError(
        'INVALID_RESPONSE',
        `writeResponse(ctx, response): response must be an object, got ${response === null ? 'null' : typeof response}`,
      );
    }
    let status: number;
    let body: WriteableBody | undefined;
    try {
      status = checkStatus(response.status);
      body = toWriteableBody(original);
    } catch (error) {
      discard(original);
      throw error;
    }
    this.phase = 'sending';
    this.lowLevel = true;
    try {
      if (body !== undefined && typeof body.prepare === 'function') await body.prepare();
      // No Content-Length from the body: the response stays open for more writes.
      this.headers = outgoingHeaders(
        response.headers,
        body,
        false,
        this.h2,
        this.serverState.stopping,
      );
    } catch (error) {
      this.phase = 'idle';
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
    // At once (flushHeaders), so that an event stream is seen open.
    this.flushHead();
    if (body !== undefined) await this.queueWrite(body, original);
  }

  append(body: unknown): Promise<void> {
    if (this.phase === 'idle') {
      return Promise.reject(
        new NodeAdapterError(
          'NO_RESPONSE',
          'writeResponseBody(ctx, body): no response was started; call writeResponse first',
        ),
      );
    }
    if (this.reason !== undefined) {
      discard(body);
      return Promise.reject(this.reason);
    }
    if (this.phase === 'ended' || !this.lowLevel) {
      discard(body);
      return Promise.reject(
        new NodeAdapterError('ABORTED', 'writeResponseBody(ctx, body): the response has ended'),
      );
    }
    let writeable: WriteableBody | undefined;
    try {
      writeable = toWriteableBody(body);
    } catch (error) {
      discard(body);
      return Promise.reject(error);
    }
    if (writeable === undefined) return Promise.resolve();
    return this.queueWrite(writeable, body);
  }

  async end(): Promise<void> {
    if (this.reason !== undefined || this.phase === 'ended') return;
    if (this.phase === 'idle') {
      throw new NodeAdapterError(
        'NO_RESPONSE',
        'endResponse(ctx): no response was started; call writeResponse first',
      );
    }
    if (!this.lowLevel) return; // ring-response ends its own response
    while (this.tail !== undefined) await this.tail;
    // The phase may have changed while the writes went out.
    if (this.reason !== undefined || (this.phase as Phase) === 'ended') return;
    this.phase = 'ended';
    if (this.sinkObject !== undefined) this.sinkObject.end();
    else this.res.end();
    if (this.closeAfter) this.closeUnread();
    await whenClosed(this);
  }

  abort(reason?: unknown): void {
    abortExchange(this, abortReason('ABORTED', reason), true);
  }

  /**
   * Queues a low-level write after the pending ones, so writes go out in order;
   * `original` is what the application passed (see `discard`).
   */
  private queueWrite(body: WriteableBody, original: unknown): Promise<void> {
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
    if (this.phase === 'ended' || this.req.method === 'HEAD') {
      discard(original, body);
      if (this.phase === 'ended') {
        throw new NodeAdapterError(
          'ABORTED',
          'writeResponseBody(ctx, body): the response has ended',
        );
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
      if (isThenable(written)) await written;
      sink.flush();
      const waiting = sink.waiting;
      if (waiting !== undefined) await waiting;
    } catch (error) {
      // Exactly one of writeBody or discard: a body whose prepare() failed is discarded.
      if (!handedOver) discard(original, body);
      if (this.reason !== undefined) throw this.reason;
      abortExchange(this, abortReason('BODY_ERROR', error), true);
      this.logOnce(
        error,
        { stage: 'writeResponseBody', method: this.req.method, url: this.req.url },
        'low-level response body failed; connection aborted',
      );
      throw error;
    }
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
      this.serverState.logger.error(
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
