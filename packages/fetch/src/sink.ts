// One piece: the coalescing buffer, the queue of chunks the stream hands out on
// pull, and the producer's backpressure act on the same few fields on every write
// and every pull; split, each would reach into the others' state.

import type { BodySink } from '@plinth/writeable-body';
import { describeValue } from '@plinth/writeable-body';
import { FetchAdapterError } from './errors';

/**
 * The size at which coalesced writes become one chunk of the stream: 16 KiB, as on
 * Node, so a producer of small elements hands the runtime few large chunks.
 * @internal Tuning, not API.
 */
export const COALESCE_BYTES: number = 16 * 1024;

/**
 * How many bytes a producer may hand over without giving the event loop a turn, as
 * on Node. A runtime that reads the stream in microtasks (Bun writes to a writable
 * socket at once) would otherwise let a synchronous producer run forever and starve
 * every other request; past this, the producer resumes on the next macrotask.
 * @internal Tuning, not API.
 */
export const YIELD_BYTES: number = 128 * 1024;

/**
 * What a sink needs from whoever owns the response.
 * @internal
 */
export interface PullSinkHost {
  readonly signal: AbortSignal;
  /** The first byte (or a flush) is due: the response goes out with a stream body. */
  commitStream(stream: ReadableStream<Uint8Array>): void;
  /** The body ended before anything went out: the response goes out whole. */
  commitWhole(body: string | Uint8Array | null): void;
  /** The stream was cancelled by the runtime (the client went away). */
  cancelled(reason: unknown): void;
  /** The stream handed out its last byte and closed. */
  finished(): void;
}

function noop(): void {}

const ENDED: object = Object.freeze({});

function rejected(reason: unknown): Promise<never> {
  const promise = Promise.reject(reason);
  promise.catch(noop);
  return promise;
}

const encoder = new TextEncoder();

const later: (fn: () => void) => void =
  typeof (globalThis as { setImmediate?: unknown }).setImmediate === 'function'
    ? (fn) => {
        (globalThis as unknown as { setImmediate(fn: () => void): void }).setImmediate(fn);
      }
    : (fn) => {
        setTimeout(fn, 0);
      };

/**
 * The {@link BodySink} of a Fetch response: a pull-based `ReadableStream` source.
 *
 * Writes are coalesced into 16 KiB chunks. The stream is created with a high-water
 * mark of 0, so the runtime asks for a chunk (pull) only when the client can take
 * one; a write that leaves a full chunk not yet pulled returns a promise that
 * resolves on the next pull, so a lazy sequence produces only as fast as the client
 * reads, and at most two chunks wait here. A pull that finds only a partial chunk
 * takes it at once; small writes made while a pull waits go out on the next turn of
 * the event loop, coalesced. When the runtime cancels the stream (the client left)
 * the pending write rejects and the host aborts the response's signal.
 * @internal
 */
export class PullSink implements BodySink {
  readonly host: PullSinkHost;
  /** One pending chunk not copied yet: a body written in one piece stays one piece. */
  held: string | Uint8Array | undefined = undefined;
  /**
   * Strings written since the last chunk, concatenated (a rope: cheap) and encoded
   * once per chunk rather than once per write. Never holds text while `buf` holds
   * bytes: what comes after bytes is encoded into `buf`.
   */
  text = '';
  buf: Uint8Array | undefined = undefined;
  used = 0;
  /** Chunks ready for the stream, oldest first. */
  queue: Uint8Array[] = [];
  queued = 0;
  controller: ReadableStreamDefaultController<Uint8Array> | undefined = undefined;
  /** Resolves the pull that waits for bytes. */
  pulling: (() => void) | undefined = undefined;
  flushScheduled = false;
  /** Pending while a full chunk waits for the client. */
  waiting: Promise<void> | undefined = undefined;
  resume: (() => void) | undefined = undefined;
  cancel: ((reason: unknown) => void) | undefined = undefined;
  /** Set once the sink can no longer write: why (or ENDED). */
  failure: unknown = undefined;
  /** The stream went out (the head is committed with a stream body). */
  streaming = false;
  /** While true nothing goes out: ring-response ends or streams the body when a synchronous write returns. */
  hold = false;
  closed = false;
  /** Bytes handed to the stream since the event loop last had a turn. */
  sinceYield = 0;
  /** The producer waits for a macrotask (the yield budget is spent). */
  yielding = false;

