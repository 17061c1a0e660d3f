// A BodySink for unit tests of buffering logic: it records what is written and can
// play a client that stops reading (write() returns a pending promise until drain()).
import type { BodySink } from '@plinth/writeable-body';
import { createParser, type EventSourceMessage } from 'eventsource-parser';

export interface FakeSink extends BodySink {
  /** Everything written, decoded. */
  readonly text: string;
  /** Parsed events so far. */
  readonly events: EventSourceMessage[];
  /** Parsed comments so far. */
  readonly comments: string[];
  /** Number of write() calls. */
  readonly writes: number;
  /** Makes every write() return a promise until drain(). */
  stall(): void;
  /** Resolves the pending promise and stops stalling. */
  drain(): void;
  /** The client goes away: the signal aborts with code `CLIENT_DISCONNECT`. */
  disconnect(code?: string): void;
  /** How many flush() calls. */
  readonly flushes: number;
}

export function fakeSink(): FakeSink {
  const controller = new AbortController();
  const decoder = new TextDecoder();
  const events: EventSourceMessage[] = [];
  const comments: string[] = [];
  const parser = createParser({
    onEvent: (event) => events.push(event),
    onComment: (comment) => comments.push(comment),
  });
  let text = '';
  let writes = 0;
  let flushes = 0;
  let stalled = false;
  let pending:
    | { promise: Promise<void>; resolve: () => void; reject: (e: unknown) => void }
    | undefined;
  controller.signal.addEventListener('abort', () => {
    pending?.reject(controller.signal.reason);
    pending = undefined;
  });
  return {
    signal: controller.signal,
    write(chunk) {
      if (controller.signal.aborted) return Promise.reject(controller.signal.reason);
      writes++;
      const piece = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
      text += piece;
      parser.feed(piece);
      if (!stalled) return undefined;
      if (pending === undefined) {
        let resolve!: () => void;
        let reject!: (e: unknown) => void;
        const promise = new Promise<void>((res, rej) => {
          resolve = res;
          reject = rej;
        });
        promise.catch(() => {});
        pending = { promise, resolve, reject };
      }
      return pending.promise;
    },
    flush() {
      flushes++;
    },
    stall() {
      stalled = true;
    },
    drain() {
      stalled = false;
      const p = pending;
      pending = undefined;
      p?.resolve();
    },
    disconnect(code = 'CLIENT_DISCONNECT') {
      controller.abort(Object.assign(new Error('gone'), { code }));
    },
    get text() {
      return text;
    },
    get events() {
      return events;
    },
    get comments() {
      return comments;
    },
    get writes() {
      return writes;
    },
    get flushes() {
      return flushes;
    },
  };
}

/** Waits (bounded) until `predicate` holds, polling on macrotasks. */
export async function until(
  predicate: () => boolean,
  timeoutMs = 2000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}
