// One stream's channel: its states (open, closing, ended), the writes to its sink
// and every way it can end are one state machine, so they stay in one class; the
// bounded buffer (client-buffer.ts), the hub's membership (hub.ts), close reasons
// (close-reason.ts) and producers (producer.ts) live elsewhere.
import { type BodySink, type Responder, WRITEABLE_BODY } from '@plinth/writeable-body';
import type { BufferPolicy, Channel } from '../channel';
import {
  closeChannel,
  dropChannel,
  evictChannel,
  openChannel,
  publishDrop,
  publishSend,
  sendChannel,
} from '../diagnostics';
import { encodeComment, encodeEvent, type SseEvent, toBytes } from '../encode';
import { type CloseReason, SseError } from '../errors';
import { ClientBuffer } from './client-buffer';
import { reasonFromSignal } from './close-reason';
import { SSE_CONTENT_TYPE } from './headers';
import { type HeartbeatTarget, unwatchHeartbeat, watchHeartbeat } from './heartbeat';
import { nextTurn, utf8 } from './portable';
import { adoptProducerResult, type ProducerTarget } from './producer';
import type { StreamSettings } from './settings';
import { type EndListener, type OfferResult, SUBSCRIBER, type Subscriber } from './subscriber';

/** @internal What an event stream hands its channel, so it needs no closures of its own. */
export interface ChannelHooks {
  /** The context given to `onReady` and `onClose`. */
  readonly ctx?: unknown;
  /** Called once the sink is attached; what it returns is adopted (see `adoptProducerResult`). */
  readonly onReady?: ((channel: EventChannel, ctx: any) => unknown) | undefined;
  /** Called exactly once when the stream ended. */
  readonly onClose?: ((ctx: any, reason: CloseReason) => void) | undefined;
  /** The adapter's responder, to abort the response on eviction. */
  readonly responder?: Responder | undefined;
}

function noop(): void {}

const OPEN = 0;
const CLOSING = 1;
const ENDED = 2;

const TRUE: Promise<boolean> = Promise.resolve(true);
const FALSE: Promise<boolean> = Promise.resolve(false);
const HEARTBEAT: Uint8Array = utf8(':\n');

/**
 * @internal The channel behind every stream, and the body that streams it: a
 * {@link ClientBuffer} in front of a {@link BodySink}, written in order, one pending
 * sink write at a time, with a heartbeat timer.
 *
 * An event offered to a channel whose client keeps up is written to the sink before
 * `offer` returns, so a broadcast to many clients costs no promise per client. One
 * of these lives per open stream, so it is kept small: no closures of its own, the
 * buffer and lists allocated only when needed.
 */
export class EventChannel implements Channel, HeartbeatTarget, Subscriber, ProducerTarget {
  readonly lastEventId: string | undefined;
  readonly #settings: StreamSettings;
  readonly #hooks: ChannelHooks | undefined;
  #sink: BodySink | undefined;
  #state = OPEN;
  #writing = false;
  /** Chunks the sink cannot take yet; allocated at the first backpressure. */
  #buffer: ClientBuffer | undefined;
  #lastWrite = 0;
  #reason: CloseReason | undefined;
  #failure: CloseReason | undefined;
  #closed: Promise<CloseReason> | undefined;
  #resolveClosed: ((reason: CloseReason) => void) | undefined;
  #controller: AbortController | undefined;
  #closedError: SseError | undefined;
  /** The first end listener (a hub's, usually), then any more: no array for the common case. */
  #endListener: EndListener | undefined;
  #moreEndListeners: EndListener[] | undefined;
  #resolveStream: (() => void) | undefined;
  #rejectStream: ((error: unknown) => void) | undefined;
  #listenerError: unknown;

  constructor(settings: StreamSettings, lastEventId: string | undefined, hooks?: ChannelHooks) {
    this.#settings = settings;
    this.lastEventId = lastEventId;
    this.#hooks = hooks;
  }

  // ---- Channel ----