  constructor(host: PullSinkHost) {
    this.host = host;
  }

  get signal(): AbortSignal {
    return this.host.signal;
  }

  write(chunk: Uint8Array | string): undefined | Promise<void> {
    if (this.failure !== undefined) {
      return rejected(
        this.failure === ENDED
          ? new FetchAdapterError('ABORTED', 'The response has ended; nothing more can be written')
          : this.failure,
      );
    }
    let size: number;
    if (typeof chunk === 'string') size = chunk.length;
    else if (chunk instanceof Uint8Array) size = chunk.byteLength;
    else {
      throw new TypeError(
        `BodySink.write(chunk): chunk must be a string or a Uint8Array, got ${describeValue(chunk)}`,
      );
    }
    if (size === 0) return this.waiting;
    if (this.held === undefined && this.used === 0 && this.text === '' && !this.streaming) {
      this.held = chunk;
      if (!this.hold) this.start();
      return this.waiting;
    }
    const held = this.held;
    if (held !== undefined) {
      this.held = undefined;
      this.append(held);
    }
    this.append(chunk);
    if (!this.hold) {
      if (!this.streaming) this.start();
      else if (this.pulling !== undefined) this.deliver();
    }
    return this.waiting;
  }

  flush(): void {
    if (this.failure !== undefined) return;
    if (!this.streaming) this.start();
    this.moveBuffer();
    this.deliver();
  }

  /** The body ended: what is pending is the last of it. @internal */
  end(): void {
    if (this.failure !== undefined) return;
    this.failure = ENDED;
    if (!this.streaming) {
      // Nothing went out: the body goes out whole, in one piece.
      let whole: string | Uint8Array | null = this.held ?? null;
      if (whole === null && this.text !== '') whole = this.text;
      if (whole === null && this.used !== 0) whole = this.buf!.subarray(0, this.used);
      this.held = undefined;
      this.text = '';
      this.buf = undefined;
      this.used = 0;
      this.closed = true;
      this.host.commitWhole(whole);
      return;
    }
    this.moveBuffer();
    this.deliver();
  }

  /** The sink can no longer write: drops what it holds, rejects the pending write. @internal */
  fail(reason: unknown, errorStream: boolean): void {
    if (this.failure !== undefined && this.failure !== ENDED) return;
    this.failure = reason;
    this.held = undefined;
    this.text = '';
    this.buf = undefined;
    this.used = 0;
    this.queue = [];
    this.queued = 0;
    const cancel = this.cancel;
    this.waiting = this.resume = this.cancel = undefined;
    cancel?.(reason);
    const pulling = this.pulling;
    this.pulling = undefined;
    if (errorStream && this.controller !== undefined && !this.closed) {
      this.closed = true;
      // The runtime aborts the connection: the client sees an incomplete response.
      try {
        this.controller.error(reason);
      } catch {
        // Already closed or errored.
      }
    }
    pulling?.();
  }

  /** Ends a {@link PullSink.hold}: the body went asynchronous; what it wrote goes out. */
  resumeFlushing(): void {
    this.hold = false;
    if (this.held !== undefined || this.used !== 0 || this.text !== '' || this.queued !== 0) {
      this.start();
    }
  }

