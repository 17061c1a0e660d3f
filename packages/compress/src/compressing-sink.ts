// One piece: the block being collected, the zlib stream's backpressure and the
// target sink's backpressure act on the same few fields on every write and every
// chunk of output; split, each would reach into the others' state.

import type { Transform } from 'node:stream';
import type { BodySink } from '@plinth/writeable-body';
import { describeValue } from '@plinth/writeable-body';
import { CompressError } from './errors';

/**
 * How much input is collected before it goes to zlib as one block (unless a flush
 * point comes first): 64 KiB, so a fast producer's small writes cost one trip to
 * zlib's thread pool per 64 KiB rather than one per write.
 * @internal Tuning, not API.
 */
export const BLOCK_BYTES: number = 64 * 1024;

const noop = (): void => {};

let live = 0;
const closed = (): void => {
  live--;
};

/**
 * How many zlib streams of compressing sinks are open now: made and not yet closed
 * (Node emits `close` once the native handle, and zlib's memory, was freed). What the
 * tests watch to see that a disconnect frees zlib at once.
 * @internal
 */
export function openZlibStreams(): number {
  return live;
}

function flushLater(sink: CompressingSink): void {
  sink.timer = undefined;
  sink.flush();
}

/**
 * A {@link BodySink} that compresses what is written to it and writes the result to
 * another sink (the adapter's).
 *
 * Writes are collected into a block; the block goes to zlib as one flushed block at
 * every `flush()`, when it reaches {@link BLOCK_BYTES}, and on the next turn of the
 * event loop otherwise (as the adapter's own sink sends coalesced writes), so
 * whatever a producer wrote before it waited can be decoded at once by the client.
 *
 * Backpressure is measured on the compressed side: when the target sink cannot take
 * more, zlib's output is paused; zlib's input then fills, and `write()` returns a
 * promise that resolves when zlib drained. When the target's signal aborts (client
 * gone, response aborted) the zlib stream is destroyed at once and pending writes
 * reject.
 * @internal
 */
export class CompressingSink implements BodySink {
  target: BodySink;
  readonly z: Transform;
  parts: Uint8Array[] = [];
  pending = 0;
  timer: NodeJS.Immediate | undefined = undefined;
  failure: unknown = undefined;
  /** Pending while zlib's input is over its high-water mark. */
  waiting: Promise<void> | undefined = undefined;
  resume: (() => void) | undefined = undefined;
  cancel: ((reason: unknown) => void) | undefined = undefined;
  /** True while zlib's output waits for the target sink. */
  paused = false;
  /** Blocks handed to zlib whose processing has not completed. */
  inFlight = 0;
  idleWaiters: { resolve: () => void; reject: (e: unknown) => void }[] = [];
  finishing: Promise<void> | undefined = undefined;
  private readonly signalTarget: AbortSignal;
  private readonly blockBytes: number;

  /**
   * `blockBytes`: how much input to collect before handing it to zlib; a body of
   * known length gets its length (up to 1 MiB), so that a body written in one piece
   * is compressed in one trip to zlib, with the end of the stream.
   */
  constructor(target: BodySink, z: Transform, blockBytes: number = BLOCK_BYTES) {
    this.target = target;
    this.z = z;
    this.blockBytes = blockBytes;
    z.on('data', (out: Buffer) => this.output(out));
    z.on('error', (error: unknown) =>
      this.fail(new CompressError('COMPRESSION_FAILED', 'zlib failed', { cause: error })),
    );
    z.on('drain', () => this.drained());
    live++;
    z.once('close', closed);
    this.signalTarget = target.signal;
    if (target.signal.aborted) this.fail(target.signal.reason);
    else target.signal.addEventListener('abort', this, { once: true });
  }

  get signal(): AbortSignal {
    return this.target.signal;
  }

  /** The target's signal aborted: free zlib now. */
  handleEvent(): void {
    this.fail(this.signalTarget.reason);
  }

