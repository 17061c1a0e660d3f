import { type BodySink, type Responder, WRITEABLE_BODY } from '@plinth/writeable-body';
import type { BufferPolicy, Channel } from '../channel';
import { encodeComment, encodeEvent, type SseEvent } from '../encode';
import { type CloseCode, type CloseReason, SseError } from '../error';
import { SSE_CONTENT_TYPE } from './headers';
import { type HeartbeatTarget, unwatchHeartbeat, watchHeartbeat } from './heartbeat';
import { adoptProducerResult } from './producer';
import type { StreamSettings } from './settings';

/** @internal What {@link EventChannel.offer} did with a chunk. */
export type OfferResult = 'accepted' | 'dropped' | 'full' | 'closed';

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

interface Waiter {
  readonly chunk: Uint8Array;
  readonly resolve: (accepted: boolean) => void;
  readonly reject: (error: unknown) => void;
}

const OPEN = 0;
const CLOSING = 1;
const ENDED = 2;

const TRUE: Promise<boolean> = Promise.resolve(true);
const FALSE: Promise<boolean> = Promise.resolve(false);
const HEARTBEAT: Uint8Array = Buffer.from(':\n');

const ADAPTER_CODES: ReadonlySet<string> = new Set([
  'client-disconnect',
  'server-stop',
  'body-error',
  'aborted',
  'timeout',
]);

/** @internal Why the adapter aborted, from its signal (`reason.code`). */
export function reasonFromSignal(signal: AbortSignal): CloseReason {
  const cause = signal.reason as { code?: unknown } | undefined;
  const code =
    typeof cause?.code === 'string' && ADAPTER_CODES.has(cause.code) ? cause.code : 'aborted';
  return { code: code as CloseCode, error: signal.reason };
}

/** @internal Encodes to the bytes that go on the wire. */
export function toBytes(text: string): Uint8Array {
  return Buffer.from(text, 'utf8');
}

/**
 * @internal The channel behind every stream, and the body that streams it: a
 * bounded queue of encoded chunks in front of a {@link BodySink}, written in order,
 * one pending sink write at a time, with a heartbeat timer.
 *
 * An event offered to a channel whose client keeps up is written to the sink before
 * `offer` returns, so a broadcast to many clients costs no promise per client. One
 * of these lives per open stream, so it is kept small: no closures of its own, the
 * queue and lists allocated only when needed.
 */
export class EventChannel implements Channel, HeartbeatTarget {
  readonly lastEventId: string | undefined;
  readonly #settings: StreamSettings;
  readonly #hooks: ChannelHooks | undefined;
  #sink: BodySink | undefined;
  #state = OPEN;
  #writing = false;
  /** Chunks waiting for the sink; allocated at the first backpressure. */
  #queue: Uint8Array[] | undefined;
  #queued = 0;
  #waiters: Waiter[] | undefined;
  #lastWrite = 0;
  #reason: CloseReason | undefined;
  #failure: CloseReason | undefined;
  #closed: Promise<CloseReason> | undefined;
  #resolveClosed: ((reason: CloseReason) => void) | undefined;
  #controller: AbortController | undefined;
  #closedError: SseError | undefined;
  #endListeners: ((reason: CloseReason) => void)[] | undefined;
  #fullSince = 0;
  #dropped = 0;
  #resolveRun: (() => void) | undefined;
  #rejectRun: ((error: unknown) => void) | undefined;
  #listenerError: unknown;
  /** The set of a hub's live subscribers this channel is in (left when it ends). */
  #memberOf: Set<EventChannel> | undefined;

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
    return this.enqueue(chunk, this.#settings.policy);
  }

