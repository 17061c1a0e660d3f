import { toWriteableBody } from '@plinth/body-writer/portable';
import { addObserver, type ObserverEvent } from '@plinth/interceptor';
import type { HttpContext, Responder, Response, WriteableBody } from '@plinth/writeable-body';
import { discardBody as discard, isThenable } from '@plinth/writeable-body';
import { FetchAdapterError } from './errors';
import { abortReason, FetchExchange, type Phase } from './exchange';
import { checkStatus, outgoingHeaders } from './internal/headers';

function noop(): void {}

/**
 * The adapter's {@link Responder} (low-level streaming: `writeResponse`,
 * `writeResponseBody`, `endResponse`), with `@plinth/node`'s semantics: the head
 * goes out at once (the Fetch `Response` is handed to the runtime with its stream
 * body), writes go out in order with backpressure, the response stays open until
 * `endResponse` or until the client leaves.
 * @internal
 */
export class FetchResponder extends FetchExchange implements Responder {
  get protocol(): string {
    return 'HTTP/1.1';
  }

  async begin(response: Response): Promise<void> {
    const original: unknown =
      response !== null && typeof response === 'object' ? response.body : undefined;
    if (this.phase !== 'idle') {
      discard(original);
      throw new FetchAdapterError(
        'RESPONSE_ALREADY_SENT',
        'writeResponse(ctx, response): a response was already sent for this request',
      );
    }
    if (this.reason !== undefined) {
      discard(original);
      throw this.reason;
    }
    if (response === null || typeof response !== 'object') {
      throw new FetchAdapterError(
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
      this.headers = outgoingHeaders(response.headers, body, false);
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
    this.flushHead();
    if (body !== undefined) await this.queueWrite(body, original);
  }

  append(body: unknown): Promise<void> {
    if (this.phase === 'idle') {
      return Promise.reject(
        new FetchAdapterError(
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
        new FetchAdapterError('ABORTED', 'writeResponseBody(ctx, body): the response has ended'),
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
      throw new FetchAdapterError(
        'NO_RESPONSE',
        'endResponse(ctx): no response was started; call writeResponse first',
      );
    }
    if (!this.lowLevel) return; // ring-response ends its own response
    while (this.tail !== undefined) await this.tail;
    if (this.reason !== undefined || (this.phase as Phase) === 'ended') return;
    this.phase = 'ended';
    this.sink.end();
    await this.whenClosed();
  }

  abort(reason?: unknown): void {
    this.cutShort(abortReason('ABORTED', reason), true);
  }

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
    if (this.phase === 'ended' || this.request.method === 'HEAD') {
      discard(original, body);
      if (this.phase === 'ended') {
        throw new FetchAdapterError(
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
      if (!handedOver) discard(original, body);
      if (this.reason !== undefined) throw this.reason;
      this.cutShort(abortReason('BODY_ERROR', error), true);
      this.logOnce(
        error,
        { stage: 'writeResponseBody', method: this.request.method, url: this.request.url },
        'low-level response body failed; connection aborted',
      );
      throw error;
    }
  }

  /** A response an interceptor sets after a low-level write is not sent: logged once. */
  private watchLaterResponses(): void {
    const ctx = this.ctx;
    if (ctx === undefined || this.chainDone) return;
    let seen: unknown = ctx.response;
    const observer = (event: ObserverEvent<HttpContext>): void => {
      const response = event.contextOut.response;
      if (response === undefined || response === null || response === seen) return;
      seen = response;
      this.state.logger.error(
        {
          interceptor: event.interceptor,
          stage: event.stage,
          status: (response as { status?: unknown }).status,
          method: this.request.method,
          url: this.request.url,
        },
        `response already sent: interceptor ${JSON.stringify(event.interceptor ?? '(anonymous)')} set a response in ${event.stage} after a low-level write; it was not sent`,
      );
    };
    addObserver(ctx, observer);
  }
}
