import type { BodySink } from '@plinth/writeable-body';

/** An in-memory sink for unit tests of the encoding logic. */
export interface CollectingSink extends BodySink {
  readonly chunks: (string | Uint8Array)[];
  readonly controller: AbortController;
  /** Everything written, as bytes. */
  bytes(): Buffer;
  /** Everything written, decoded as UTF-8. */
  text(): string;
  /** How many writes returned a promise. */
  waits: number;
}

/**
 * A sink that keeps every chunk. With `blockEvery: n`, every n-th write returns a
 * promise (backpressure) that resolves on the next macrotask, or never when
 * `stall` is set (until the signal aborts, when it rejects, as a real sink's do).
 */
export function collectingSink(
  options: { blockEvery?: number; stall?: boolean } = {},
): CollectingSink {
  const controller = new AbortController();
  const chunks: (string | Uint8Array)[] = [];
  let count = 0;
  const sink: CollectingSink = {
    chunks,
    controller,
    signal: controller.signal,
    waits: 0,
    write(chunk) {
      chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk));
      count++;
      if (options.blockEvery === undefined || count % options.blockEvery !== 0) return undefined;
      sink.waits++;
      return new Promise<void>((resolve, reject) => {
        if (controller.signal.aborted) return reject(controller.signal.reason);
        const onAbort = (): void => reject(controller.signal.reason);
        controller.signal.addEventListener('abort', onAbort, { once: true });
        if (!options.stall) {
          setImmediate(() => {
            controller.signal.removeEventListener('abort', onAbort);
            resolve();
          });
        }
      });
    },
    flush() {},
    bytes() {
      return Buffer.concat(chunks.map((c) => (typeof c === 'string' ? Buffer.from(c) : c)));
    },
    text() {
      return sink.bytes().toString('utf8');
    },
  };
  return sink;
}

/** Waits until `condition()` holds, polling on macrotasks; fails after `ms`. */
export async function until(
  condition: () => boolean,
  ms = 2000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
