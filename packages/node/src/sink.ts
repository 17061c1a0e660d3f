// One piece: the sink's coalescing buffer, its flush scheduling, its backpressure and
// its yield budget act on the same few fields on every write; split, each would
// reach into the others' state.

import type { ServerResponse } from 'node:http';
import type { Http2ServerResponse } from 'node:http2';
import type { BodySink } from '@plinth/writeable-body';
import { describeValue } from '@plinth/writeable-body';
import { NodeAdapterError } from './errors';
import { noop, rejected } from './internal/promises';

/** A Node response a sink can write to: `node:http`'s or `node:http2`'s compatibility one. */
export type NodeResponse = ServerResponse | Http2ServerResponse;

/**
 * The size at which coalesced writes go out: 16 KiB, the default high-water mark of
 * Node's sockets, so a full buffer is one socket write.
 * @internal Tuning, not API: not exported from the package's entry.
 */
export const COALESCE_BYTES: number = 16 * 1024;

/**
 * How many bytes a producer may hand over without giving the event loop a turn.
 * A fast client (loopback) takes every write at once, so backpressure alone never
 * stops a synchronous producer; past this, `write()` returns a promise settled on
 * `setImmediate`, and other requests are served meanwhile.
 * @internal Tuning, not API: not exported from the package's entry.
 */
export const YIELD_BYTES: number = 128 * 1024;

/**
 * What a sink needs from whoever owns the response.
 * @internal
 */
export interface SinkHost {
  /** Aborted when the client leaves or the response is aborted. */
  readonly signal: AbortSignal;
  /** Called before the first byte is written: sends status and headers. */
  commit(): void;
  /**
   * Called by a `flush()` with no byte pending: status and headers go on the wire now
   * (a body that wants its client to see the response open before its first byte).
   */
  flushHead(): void;
}

const DETACHED: SinkHost = {
  get signal(): AbortSignal {
    throw new Error('unreachable');
  },
  commit: noop,
  flushHead: noop,
};

// Marks a sink whose response ended; the error for a late write is made only then
// (an Error per response would cost a stack trace on every request).
const ENDED: object = Object.freeze({});

function endedError(): NodeAdapterError {
  return new NodeAdapterError('ABORTED', 'The response has ended; nothing more can be written');
}

function count(counter: { bytes: number }, chunk: string | Uint8Array): void {
  counter.bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
}

function yielded(sink: NodeBodySink): void {
  sink.unblock();
}

function flushLater(sink: NodeBodySink): void {
  sink.timer = undefined;
  sink.flush();
}

/**
 * The {@link BodySink} over a Node response (see the README, "The sink").
 *
 * Small writes are coalesced into a 16 KiB buffer that goes out when it is full,
 * on `flush()`, or on the next turn of the event loop (`setImmediate`), so a slow
 * producer's elements leave at once while a fast one's become few large writes. A
 * write the socket cannot take now makes `write()` return a promise that resolves
 * on `drain` and rejects when the response closes or is aborted.
 * @internal
 */
export class NodeBodySink implements BodySink {
  readonly out: NodeResponse;
  host: SinkHost;
  /** One pending chunk not copied yet: a body written in one piece stays one piece. */
  held: string | Uint8Array | undefined = undefined;
  buf: Buffer | undefined = undefined;
  used = 0;
  /**
   * Small strings joined, waiting after the bytes of `buf`: concatenation (a rope,
   * flattened once when written) costs less per element than encoding each string
   * into `buf` with its own call into C++.
   */
  text = '';
  timer: NodeJS.Immediate | undefined = undefined;
  /** Pending while the response's buffer is over its high-water mark. */
  waiting: Promise<void> | undefined = undefined;
  resume: (() => void) | undefined = undefined;
  cancel: ((reason: unknown) => void) | undefined = undefined;
  /** Set once the sink can no longer write: why. */
  failure: unknown = undefined;
  /**
   * While true, no flush is scheduled: the owner ends or flushes the response itself
   * when a synchronous write returns (see {@link NodeBodySink.resumeFlushing}).
   */
  hold = false;
  /** Bytes (UTF-16 units for strings) handed over since the event loop last had a turn. */
  sinceYield = 0;
  /** Counts the body bytes handed to Node, when the response is observed (diagnostics). */
  counter: { bytes: number } | undefined = undefined;

