import type { BodySink } from '@plinth/writeable-body';
import type { BufferPolicy, Channel } from '../channel';
import { encodeComment, encodeEvent, type SseEvent } from '../encode';
import { type CloseCode, type CloseReason, SseError } from '../error';
import type { StreamSettings } from './settings';

/** @internal What {@link EventChannel.offer} did with a chunk. */
export type OfferResult = 'accepted' | 'dropped' | 'full' | 'closed';

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
 * @internal The channel behind every stream: a bounded queue of encoded chunks in
 * front of a {@link BodySink}, written in order, one pending sink write at a time,
 * with a heartbeat timer. Everything happens synchronously where it can (an event
 * offered to an idle channel is written to the sink before `offer` returns), so a
 * broadcast to many clients costs no promise per client.
 */
export class EventChannel implements Channel {
  readonly lastEventId: string | undefined;
  readonly #settings: StreamSettings;
  #queue: Uint8Array[] = [];
  #queued = 0;
  #waiters: Waiter[] = [];
  #sink: BodySink | undefined;
  #writing = false;
  #state = OPEN;
  #lastWrite = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #reason: CloseReason | undefined;
  #closed: Promise<CloseReason> | undefined;
  #resolveClosed: ((reason: CloseReason) => void) | undefined;
  #controller: AbortController | undefined;
  #closedError: SseError | undefined;
  #endListeners: ((reason: CloseReason) => void)[] = [];
  #fullSince = 0;
  #dropped = 0;
  #settle: { resolve: () => void; reject: (error: unknown) => void } | undefined;
  #listenerError: unknown;
  #abortResponse: ((reason: CloseReason) => void) | undefined;
  #failure: CloseReason | undefined;

  constructor(settings: StreamSettings, lastEventId: string | undefined) {
    this.#settings = settings;
    this.lastEventId = lastEventId;
  }