  write(chunk: Uint8Array | string): undefined | Promise<void> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    let bytes: Uint8Array;
    if (typeof chunk === 'string') bytes = Buffer.from(chunk);
    else if (chunk instanceof Uint8Array) bytes = chunk;
    else {
      throw new TypeError(
        `BodySink.write(chunk): chunk must be a string or a Uint8Array, got ${describeValue(chunk)}`,
      );
    }
    if (bytes.byteLength === 0) return this.waiting;
    this.parts.push(bytes);
    this.pending += bytes.byteLength;
    if (this.pending >= this.blockBytes) this.handOff(false);
    else if (this.timer === undefined) this.timer = setImmediate(flushLater, this);
    return this.waiting;
  }

  flush(): void {
    if (this.timer !== undefined) {
      clearImmediate(this.timer);
      this.timer = undefined;
    }
    if (this.failure !== undefined) return;
    if (this.pending !== 0) this.handOff(true);
    // Nothing of ours in flight: what there is to push is the target's (the head).
    else if (this.inFlight === 0 && !this.paused) this.target.flush();
  }

  /** Resolves once everything written so far went through zlib to the target. */
  idle(): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    this.flush();
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve, reject) => this.idleWaiters.push({ resolve, reject }));
  }

  /** Ends the zlib stream; resolves when its last bytes were handed to the target. */
  finish(): Promise<void> {
    if (this.finishing !== undefined) return this.finishing;
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.timer !== undefined) {
      clearImmediate(this.timer);
      this.timer = undefined;
    }
    // What is pending goes with the end: one trip to zlib for a body written at once.
    const last = this.pending === 0 ? undefined : this.takeBlock();
    this.finishing = new Promise<void>((resolve, reject) => {
      this.idleWaiters.push({ resolve: noop, reject });
      this.z.once('end', () => {
        this.signalTarget.removeEventListener('abort', this);
        this.target.flush();
        resolve();
      });
      if (last === undefined) this.z.end();
      else this.z.end(last);
    });
    this.finishing.catch(noop);
    return this.finishing;
  }

  /**
   * The sink can no longer write: destroys the zlib stream (its native memory goes
   * now, not at the next garbage collection), drops what it holds, rejects what waits.
   */
  fail(reason: unknown): void {
    if (this.failure !== undefined) return;
    this.failure = reason ?? new CompressError('COMPRESSION_FAILED', 'aborted');
    if (this.timer !== undefined) {
      clearImmediate(this.timer);
      this.timer = undefined;
    }
    this.signalTarget.removeEventListener('abort', this);
    this.parts = [];
    this.pending = 0;
    this.z.destroy();
    const cancel = this.cancel;
    this.waiting = this.resume = this.cancel = undefined;
    cancel?.(this.failure);
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w.reject(this.failure);
  }

  private isIdle(): boolean {
    return this.inFlight === 0 && this.pending === 0 && this.z.readableLength === 0 && !this.paused;
  }

  private takeBlock(): Uint8Array {
    const parts = this.parts;
    const block =
      parts.length === 1 ? parts[0]! : Buffer.concat(parts as Uint8Array[], this.pending);
    this.parts = [];
    this.pending = 0;
    return block;
  }

  private handOff(point: boolean): void {
    const block = this.takeBlock();
    this.inFlight++;
    const accepted = this.z.write(block, () => this.processed(point));
    if (!accepted && this.waiting === undefined && this.failure === undefined) {
      this.waiting = new Promise<void>((resolve, reject) => {
        this.resume = resolve;
        this.cancel = reject;
      });
      this.waiting.catch(noop);
    }
  }

  private processed(point: boolean): void {
    this.inFlight--;
    if (this.failure !== undefined) return;
    // A flush point's block is out of zlib: on to the wire with it.
    if (point && !this.paused) this.target.flush();
    this.checkIdle();
  }

  private output(out: Buffer): void {
    if (this.failure !== undefined) return;
    let wait: Promise<void> | undefined;
    try {
      wait = this.target.write(out);
    } catch (error) {
      this.fail(error);
      return;
    }
    if (wait !== undefined && !this.paused) {
      this.paused = true;
      this.z.pause();
      wait.then(
        () => {
          this.paused = false;
          if (this.failure !== undefined) return;
          this.z.resume();
          this.checkIdle();
        },
        (error: unknown) => this.fail(error),
      );
    }
    this.checkIdle();
  }

  private drained(): void {
    const resume = this.resume;
    this.waiting = this.resume = this.cancel = undefined;
    resume?.();
  }

  private checkIdle(): void {
    if (this.idleWaiters.length === 0 || this.finishing !== undefined || !this.isIdle()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    this.target.flush();
    for (const w of waiters) w.resolve();
  }
}