  comment(text: string): Promise<boolean> {
    if (this.#state !== OPEN) return Promise.reject(this.#closedErrorNow());
    let chunk: Uint8Array;
    try {
      chunk = toBytes(encodeComment(text));
    } catch (error) {
      return Promise.reject(error);
    }
    return this.enqueue(chunk, this.#settings.policy);
  }

  close(): void {
    if (this.#state !== OPEN) return;
    this.#state = CLOSING;
    this.#stopAccepting({ code: 'closed' });
    if (this.#sink !== undefined && !this.#writing && this.#queued === 0) {
      this.finish({ code: 'closed' });
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
    return this.#queued;
  }

  get droppedEvents(): number {
    return this.#dropped;
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
    return this.run(sink);
  }

  // ---- internal API (hub, stream runners) ----

  /** @internal True while the channel accepts events. */
  get isOpen(): boolean {
    return this.#state === OPEN;
  }

  /** @internal The buffer policy. */
  get policy(): BufferPolicy {
    return this.#settings.policy;
  }

  /** @internal When the buffer last overflowed without draining since (`performance.now()`), else 0. */
  get fullSince(): number {
    return this.#fullSince;
  }

  /** @internal Queues a chunk under a policy; resolves as {@link Channel.send} does. */
  enqueue(chunk: Uint8Array, policy: BufferPolicy): Promise<boolean> {
    switch (this.offer(chunk, policy)) {
      case 'accepted':
        return TRUE;
      case 'dropped':
        return FALSE;
      case 'full':
        return new Promise((resolve, reject) => {
          this.#waiters ??= [];
          this.#waiters.push({ chunk, resolve, reject });
        });
      default:
        return Promise.reject(this.#closedErrorNow());
    }
  }

  /**
   * @internal Offers a chunk without waiting: accepted (and written at once when the
   * client keeps up), dropped by a drop policy, or `full` under `wait`.
   */
  offer(chunk: Uint8Array, policy: BufferPolicy): OfferResult {
    if (this.#state !== OPEN) return 'closed';
    const waiting = this.#waiters !== undefined && this.#waiters.length > 0;
    if (!waiting && this.#queued === 0) {
      if (this.#sink !== undefined && !this.#writing) {
        if (this.#write(chunk)) this.#sink.flush();
      } else {
        this.#push(chunk);
      }
      return 'accepted';
    }
    const size = chunk.byteLength;
    const limit = this.#settings.size;
    if (!waiting && this.#queued + size <= limit) {
      this.#push(chunk);
      return 'accepted';
    }
    if (this.#fullSince === 0) this.#fullSince = performance.now();
    if (policy === 'wait') return 'full';
    if (policy === 'drop-newest') {
      this.#dropped++;
      return 'dropped';
    }
    // drop-oldest: make room, then take it (an empty buffer takes any event).
    const queue = this.#queue!;
    while (queue.length > 0 && this.#queued + size > limit) {
      this.#queued -= queue.shift()!.byteLength;
      this.#dropped++;
    }
    this.#push(chunk);
    return 'accepted';
  }

  /**
   * @internal Joins a hub's set of live subscribers until the stream ends, without a
   * closure for the common case of one hub. Returns false when already ended.
   */
  joinSet(set: Set<EventChannel>): boolean {
    if (this.#state === ENDED) return false;
    set.add(this);
    if (this.#memberOf === undefined) this.#memberOf = set;
    else if (this.#memberOf !== set) this.onEnd(() => set.delete(this));
    return true;
  }

  /** @internal Leaves a hub's set of live subscribers. */
  leaveSet(set: Set<EventChannel>): boolean {
    if (this.#memberOf === set) this.#memberOf = undefined;
    return set.delete(this);
  }

  /** @internal Calls `listener` once when the stream ended (at once if it has). */
  onEnd(listener: (reason: CloseReason) => void): void {
    if (this.#state === ENDED) listener(this.#reason!);
    else {
      this.#endListeners ??= [];
      this.#endListeners.push(listener);
    }
  }

  /**
   * @internal Streams to `sink` until the channel ends. Calls the hooks' `onReady`
   * (or `start`) once the sink is attached. Resolves when the stream ended cleanly;
   * rejects with the error when it failed, so the adapter aborts the response and
   * the client can tell.
   */
  run(sink: BodySink, start?: () => void): Promise<void> {
    const done = new Promise<void>((resolve, reject) => {
      this.#resolveRun = resolve;
      this.#rejectRun = reject;
    });
    if (this.#state === ENDED || this.#sink !== undefined) {
      this.#settleRun();
      return done;
    }
    this.#sink = sink;
    if (sink.signal.aborted) {
      this.finish(reasonFromSignal(sink.signal));
      return done;
    }
    sink.signal.addEventListener('abort', this, { once: true });
    this.#lastWrite = performance.now();
    if (this.#settings.heartbeatMs > 0) watchHeartbeat(this, this.#settings.heartbeatMs);
    const { retry } = this.#settings;
    if (retry !== undefined) this.offer(toBytes(`retry: ${retry}\n\n`), 'wait');
    sink.flush(); // the headers on the wire before the first event
    try {
      const onReady = this.#hooks?.onReady;
      if (onReady !== undefined) adoptProducerResult(this, onReady(this, this.#hooks!.ctx));
      start?.();
    } catch (error) {
      this.fail(error);
    }
    if (
      this.#state === CLOSING &&
      this.#failure === undefined &&
      !this.#writing &&
      this.#queued === 0
    ) {
      this.finish({ code: 'closed' });
    }
    return done;
  }

  /** @internal The sink's signal aborted (the channel is its own listener: no closure). */
  handleEvent(): void {
    this.finish(reasonFromSignal(this.#sink!.signal));
  }

  /**
   * @internal Ends the stream because the producer failed. What was already handed
   * to the sink gets one turn of the event loop to reach the socket (Node corks a
   * response until the next tick), so events sent before the failure arrive before
   * the adapter aborts the connection; a client that is not keeping up is not
   * waited for.
   */
  fail(error: unknown): void {
    const sink = this.#sink;
    if (sink?.signal.aborted) {
      this.finish(reasonFromSignal(sink.signal));
      return;
    }
    if (this.#state === ENDED) return;
    const reason: CloseReason = { code: 'error', error };
    if (sink === undefined || this.#writing) {
      this.finish(reason);
      return;
    }
    if (this.#state === OPEN) {
      this.#state = CLOSING;
      this.#stopAccepting(reason);
    }
    this.#failure = reason;
    setImmediate(() => this.finish(reason));
  }

  /** @internal Ends the stream at once and cuts the connection: the client stayed too slow. */
  evict(): void {
    if (this.#state === ENDED) return;
    const reason: CloseReason = { code: 'evicted' };
    this.finish(reason);
    this.#hooks?.responder?.abort(
      new SseError('CLOSED', 'The event stream was evicted: the client stayed too slow', {
        reason,
      }),
    );
  }

  /** @internal Ends the stream now, exactly once, whatever the cause. */
  finish(reason: CloseReason): void {
    if (this.#state === ENDED) return;
    if (this.#state === OPEN) this.#stopAccepting(reason);
    this.#state = ENDED;
    this.#reason = reason;
    if (this.#settings.heartbeatMs > 0) unwatchHeartbeat(this, this.#settings.heartbeatMs);
    this.#sink?.signal.removeEventListener('abort', this);
    this.#queue = undefined;
    this.#queued = 0;
    this.#memberOf?.delete(this);
    this.#memberOf = undefined;
    this.#resolveClosed?.(reason);
    const listeners = this.#endListeners;
    this.#endListeners = undefined;
    if (listeners !== undefined) for (const listener of listeners) this.#call(listener, reason);
    const onClose = this.#hooks?.onClose;
    if (onClose !== undefined) this.#call(() => onClose(this.#hooks!.ctx, reason), reason);
    this.#settleRun();
  }

  // ---- private ----

  #call(listener: (reason: CloseReason) => void, reason: CloseReason): void {
    try {
      listener(reason);
    } catch (error) {
      this.#listenerError ??= error;
    }
  }

  #settleRun(): void {
    const resolve = this.#resolveRun;
    const reject = this.#rejectRun;
    if (resolve === undefined || reject === undefined) return;
    this.#resolveRun = this.#rejectRun = undefined;
    const reason = this.#reason;
    if (reason === undefined)
      reject(new SseError('CLOSED', 'This event stream is already being written'));
    else if (reason.code === 'error') reject(reason.error);
    else if (this.#listenerError !== undefined) reject(this.#listenerError);
    else resolve();
  }

  #stopAccepting(reason: CloseReason): void {
    this.#closedError = new SseError(
      'CLOSED',
      `The event stream is closed (${reason.code}); no more events can be sent`,
      { reason, cause: reason.error },
    );
    const waiters = this.#waiters;
    this.#waiters = undefined;
    if (waiters !== undefined) for (const waiter of waiters) waiter.reject(this.#closedError);
    if (this.#controller !== undefined && !this.#controller.signal.aborted) {
      this.#controller.abort(this.#closedError);
    }
  }

  #closedErrorNow(): SseError {
    return (
      this.#closedError ??
      new SseError('CLOSED', 'The event stream is closed; no more events can be sent', {
        reason: { code: 'closed' },
      })
    );
  }

  #push(chunk: Uint8Array): void {
    this.#queue ??= [];
    this.#queue.push(chunk);
    this.#queued += chunk.byteLength;
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
        () => this.#drained(),
        (error: unknown) => this.#writeFailed(error),
      );
      return false;
    }
    return true;
  }

  #pump(): void {
    const sink = this.#sink;
    if (this.#writing || sink === undefined || this.#state === ENDED) return;
    const queue = this.#queue;
    while (queue !== undefined && queue.length > 0) {
      const chunk = queue.shift()!;
      this.#queued -= chunk.byteLength;
      if (this.#waiters !== undefined && this.#waiters.length > 0) this.#admitWaiters();
      if (!this.#write(chunk)) return;
      if (this.#state === ENDED) return;
    }
    sink.flush();
    this.#fullSince = 0;
    if (this.#state === CLOSING && this.#failure === undefined) this.finish({ code: 'closed' });
  }

  #admitWaiters(): void {
    const limit = this.#settings.size;
    const waiters = this.#waiters!;
    while (waiters.length > 0) {
      const waiter = waiters[0]!;
      const size = waiter.chunk.byteLength;
      if (this.#queued !== 0 && this.#queued + size > limit) return;
      waiters.shift();
      this.#push(waiter.chunk);
      waiter.resolve(true);
    }
  }

  #drained(): void {
    this.#writing = false;
    this.#pump();
  }

  #writeFailed(error: unknown): void {
    this.#writing = false;
    if (this.#state === ENDED) return;
    this.fail(error);
  }

  /** @internal A heartbeat tick: a comment when idle for a whole period, never while busy or blocked. */
  heartbeat(now: number): void {
    if (this.#state !== OPEN || this.#writing || this.#queued !== 0) return;
    // A timer may fire a hair early against performance.now(): allow 1 ms.
    if (now - this.#lastWrite >= this.#settings.heartbeatMs - 1) this.offer(HEARTBEAT, 'wait');
  }
}

// A channel is a WriteableBody (see writeBody): the brand lives on the prototype,
// one property for every channel.
Object.defineProperty(EventChannel.prototype, WRITEABLE_BODY, { value: true });