  // ---- public Channel API ----

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
    if (this.#sink !== undefined && !this.#writing && this.#queue.length === 0) {
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

  // ---- internal API (hub, stream runners) ----

  /** @internal True while the channel accepts events. */
  get isOpen(): boolean {
    return this.#state === OPEN;
  }

  /** @internal The buffer policy. */
  get policy(): BufferPolicy {
    return this.#settings.policy;
  }

  /** @internal When the buffer last overflowed without draining since (ms, `performance.now()`), else 0. */
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
        return new Promise((resolve, reject) => this.#waiters.push({ chunk, resolve, reject }));
      default:
        return Promise.reject(this.#closedErrorNow());
    }
  }

  /**
   * @internal Offers a chunk without waiting: accepted (and written now when the
   * client keeps up), dropped by a drop policy, or `full` under `wait`.
   */
  offer(chunk: Uint8Array, policy: BufferPolicy): OfferResult {
    if (this.#state !== OPEN) return 'closed';
    const size = chunk.byteLength;
    const limit = this.#settings.size;
    if (this.#waiters.length === 0 && (this.#queued === 0 || this.#queued + size <= limit)) {
      this.#queue.push(chunk);
      this.#queued += size;
      this.#pump();
      return 'accepted';
    }
    if (this.#fullSince === 0) this.#fullSince = performance.now();
    if (policy === 'wait') return 'full';
    if (policy === 'drop-newest') {
      this.#dropped++;
      return 'dropped';
    }
    // drop-oldest: make room, then take it (an empty buffer takes any event).
    const queue = this.#queue;
    while (queue.length > 0 && this.#queued + size > limit) {
      this.#queued -= queue.shift()!.byteLength;
      this.#dropped++;
    }
    queue.push(chunk);
    this.#queued += size;
    this.#pump();
    return 'accepted';
  }

  /** @internal Calls `listener` once when the stream ended (at once if it has). */
  onEnd(listener: (reason: CloseReason) => void): void {
    if (this.#state === ENDED) listener(this.#reason!);
    else this.#endListeners.push(listener);
  }

  /** @internal How to abort the response on eviction (the responder's `abort`), when known. */
  set abortResponse(abort: (reason: CloseReason) => void) {
    this.#abortResponse = abort;
  }

  /**
   * @internal Streams to `sink` until the channel ends; `start` runs once the sink is
   * attached (that is where `onReady` is called). Resolves when the stream ended
   * cleanly; rejects with the error when it failed, so the adapter aborts the
   * response and the client can tell.
   */
  run(sink: BodySink, start?: () => void): Promise<void> {
    const done = new Promise<void>((resolve, reject) => (this.#settle = { resolve, reject }));
    if (this.#state === ENDED) {
      this.#settleRun();
      return done;
    }
    this.#sink = sink;
    if (sink.signal.aborted) {
      this.finish(reasonFromSignal(sink.signal));
      return done;
    }
    sink.signal.addEventListener('abort', this.#onSinkAbort, { once: true });
    this.#lastWrite = performance.now();
    if (this.#settings.heartbeatMs > 0) {
      this.#timer = setTimeout(this.#tick, this.#settings.heartbeatMs);
    }
    const { retry } = this.#settings;
    if (retry !== undefined) this.offer(toBytes(`retry: ${retry}\n\n`), 'wait');
    if (start !== undefined) {
      try {
        start();
      } catch (error) {
        this.fail(error);
      }
    }
    if (
      this.#state === CLOSING &&
      this.#failure === undefined &&
      !this.#writing &&
      this.#queue.length === 0
    ) {
      this.finish({ code: 'closed' });
    }
    return done;
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

  /** @internal Ends the stream at once: the client stayed too slow. */
  evict(): void {
    if (this.#state === ENDED) return;
    this.finish({ code: 'evicted' });
    this.#abortResponse?.({ code: 'evicted' });
  }

  /** @internal Ends the stream now, exactly once, whatever the cause. */
  finish(reason: CloseReason): void {
    if (this.#state === ENDED) return;
    if (this.#state === OPEN) this.#stopAccepting(reason);
    this.#state = ENDED;
    this.#reason = reason;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#sink?.signal.removeEventListener('abort', this.#onSinkAbort);
    this.#queue = [];
    this.#queued = 0;
    this.#resolveClosed?.(reason);
    const listeners = this.#endListeners;
    this.#endListeners = [];
    for (const listener of listeners) {
      try {
        listener(reason);
      } catch (error) {
        this.#listenerError ??= error;
      }
    }
    this.#settleRun();
  }

  // ---- private ----

  #settleRun(): void {
    const settle = this.#settle;
    if (settle === undefined) return;
    this.#settle = undefined;
    const reason = this.#reason!;
    if (reason.code === 'error') settle.reject(reason.error);
    else if (this.#listenerError !== undefined) settle.reject(this.#listenerError);
    else settle.resolve();
  }

  #stopAccepting(reason: CloseReason): void {
    this.#closedError = new SseError(
      'CLOSED',
      `The event stream is closed (${reason.code}); no more events can be sent`,
      { reason, cause: reason.error },
    );
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const waiter of waiters) waiter.reject(this.#closedError);
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

  #pump(): void {
    const sink = this.#sink;
    if (this.#writing || sink === undefined || this.#state === ENDED) return;
    const queue = this.#queue;
    while (queue.length > 0) {
      const chunk = queue.shift()!;
      this.#queued -= chunk.byteLength;
      if (this.#waiters.length > 0) this.#admitWaiters();
      let pending: Promise<void> | undefined;
      try {
        pending = sink.write(chunk);
      } catch (error) {
        this.#writeFailed(error);
        return;
      }
      if (pending !== undefined) {
        this.#writing = true;
        this.#lastWrite = performance.now();
        pending.then(this.#drained, this.#writeFailed);
        return;
      }
    }
    this.#fullSince = 0;
    this.#lastWrite = performance.now();
    sink.flush();
    if (this.#state === CLOSING && this.#failure === undefined) this.finish({ code: 'closed' });
  }

  #admitWaiters(): void {
    const limit = this.#settings.size;
    const waiters = this.#waiters;
    while (waiters.length > 0) {
      const waiter = waiters[0]!;
      const size = waiter.chunk.byteLength;
      if (this.#queued !== 0 && this.#queued + size > limit) return;
      waiters.shift();
      this.#queue.push(waiter.chunk);
      this.#queued += size;
      waiter.resolve(true);
    }
  }

  readonly #drained = (): void => {
    this.#writing = false;
    this.#pump();
  };

  readonly #writeFailed = (error: unknown): void => {
    this.#writing = false;
    if (this.#state === ENDED) return;
    this.fail(error);
  };

  readonly #onSinkAbort = (): void => {
    this.finish(reasonFromSignal(this.#sink!.signal));
  };

  readonly #tick = (): void => {
    if (this.#state !== OPEN) return;
    const every = this.#settings.heartbeatMs;
    const idle = performance.now() - this.#lastWrite;
    let next = every;
    // A timer may fire a hair early against performance.now(): allow 1 ms.
    if (idle >= every - 1) {
      if (!this.#writing && this.#queue.length === 0) this.offer(HEARTBEAT, 'wait');
    } else {
      next = every - idle;
    }
    this.#timer = setTimeout(this.#tick, next);
  };
}
