import type { Interceptor } from '@plinth/interceptor';
import type { HttpContext } from '@plinth/writeable-body';
import { FetchAdapterError } from './errors';
import type { Logger } from './logger';
import { PullSink, type PullSinkHost } from './sink';

/**
 * What every exchange of one handler shares.
 * @internal
 */
export interface HandlerState {
  readonly chain: readonly Interceptor[];
  readonly logger: Logger;
  readonly bodyLimit: number;
  /** Errors already logged, so that each is logged once. */
  readonly logged: WeakSet<object>;
}

/**
 * Where a response is: `idle` (nothing sent; an error can still be answered),
 * `sending` (ring-response writes a body, or a low-level stream is open), `ended`.
 * @internal
 */
export type Phase = 'idle' | 'sending' | 'ended';

const MESSAGES = {
  CLIENT_DISCONNECT: 'The client closed the connection before the response ended',
  SERVER_STOP: 'The server is stopping',
  BODY_ERROR: 'The response body failed after the response started',
  ABORTED: 'The response was aborted',
  TIMEOUT: 'The request handler did not start a response in time',
} as const;

/**
 * The error a response's signal aborts with; `code` says why.
 * @internal
 */
export function abortReason(code: keyof typeof MESSAGES, cause?: unknown): FetchAdapterError {
  return new FetchAdapterError(code, MESSAGES[code], { cause });
}

/** Bun.serve sends a stream response's head only with its first byte. */
const HOLDS_HEAD: boolean = typeof (globalThis as { Bun?: unknown }).Bun === 'object';

function header(headers: HeadersInit, name: string): unknown {
  return headers instanceof Headers
    ? headers.get(name)
    : (headers as Record<string, unknown>)[name];
}

/**
 * An event stream whose bytes go out as they are: one with a Content-Encoding
 * (`@plinth/compress`) must not get a raw comment in front of its coded bytes.
 */
function isPlainEventStream(headers: HeadersInit | undefined): boolean {
  if (headers === undefined) return false;
  const type = header(headers, 'content-type');
  const coding = header(headers, 'content-encoding');
  return (
    typeof type === 'string' &&
    type.startsWith('text/event-stream') &&
    (coding === undefined || coding === null || coding === 'identity')
  );
}

/**
 * The answer to a request cut short before its head went out: the runtime waits for
 * a response, and one whose body fails makes it abort the connection.
 */
function abortedResponse(reason: unknown): Response {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.error(reason);
    },
  });
  return new Response(body, { status: 500 });
}

/**
 * One request and its response: the state the adapter's modules share, and the
 * host of the response's {@link PullSink}. The Fetch `Response` is made when the
 * head is committed: whole when the body was written before anything went out,
 * else with the sink's stream as its body.
 * @internal
 */
export class FetchExchange implements PullSinkHost {
  readonly request: globalThis.Request;
  readonly state: HandlerState;
  readonly remoteAddress: string | undefined;
  ctx: HttpContext | undefined = undefined;
  chainDone = false;
  phase: Phase = 'idle';
  committed = false;
  lowLevel = false;
  /** Why the response was cut short; set once. */
  reason: FetchAdapterError | undefined = undefined;
  status = 200;
  headers: HeadersInit | undefined = undefined;
  controller: AbortController | undefined = undefined;
  sinkObject: PullSink | undefined = undefined;
  /** The last pending low-level write, so writes go out in order. */
  tail: Promise<void> | undefined = undefined;
  /** The response, once committed. */
  response: Response | undefined = undefined;
  /** Resolves the promise the handler returned, when it returned one. */
  respond: ((response: Response) => void) | undefined = undefined;
  /** The stream was read to its end, or cancelled. */
  isClosed = false;
  onClose: (() => void) | undefined = undefined;
  watching = false;

  constructor(request: globalThis.Request, state: HandlerState, remoteAddress: string | undefined) {
    this.request = request;
    this.state = state;
    this.remoteAddress = remoteAddress;
  }

  get sent(): boolean {
    return this.phase !== 'idle';
  }

  get ended(): boolean {
    return this.phase === 'ended' || this.reason !== undefined;
  }

  get signal(): AbortSignal {
    let controller = this.controller;
    if (controller === undefined) {
      controller = new AbortController();
      this.controller = controller;
      if (this.reason !== undefined) controller.abort(this.reason);
      else this.watch();
    }
    return controller.signal;
  }

  get sink(): PullSink {
    if (this.sinkObject === undefined) this.sinkObject = new PullSink(this);
    return this.sinkObject;
  }

