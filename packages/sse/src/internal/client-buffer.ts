import type { BufferPolicy } from '../channel';

/**
 * @internal What a {@link ClientBuffer} did with a chunk it was offered: kept it,
 * dropped it (`drop-newest`), or found itself full under `wait` (the caller decides
 * whether to wait for room or to give up on the client).
 */
export type AdmitResult = 'accepted' | 'dropped' | 'full';

interface Waiter {
  readonly chunk: Uint8Array;
  readonly resolve: (accepted: boolean) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * @internal The bounded per-client buffer between a producer and the sink, and its
 * policies: it holds at most `limit` bytes or one chunk, whichever is larger (an
 * empty buffer takes any chunk), and when full it waits, drops the newest chunk or
 * drops the oldest ones, as told. Chunks leave in order through {@link take}; chunks
 * waiting for room are admitted, in order, as room frees up.
 *
 * It knows nothing of sinks or streams: the channel decides when a chunk can skip the
 * buffer (the client keeps up) and when to take the next one out.
 */
export class ClientBuffer {
  readonly #limit: number;
  #chunks: Uint8Array[] = [];
  #bytes = 0;
  #waiters: Waiter[] | undefined;
  #dropped = 0;
  #fullSince = 0;

  constructor(limit: number) {
    this.#limit = limit;
  }

  /** Bytes held. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Chunks a drop policy discarded so far. */
  get dropped(): number {
    return this.#dropped;
  }

  /** When the buffer was first found full since it was last emptied (`performance.now()`), else 0. */
  get fullSince(): number {
    return this.#fullSince;
  }

  /** True when nothing is held and nothing waits for room. */
  get isEmpty(): boolean {
    return this.#bytes === 0 && (this.#waiters === undefined || this.#waiters.length === 0);
  }

  /** Offers a chunk under a policy, without waiting; see {@link AdmitResult}. */
  admit(chunk: Uint8Array, policy: BufferPolicy): AdmitResult {
    const waiting = this.#waiters !== undefined && this.#waiters.length > 0;
    const size = chunk.byteLength;
    if (!waiting && (this.#bytes === 0 || this.#bytes + size <= this.#limit)) {
      this.#keep(chunk);
      return 'accepted';
    }
    if (this.#fullSince === 0) this.#fullSince = performance.now();
    if (policy === 'wait') return 'full';
    if (policy === 'drop-newest') {
      this.#dropped++;
      return 'dropped';
    }
    // drop-oldest: make room, then take it (an empty buffer takes any chunk).
    const chunks = this.#chunks;
    while (chunks.length > 0 && this.#bytes + size > this.#limit) {
      this.#bytes -= chunks.shift()!.byteLength;
      this.#dropped++;
    }
    this.#keep(chunk);
    return 'accepted';
  }

  /**
   * Waits for room for a chunk that {@link admit} found no room for under `wait`:
   * resolves with `true` once it is held, rejects when {@link rejectWaiting} runs.
   */
  waitForRoom(chunk: Uint8Array): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.#waiters ??= [];
      this.#waiters.push({ chunk, resolve, reject });
    });
  }

  /** The oldest chunk, removed; chunks waiting for room are admitted as it frees some. */
  take(): Uint8Array | undefined {
    const chunk = this.#chunks.shift();
    if (chunk === undefined) return undefined;
    this.#bytes -= chunk.byteLength;
    if (this.#waiters !== undefined && this.#waiters.length > 0) this.#admitWaiting();
    return chunk;
  }

  /** Everything held has been taken out: the buffer is no longer full. */
  emptied(): void {
    this.#fullSince = 0;
  }

  /** Rejects every chunk still waiting for room with `error`. */
  rejectWaiting(error: unknown): void {
    const waiters = this.#waiters;
    this.#waiters = undefined;
    if (waiters !== undefined) for (const waiter of waiters) waiter.reject(error);
  }

  /** Drops everything held (the stream ended). */
  discard(): void {
    this.#chunks = [];
    this.#bytes = 0;
  }

  #keep(chunk: Uint8Array): void {
    this.#chunks.push(chunk);
    this.#bytes += chunk.byteLength;
  }

  #admitWaiting(): void {
    const waiters = this.#waiters!;
    while (waiters.length > 0) {
      const waiter = waiters[0]!;
      if (this.#bytes !== 0 && this.#bytes + waiter.chunk.byteLength > this.#limit) return;
      waiters.shift();
      this.#keep(waiter.chunk);
      waiter.resolve(true);
    }
  }
}