  /** Commits the head with the stream as its body. */
  private start(): void {
    if (this.streaming) return;
    this.streaming = true;
    const held = this.held;
    if (held !== undefined) {
      this.held = undefined;
      this.append(held);
    }
    const stream = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          this.controller = controller;
        },
        pull: (controller) => this.pull(controller),
        cancel: (reason) => this.cancelled(reason),
      },
      { highWaterMark: 0 },
    );
    this.host.commitStream(stream);
  }

  private pull(controller: ReadableStreamDefaultController<Uint8Array>): undefined | Promise<void> {
    if (this.closed) return undefined;
    if (this.queue.length === 0) this.moveBuffer();
    const chunk = this.queue.shift();
    if (chunk !== undefined) {
      this.queued -= chunk.byteLength;
      controller.enqueue(chunk);
      if (this.queued < COALESCE_BYTES) this.resumeProducer();
      return undefined;
    }
    if (this.failure === ENDED) {
      this.close(controller);
      return undefined;
    }
    if (this.failure !== undefined) return undefined;
    // Nothing to hand out: the producer may go on, and this pull waits for its bytes.
    this.resumeProducer();
    return new Promise<void>((resolve) => {
      this.pulling = resolve;
    });
  }

  /** Hands bytes to a waiting pull: at once when a chunk is full, else on the next turn. */
  private deliver(): void {
    if (this.pulling === undefined) return;
    if (this.queue.length === 0 && this.failure !== ENDED) {
      if ((this.used !== 0 || this.text !== '') && !this.flushScheduled) {
        this.flushScheduled = true;
        later(() => {
          this.flushScheduled = false;
          if (this.pulling === undefined || this.failure !== undefined) return;
          this.moveBuffer();
          this.deliver();
        });
      }
      return;
    }
    const resolve = this.pulling;
    this.pulling = undefined;
    const controller = this.controller!;
    const chunk = this.queue.shift();
    if (chunk !== undefined) {
      this.queued -= chunk.byteLength;
      controller.enqueue(chunk);
      if (this.queued < COALESCE_BYTES) this.resumeProducer();
    } else this.close(controller);
    resolve();
  }

  private close(controller: ReadableStreamDefaultController<Uint8Array>): void {
    if (this.closed) return;
    this.closed = true;
    controller.close();
    this.host.finished();
  }

  private cancelled(reason: unknown): void {
    if (this.closed) return;
    this.closed = true;
    this.host.cancelled(reason);
  }

  private moveBuffer(): void {
    const held = this.held;
    if (held !== undefined) {
      this.held = undefined;
      this.push(typeof held === 'string' ? encoder.encode(held) : held);
    }
    if (this.text !== '') {
      const text = this.text;
      this.text = '';
      this.push(encoder.encode(text));
      return;
    }
    const used = this.used;
    if (used === 0) return;
    const buf = this.buf!;
    this.used = 0;
    this.buf = undefined;
    this.push(buf.subarray(0, used));
  }

  private push(chunk: Uint8Array): void {
    this.queue.push(chunk);
    this.queued += chunk.byteLength;
    this.sinceYield += chunk.byteLength;
    if (this.waiting !== undefined) return;
    if (this.sinceYield >= YIELD_BYTES) {
      this.block();
      this.yielding = true;
      later(() => {
        this.yielding = false;
        this.sinceYield = 0;
        if (this.queued < COALESCE_BYTES) this.resumeProducer();
      });
    } else if (this.queued >= COALESCE_BYTES) this.block();
  }

  private append(chunk: string | Uint8Array): void {
    if (typeof chunk === 'string' && this.used === 0) {
      this.text += chunk;
      if (this.text.length >= COALESCE_BYTES) this.moveBuffer();
      return;
    }
    if (this.text !== '') {
      // Bytes after text: the text goes into the byte buffer first, in order.
      const text = this.text;
      this.text = '';
      this.append(encoder.encode(text));
    }
    if (typeof chunk === 'string') {
      // At most 3 bytes per UTF-16 unit: encode into the buffer when it surely fits.
      if (chunk.length * 3 <= COALESCE_BYTES - this.used) {
        if (this.buf === undefined) this.buf = new Uint8Array(COALESCE_BYTES);
        this.used += encoder.encodeInto(chunk, this.buf.subarray(this.used)).written;
        if (this.used >= COALESCE_BYTES - 3) this.moveBuffer();
        return;
      }
      chunk = encoder.encode(chunk);
    }
    const bytes = chunk.byteLength;
    if (bytes > COALESCE_BYTES - this.used) {
      this.moveBuffer();
      if (bytes >= COALESCE_BYTES) {
        this.push(chunk);
        return;
      }
    }
    if (this.buf === undefined) this.buf = new Uint8Array(COALESCE_BYTES);
    this.buf.set(chunk, this.used);
    this.used += bytes;
    if (this.used === COALESCE_BYTES) this.moveBuffer();
  }

  private block(): void {
    this.waiting = new Promise<void>((resolve, reject) => {
      this.resume = resolve;
      this.cancel = reject;
    });
    this.waiting.catch(noop);
  }

  private resumeProducer(): void {
    const resume = this.resume;
    if (resume === undefined || this.yielding) return;
    this.waiting = this.resume = this.cancel = undefined;
    resume();
  }
}