  /**
   * Follows the Fetch request's signal, which the runtime aborts when the client
   * leaves: before the head went out (a long poll), or while a stream is read.
   */
  watch(): void {
    if (this.watching) return;
    this.watching = true;
    const signal = this.request.signal;
    if (signal === undefined || signal === null) return;
    if (signal.aborted) {
      this.clientLeft();
      return;
    }
    signal.addEventListener('abort', () => this.clientLeft(), { once: true });
  }

  /** The client went away: unless the response was complete, everything stops. */
  clientLeft(): void {
    if (this.isClosed || this.reason !== undefined) return;
    if (this.phase === 'ended' && (this.sinkObject === undefined || this.sinkObject.closed)) return;
    this.cutShort(abortReason('CLIENT_DISCONNECT'), false);
    this.state.logger.debug(
      { method: this.request.method, url: this.request.url, reason: 'CLIENT_DISCONNECT' },
      'client closed the connection before the response ended',
    );
    this.closedNow();
  }

  /**
   * Cuts the response short: `reason` is set (once), the sink fails with it, the
   * signal aborts with it; with `errorStream` a stream that went out errors, which
   * the runtime turns into an aborted connection.
   */
  cutShort(reason: FetchAdapterError, errorStream: boolean): void {
    if (this.reason !== undefined) return;
    this.reason = reason;
    this.sinkObject?.fail(reason, errorStream);
    const controller = this.controller;
    if (controller !== undefined && !controller.signal.aborted) controller.abort(reason);
    if (!this.committed && this.respond !== undefined) this.deliver(abortedResponse(reason));
  }

  /** What the handler returns: the response now when it is ready, else its promise. */
  result(): Response | Promise<Response> {
    if (this.response !== undefined) return this.response;
    if (this.reason !== undefined) {
      this.deliver(abortedResponse(this.reason));
      return this.response!;
    }
    return new Promise<Response>((resolve) => {
      this.respond = resolve;
    });
  }

  private deliver(response: Response): void {
    this.committed = true;
    this.response = response;
    const respond = this.respond;
    this.respond = undefined;
    respond?.(response);
  }

  private init(): ResponseInit {
    return this.headers === undefined
      ? { status: this.status }
      : { status: this.status, headers: this.headers };
  }

  /** PullSinkHost: the head goes out with a stream body. */
  commitStream(stream: ReadableStream<Uint8Array>): void {
    if (this.committed) return;
    this.deliver(new Response(stream, this.init()));
    this.watch();
  }

  /** PullSinkHost: the whole body was written before anything went out. */
  commitWhole(body: string | Uint8Array | null): void {
    if (this.committed) return;
    this.deliver(new Response(body as BodyInit | null, this.init()));
    this.closedNow();
  }

  /** The body is one the runtime sends itself (a native file). */
  commitNative(body: BodyInit): void {
    if (this.committed) return;
    this.deliver(new Response(body, this.init()));
    this.closedNow();
  }

  /** Sends a head with no body. */
  commitEmpty(): void {
    if (this.committed) return;
    this.deliver(new Response(null, this.init()));
    this.closedNow();
  }

  /**
   * Status and headers on the wire now, before any body byte (a low-level stream).
   * Bun.serve holds the head of a stream response until its first byte; an event
   * stream must be seen open at once, so there its first bytes are an SSE comment
   * line (`:`, the heartbeat's bytes, which clients ignore). A compressed event
   * stream gets none (its bytes are coded): there the head goes with its first event.
   */
  flushHead(): void {
    if (this.committed) return;
    if (HOLDS_HEAD && isPlainEventStream(this.headers)) this.sink.write(':\n');
    this.sink.flush();
  }

  /** PullSinkHost: the runtime cancelled the stream: the client left. */
  cancelled(_reason: unknown): void {
    this.clientLeft();
  }

  /** PullSinkHost: the last byte was read. */
  finished(): void {
    this.closedNow();
  }

  closedNow(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    const onClose = this.onClose;
    this.onClose = undefined;
    onClose?.();
  }

  /**
   * Withdraws a response that has not gone out: its sink fails with `reason`, its
   * head is forgotten, and the exchange is `idle` again, so a 500 can answer instead.
   */
  retract(reason: FetchAdapterError): void {
    const sink = this.sinkObject;
    if (sink !== undefined) {
      sink.fail(reason, false);
      this.sinkObject = undefined;
    }
    this.headers = undefined;
    this.phase = 'idle';
  }

  /** Resolves when the response's stream closed (read to its end, or cancelled). */
  whenClosed(): Promise<void> {
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

  /** Logs an error at `error` level, once per error object. */
  logOnce(error: unknown, fields: object, msg: string): void {
    const state = this.state;
    if (error !== null && typeof error === 'object') {
      if (state.logged.has(error)) return;
      state.logged.add(error);
    }
    state.logger.error({ ...fields, err: error }, msg);
  }
}