  send(event: SseEvent): Promise<boolean> {
    if (this.#state !== OPEN) return Promise.reject(this.#closedErrorNow());
    let chunk: Uint8Array;
    try {
      chunk = toBytes(encodeEvent(event));
    } catch (error) {
      return Promise.reject(error);
    }
    return this.sendChunk(chunk, this.#settings.policy);
  }

  comment(text: string): Promise<boolean> {
    if (this.#state !== OPEN) return Promise.reject(this.#closedErrorNow());
    let chunk: Uint8Array;
    try {
      chunk = toBytes(encodeComment(text));
    } catch (error) {
      return Promise.reject(error);
    }
    return this.sendChunk(chunk, this.#settings.policy);
  }

  close(): void {
    if (this.#state !== OPEN) return;
    this.#state = CLOSING;
    this.#stopAccepting({ code: 'CLOSED' });
    if (this.#sink !== undefined && !this.#writing && this.#bufferedBytes() === 0) {
      this.endNow({ code: 'CLOSED' });
    }
  }

  get closed(): Promise<CloseReason> {
    if (this.#closed === undefined) {
      if (this.#reason !== undefined) this.#closed = Promise.resolve(this.#reason);
      else this.#closed = new Promise((resolve) => (this.#resolveClosed = resolve));
    }
    return this.#closed;
  }

  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#state !== OPEN) this.#controller.abort(this.#closedErrorNow());
    }
    return this.#controller.signal;
  }

  get bufferedBytes(): number {
    return this.#bufferedBytes();
  }

  get droppedEvents(): number {
    return this.#buffer?.dropped ?? 0;
  }

  // ---- WriteableBody (eventStream writes the channel itself) ----

  /** @internal */
  defaultContentType(): string {
    return SSE_CONTENT_TYPE;
  }

  /** @internal */
  contentLength(): undefined {
    return undefined;
  }

  /** @internal */
  writeBody(sink: BodySink): Promise<void> {
    return this.streamTo(sink);
  }

  // ---- Subscriber (what a hub uses) ----

  /** @internal True while the channel accepts events. */
  get isOpen(): boolean {
    return this.#state === OPEN;
  }

  /** @internal The buffer policy. */
  get policy(): BufferPolicy {
    return this.#settings.policy;
  }

  /** @internal When the buffer was first found full since it was last emptied (`performance.now()`), else 0. */
  get fullSince(): number {
    return this.#buffer?.fullSince ?? 0;
  }

  /** @internal Hands over encoded bytes under a policy; resolves as {@link Channel.send} does. */
  sendChunk(chunk: Uint8Array, policy: BufferPolicy): Promise<boolean> {
    switch (this.offer(chunk, policy)) {
      case 'accepted':
        return TRUE;
      case 'dropped':
        return FALSE;
      case 'full': {
        const waiting = this.#buffer!.waitForRoom(chunk);
        if (sendChannel.hasSubscribers) waiting.then(() => publishSend(this, chunk), noop);
        return waiting;
      }
      default:
        return Promise.reject(this.#closedErrorNow());
    }
  }

  /**
   * @internal Hands over encoded bytes without waiting: accepted (and written at once
   * when the client keeps up), dropped by a drop policy, or `full` under `wait`.
   */
  offer(chunk: Uint8Array, policy: BufferPolicy): OfferResult {
    if (this.#state !== OPEN) return 'closed';
    const buffer = this.#buffer;
    if ((buffer === undefined || buffer.isEmpty) && this.#sink !== undefined && !this.#writing) {
      if (this.#write(chunk)) this.#sink.flush();
      if (sendChannel.hasSubscribers) publishSend(this, chunk);
      return 'accepted';
    }
    this.#buffer ??= new ClientBuffer(this.#settings.size);
    if (!sendChannel.hasSubscribers && !dropChannel.hasSubscribers) {
      return this.#buffer.admit(chunk, policy);
    }
    return this.#admitObserved(this.#buffer, chunk, policy);
  }

  /** {@link offer}'s buffered path while the diagnostics channels are observed. */
  #admitObserved(buffer: ClientBuffer, chunk: Uint8Array, policy: BufferPolicy): OfferResult {
    const before = buffer.dropped;
    const result = buffer.admit(chunk, policy);
    if (result === 'accepted' && sendChannel.hasSubscribers) publishSend(this, chunk);
    if (dropChannel.hasSubscribers) publishDrop(this, buffer.dropped - before, policy);
    return result;
  }

  /**
   * @internal Calls `listener` once when the stream ended (at once if it has). A
   * listener already registered is not added again (as with `addEventListener`).
   */
  onEnd(listener: EndListener): void {
    if (this.#state === ENDED) listener(this.#reason!, this);
    else if (this.#endListener === undefined) this.#endListener = listener;
    else if (this.#endListener !== listener && !this.#moreEndListeners?.includes(listener)) {
      this.#moreEndListeners ??= [];
      this.#moreEndListeners.push(listener);
    }
  }

  /** @internal Ends the stream at once and cuts the connection: the client stayed too slow. */
  evict(): void {
    if (this.#state === ENDED) return;
    const reason: CloseReason = { code: 'EVICTED' };
    if (evictChannel.hasSubscribers) evictChannel.publish({ channel: this });
    this.endNow(reason);
    this.#hooks?.responder?.abort(
      new SseError('CLOSED', 'The event stream was evicted: the client stayed too slow', {
        reason,
      }),
    );
  }

  /**
   * @internal Ends the stream because what fed it failed (the producer, a hub's log).
   * What was already handed to the sink gets one turn of the event loop to reach the
   * socket (Node corks a response until the next tick), so events sent before the
   * failure arrive before the adapter aborts the connection; a client that is not
   * keeping up is not waited for.
   */
  endWithError(error: unknown): void {
    const sink = this.#sink;
    if (sink?.signal.aborted) {
      this.endNow(reasonFromSignal(sink.signal));
      return;
    }
    if (this.#state === ENDED) return;
    const reason: CloseReason = { code: 'ERROR', error };
    if (sink === undefined || this.#writing) {
      this.endNow(reason);
      return;
    }
    if (this.#state === OPEN) {
      this.#state = CLOSING;
      this.#stopAccepting(reason);
    }
    this.#failure = reason;
    nextTurn(() => this.endNow(reason));
  }

  // ---- the stream (eventStream and eventSource) ----

  /**
   * @internal Streams to `sink` until the channel ends. Calls the hooks' `onReady`
   * (or `start`) once the sink is attached. Resolves when the stream ended cleanly; rejects with
   * the error when it failed, so the adapter aborts the response and the client can
   * tell.
   */
  streamTo(sink: BodySink, start?: () => void): Promise<void> {
    const done = new Promise<void>((resolve, reject) => {
      this.#resolveStream = resolve;
      this.#rejectStream = reject;
    });
    if (this.#state === ENDED || this.#sink !== undefined) {
      this.#settleStream();
      return done;
    }
    this.#sink = sink;
    if (openChannel.hasSubscribers) {
      openChannel.publish({ channel: this, lastEventId: this.lastEventId });
    }
    if (sink.signal.aborted) {
      this.endNow(reasonFromSignal(sink.signal));
      return done;
    }
    sink.signal.addEventListener('abort', this, { once: true });
    this.#lastWrite = performance.now();
    if (this.#settings.heartbeatMs > 0) watchHeartbeat(this, this.#settings.heartbeatMs);
    const { retry } = this.#settings;
    if (retry !== undefined) this.offer(toBytes(`retry: ${retry}\n\n`), 'wait');
    // The head on the wire before the first event: a flush with nothing pending sends it.
    sink.flush();
    try {
      const onReady = this.#hooks?.onReady;
      if (onReady !== undefined) adoptProducerResult(this, onReady(this, this.#hooks!.ctx));
      start?.();
    } catch (error) {
      this.endWithError(error);
    }
    if (
      this.#state === CLOSING &&
      this.#failure === undefined &&
      !this.#writing &&
      this.#bufferedBytes() === 0
    ) {
      this.endNow({ code: 'CLOSED' });
    }
    return done;
  }

  /** @internal The sink's signal aborted (the channel is its own listener: no closure). */
  handleEvent(): void {
    this.endNow(reasonFromSignal(this.#sink!.signal));
  }

  /** @internal Ends the stream now, exactly once, whatever the cause. */
  endNow(reason: CloseReason): void {
    if (this.#state === ENDED) return;
    if (this.#state === OPEN) this.#stopAccepting(reason);
    this.#state = ENDED;
    this.#reason = reason;
    if (this.#sink !== undefined && closeChannel.hasSubscribers) {
      closeChannel.publish({ channel: this, reason: reason.code, error: reason.error });
    }
    if (this.#settings.heartbeatMs > 0) unwatchHeartbeat(this, this.#settings.heartbeatMs);
    this.#sink?.signal.removeEventListener('abort', this);
    this.#buffer?.discard();
    this.#resolveClosed?.(reason);
    const first = this.#endListener;
    const more = this.#moreEndListeners;
    this.#endListener = this.#moreEndListeners = undefined;
    if (first !== undefined) this.#call(first, reason);
    if (more !== undefined) for (const listener of more) this.#call(listener, reason);
    const onClose = this.#hooks?.onClose;
    if (onClose !== undefined) this.#call(() => onClose(this.#hooks!.ctx, reason), reason);
    this.#settleStream();
  }

  /** @internal A heartbeat tick: a comment when idle for a whole period, never while busy or blocked. */
  heartbeat(now: number): void {
    if (this.#state !== OPEN || this.#writing || this.#bufferedBytes() !== 0) return;
    // A timer may fire a hair early against performance.now(): allow 1 ms.
    if (now - this.#lastWrite >= this.#settings.heartbeatMs - 1) this.offer(HEARTBEAT, 'wait');
  }

  // ---- private ----

  #bufferedBytes(): number {
    return this.#buffer === undefined ? 0 : this.#buffer.bytes;
  }

  #call(listener: EndListener, reason: CloseReason): void {
    try {
      listener(reason, this);
    } catch (error) {
      this.#listenerError ??= error;
    }
  }

  #settleStream(): void {
    const resolve = this.#resolveStream;
    const reject = this.#rejectStream;
    if (resolve === undefined || reject === undefined) return;
    this.#resolveStream = this.#rejectStream = undefined;
    const reason = this.#reason;
    if (reason === undefined)
      reject(new SseError('CLOSED', 'This event stream is already being written'));
    else if (reason.code === 'ERROR') reject(reason.error);
    else if (this.#listenerError !== undefined) reject(this.#listenerError);
    else resolve();
  }

  #stopAccepting(reason: CloseReason): void {
    this.#closedError = new SseError(
      'CLOSED',
      `The event stream is closed (${reason.code}); no more events can be sent`,
      { reason, cause: reason.error },
    );
    this.#buffer?.rejectWaiting(this.#closedError);
    if (this.#controller !== undefined && !this.#controller.signal.aborted) {
      this.#controller.abort(this.#closedError);
    }
  }

  #closedErrorNow(): SseError {
    return (
      this.#closedError ??
      new SseError('CLOSED', 'The event stream is closed; no more events can be sent', {
        reason: { code: 'CLOSED' },
      })
    );
  }

  /** Hands one chunk to the sink; false when the sink must be waited for (or failed). Flushing is the caller's. */
  #write(chunk: Uint8Array): boolean {
    const sink = this.#sink!;
    let pending: Promise<void> | undefined;
    try {
      pending = sink.write(chunk);
    } catch (error) {
      this.#writeFailed(error);
      return false;
    }
    this.#lastWrite = performance.now();
    if (pending !== undefined) {
      this.#writing = true;
      pending.then(
        () => this.#sinkReady(),
        (error: unknown) => this.#writeFailed(error),
      );
      return false;
    }
    return true;
  }

  /** Writes buffered chunks until the sink must be waited for or the buffer is empty. */
  #pump(): void {
    const sink = this.#sink;
    if (this.#writing || sink === undefined || this.#state === ENDED) return;
    const buffer = this.#buffer;
    if (buffer !== undefined) {
      for (let chunk = buffer.take(); chunk !== undefined; chunk = buffer.take()) {
        if (!this.#write(chunk)) return;
        if (this.#state === ENDED) return;
      }
      buffer.emptied();
    }
    sink.flush();
    if (this.#state === CLOSING && this.#failure === undefined) this.endNow({ code: 'CLOSED' });
  }

  #sinkReady(): void {
    this.#writing = false;
    this.#pump();
  }

  #writeFailed(error: unknown): void {
    this.#writing = false;
    if (this.#state === ENDED) return;
    this.endWithError(error);
  }
}

// A channel is a WriteableBody (see writeBody) and a hub's Subscriber: the brands live
// on the prototype, one property each for every channel.
Object.defineProperty(EventChannel.prototype, WRITEABLE_BODY, { value: true });
Object.defineProperty(EventChannel.prototype, SUBSCRIBER, { value: true });