  constructor(out: NodeResponse, host: SinkHost = DETACHED) {
    this.out = out;
    this.host = host;
  }

  get signal(): AbortSignal {
    return this.host.signal;
  }

  write(chunk: Uint8Array | string): undefined | Promise<void> {
    if (this.failure !== undefined) {
      return rejected(this.failure === ENDED ? endedError() : this.failure);
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
    if (this.held === undefined && this.used === 0 && this.text.length === 0) {
      if (size >= COALESCE_BYTES) this.send(chunk);
      else {
        this.held = chunk;
        this.schedule();
      }
      return this.waiting;
    }
    const held = this.held;
    if (held !== undefined) {
      this.held = undefined;
      this.append(held);
    }
    this.append(chunk);
    if (this.used !== 0 || this.text.length !== 0) this.schedule();
    return this.waiting;
  }

  flush(): void {
    if (this.timer !== undefined) {
      clearImmediate(this.timer);
      this.timer = undefined;
    }
    if (this.failure !== undefined) return;
    const held = this.held;
    if (held !== undefined) {
      this.held = undefined;
      this.send(held);
    } else if (this.used === 0 && this.text.length === 0) {
      // Nothing pending: what there is to push is the head, if it has not gone yet.
      this.host.flushHead();
      return;
    }
    this.flushBuffer();
  }

  /**
   * Ends the response with whatever is pending as its last chunk (one write for a
   * body written in one piece).
   * @internal
   */
  end(): void {
    if (this.timer !== undefined) {
      clearImmediate(this.timer);
      this.timer = undefined;
    }
    if (this.failure !== undefined) return;
    let last: string | Uint8Array | undefined = this.held;
    if (last !== undefined) {
      this.held = undefined;
      if (this.used !== 0 || this.text.length !== 0) {
        this.flushBuffer();
      }
    } else if (this.text.length !== 0) {
      // The joined strings are the last chunk, after the bytes before them.
      if (this.used !== 0) this.flushBytes();
      last = this.text;
      this.text = '';
    } else if (this.used !== 0) {
      last = this.buf!.subarray(0, this.used);
      this.buf = undefined;
      this.used = 0;
    }
    this.failure = ENDED;
    this.host.commit();
    if (last !== undefined && this.counter !== undefined) count(this.counter, last);
    if (last === undefined) this.out.end();
    else (this.out as ServerResponse).end(last);
  }

  /**
   * The sink can no longer write: drops what it holds and rejects the pending write.
   * @internal
   */
  fail(reason: unknown): void {
    if (this.failure !== undefined && this.cancel === undefined) return;
    if (this.failure === undefined) this.failure = reason;
    if (this.timer !== undefined) {
      clearImmediate(this.timer);
      this.timer = undefined;
    }
    this.held = undefined;
    this.buf = undefined;
    this.used = 0;
    this.text = '';
    const cancel = this.cancel;
    this.waiting = this.resume = this.cancel = undefined;
    cancel?.(reason);
  }

  /**
   * Ends a {@link NodeBodySink.hold}: flushes are scheduled again, and one is now if
   * bytes wait (the body went asynchronous after writing synchronously).
   */
  resumeFlushing(): void {
    this.hold = false;
    if (this.held !== undefined || this.used !== 0 || this.text.length !== 0) this.schedule();
  }

  private schedule(): void {
    if (!this.hold && this.timer === undefined) this.timer = setImmediate(flushLater, this);
  }

  private append(chunk: string | Uint8Array): void {
    if (typeof chunk === 'string') {
      if (chunk.length >= COALESCE_BYTES) {
        // Large enough to go out alone, after what is pending.
        this.flushBuffer();
        this.send(chunk);
        return;
      }
      this.text += chunk;
      // 16 Ki UTF-16 units are at least 16 KiB: one socket write's worth.
      if (this.text.length >= COALESCE_BYTES) this.flushBuffer();
      return;
    }
    // Bytes go after the joined strings: those are encoded into the buffer first.
    if (this.text.length !== 0) this.encodeText();
    const bytes = chunk.byteLength;
    if (bytes > COALESCE_BYTES - this.used) {
      this.flushBytes();
      if (bytes >= COALESCE_BYTES) {
        this.send(chunk);
        return;
      }
    }
    if (this.buf === undefined) this.buf = Buffer.allocUnsafe(COALESCE_BYTES);
    this.buf.set(chunk, this.used);
    this.used += bytes;
    if (this.used === COALESCE_BYTES) this.flushBytes();
  }

  /** Moves the joined strings into the byte buffer (bytes are written after them). */
  private encodeText(): void {
    const text = this.text;
    this.text = '';
    const room = COALESCE_BYTES - this.used;
    // At most 3 bytes per UTF-16 unit: skip measuring when it surely fits.
    if (text.length * 3 > room) {
      const bytes = Buffer.byteLength(text);
      if (bytes > room) {
        this.flushBytes();
        if (bytes >= COALESCE_BYTES) {
          this.send(text);
          return;
        }
      }
    }
    if (this.buf === undefined) this.buf = Buffer.allocUnsafe(COALESCE_BYTES);
    this.used += this.buf.write(text, this.used);
    if (this.used === COALESCE_BYTES) this.flushBytes();
  }

  /** Sends everything pending: the buffer's bytes, then the joined strings. */
  private flushBuffer(): void {
    const text = this.text;
    if (text.length !== 0) {
      if (this.used === 0) {
        this.text = '';
        this.send(text);
        return;
      }
      this.encodeText();
    }
    this.flushBytes();
  }

  private flushBytes(): void {
    const used = this.used;
    if (used === 0) return;
    const buf = this.buf!;
    this.used = 0;
    if (used < COALESCE_BYTES / 4) {
      // A few bytes (a slow producer's element): send a copy and keep the buffer.
      this.send(Buffer.from(buf.subarray(0, used)));
    } else {
      this.buf = undefined;
      this.send(buf.subarray(0, used));
    }
  }

  private send(chunk: string | Uint8Array): void {
    this.host.commit();
    const accepted = (this.out as ServerResponse).write(chunk);
    if (this.counter !== undefined) count(this.counter, chunk);
    this.sinceYield += typeof chunk === 'string' ? chunk.length : chunk.byteLength;
    if (this.waiting !== undefined || this.failure !== undefined) return;
    if (!accepted) {
      this.block();
      this.out.once('drain', () => this.drained());
    } else if (this.sinceYield >= YIELD_BYTES) {
      this.block();
      setImmediate(yielded, this);
    }
  }

  private block(): void {
    this.waiting = new Promise<void>((resolve, reject) => {
      this.resume = resolve;
      this.cancel = reject;
    });
    this.waiting.catch(noop);
  }

  /**
   * The socket drained. A socket that takes writes at once drains on
   * `process.nextTick`, which never lets the event loop run: past the budget, the
   * producer resumes on `setImmediate` instead.
   */
  private drained(): void {
    if (this.sinceYield >= YIELD_BYTES) setImmediate(yielded, this);
    else this.resumeProducer();
  }

  /** The event loop had its turn: the budget starts again. */
  unblock(): void {
    this.sinceYield = 0;
    this.resumeProducer();
  }

  private resumeProducer(): void {
    const resume = this.resume;
    this.waiting = this.resume = this.cancel = undefined;
    resume?.();
  }
}
