import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import type { Interceptor } from '@plinth/interceptor';
import type { HttpContext } from '@plinth/writeable-body';
import type { RequestTrace } from './diagnostics';
import type { NodeAdapterError } from './errors';
import { closeUnreadStream } from './internal/h2';
import type { OutgoingHeaders } from './internal/headers';
import type { LiveList } from './internal/live';
import type { Logger } from './logger';
import { NodeBodySink, type NodeResponse, type SinkHost } from './sink';

/** A Node request: `node:http`'s or `node:http2`'s compatibility one. */
export type NodeRequest = IncomingMessage | Http2ServerRequest;

/**
 * What every exchange of one listener shares.
 * @internal
 */
export interface ServerState {
  readonly chain: readonly Interceptor[];
  readonly logger: Logger;
  readonly bodyLimit: number;
  /** Milliseconds the chain may take to start a response; 0: no limit. */
  readonly handlerTimeout: number;
  /** The exchanges not yet closed; kept by `createServer` for `stop()`. */
  readonly live: LiveList<Exchange> | undefined;
  /** Errors already logged, so that each is logged once. */
  readonly logged: WeakSet<object>;
  /** Where the access log goes (the `accessLog` option), else `undefined`. */
  readonly accessLog: Logger | undefined;
  stopping: boolean;
  /** Called when an exchange closes while the server stops. */
  onClosed: (() => void) | undefined;
}

/**
 * Where a response is:
 * - `idle`: nothing is being sent (what an error can still be answered with);
 * - `sending`: ring-response is writing a body, or a low-level stream is open;
 * - `ended`: the response ended (or was handed to Connect's `next()`).
 *
 * Whether status and headers reached Node is `committed`, apart: ring-response
 * commits them with the first body byte, so a `sending` body that fails before it
 * wrote anything is withdrawn ({@link Exchange.retract}) and still gets a 500.
 * @internal
 */
export type Phase = 'idle' | 'sending' | 'ended';

/**
 * One request and its response: the state the adapter's modules share, and the
 * {@link SinkHost} of the response's {@link NodeBodySink}. It does nothing on its
 * own; the modules that act on it are, along the data path of a response:
 * `internal/ring-writer.ts` (ring-response), `responder.ts` (low-level streaming),
 * `internal/error-answer.ts` and `internal/text-answer.ts` (what the adapter
 * answers itself), `internal/abort.ts` (abort and close) and `internal/timeout.ts`.
 * @internal
 */
export class Exchange implements SinkHost {
  readonly req: NodeRequest;
  readonly res: NodeResponse;
  readonly serverState: ServerState;
  /** The context the chain started with (for observers of a running chain). */
  ctx: HttpContext | undefined = undefined;
  /** Connect/Express `next`, when mounted as middleware. */
  next: ((error?: unknown) => void) | undefined = undefined;
  chainDone = false;
  phase: Phase = 'idle';
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
  /** What the diagnostics channels publish, when something listens (see diagnostics.ts). */
  trace: RequestTrace | undefined = undefined;
  /**
   * While this pipelined response waits behind others: its connection's list of
   * waiting responses, which it leaves when it closes (see internal/abort.ts).
   */
  queuedOn: Exchange[] | undefined = undefined;
  /** Links of the server's list of exchanges not yet closed (see LiveList). */
  livePrev: Exchange | undefined = undefined;
  liveNext: Exchange | undefined = undefined;

  constructor(req: NodeRequest, res: NodeResponse, serverState: ServerState) {
    this.req = req;
    this.res = res;
    this.serverState = serverState;
  }

  /**
   * Whether the response is complete and every byte of it is in the kernel's
   * hands (HTTP/1.1: the socket buffers nothing), so it needs no watching.
   */
  get handedOver(): boolean {
    if (this.phase !== 'ended' || this.reason !== undefined || this.h2) return false;
    const socket = (this.res as ServerResponse).socket;
    return socket !== null && !socket.destroyed && socket.writableLength === 0;
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
    if (this.sinkObject === undefined) {
      this.sinkObject = new NodeBodySink(this.res, this);
      // Counting bytes costs a Buffer.byteLength per string chunk: only when observed.
      if (this.trace !== undefined) this.sinkObject.counter = this.trace;
    }
    return this.sinkObject;
  }

  /** SinkHost: hands status and headers to Node before the first byte. */
  commit(): void {
    if (this.committed) return;
    // Marked after writeHead: if Node refuses a header, nothing went out and the
    // stylobate can still answer 500.
    (this.res as ServerResponse).writeHead(this.status, this.headers as never);
    this.committed = true;
    if (this.trace !== undefined) this.trace.head(this.status);
    // The response started: the handlerTimeout has nothing left to answer.
    if (this.timer !== undefined) this.disarm();
  }

  /** SinkHost: status and headers on the wire now, before any body byte. */
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

  /**
   * Withdraws a response that has not reached the wire (its head not committed): its
   * sink fails with `reason` (a pending write rejects, nothing held goes out), its
   * head is forgotten, and the exchange is `idle` again, so that something else (a
   * 500, the 503 of `handlerTimeout`) can answer instead.
   */
  retract(reason: NodeAdapterError): void {
    const sink = this.sinkObject;
    if (sink !== undefined) {
      sink.fail(reason);
      this.sinkObject = undefined;
    }
    this.headers = undefined;
    this.phase = 'idle';
  }

  /**
   * The response ended. When the request body was left unread (413), HTTP/1.1 sent
   * `Connection: close`; HTTP/2 resets the stream with NO_ERROR once the response is
   * out (see `closeUnreadStream`).
   */
  closeUnread(): void {
    if (this.closeAfter && this.h2) closeUnreadStream(this.res as Http2ServerResponse);
  }

  /** Logs an error at `error` level, once per error object. */
  logOnce(error: unknown, fields: object, msg: string): void {
    const state = this.serverState;
    if (error !== null && typeof error === 'object') {
      if (state.logged.has(error)) return;
      state.logged.add(error);
    }
    state.logger.error({ ...fields, err: error }, msg);
  }
}
