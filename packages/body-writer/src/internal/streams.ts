import type { Readable } from 'node:stream';
import type { BodySink } from '@plinth/writeable-body';
import { checkChunk } from './chunk';

/**
 * Streams a Node `Readable` chunk by chunk, awaiting the sink's backpressure. The
 * stream is destroyed when the sink's signal aborts, on any error, and whenever the
 * write stops early.
 * @internal
 */
export async function writeNodeReadable(stream: Readable, sink: BodySink): Promise<void> {
  const signal = sink.signal;
  if (signal.aborted) {
    stream.destroy();
    throw signal.reason;
  }
  const onAbort = (): void => {
    stream.destroy();
  };
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    // The async iterator destroys the stream on break/throw and turns its 'error'
    // event into a rejection, so no error event goes unheard.
    for await (const chunk of stream) {
      const pending = sink.write(checkChunk(chunk, 'The Readable body'));
      if (pending !== undefined) await pending;
      if (signal.aborted) break;
    }
    if (signal.aborted) throw signal.reason;
  } catch (error) {
    throw signal.aborted ? signal.reason : error;
  } finally {
    signal.removeEventListener('abort', onAbort);
    if (!stream.destroyed) stream.destroy();
  }
}

/**
 * Streams a Web `ReadableStream` through its reader; cancels the stream when the
 * sink's signal aborts or the write fails.
 * @internal
 */
export async function writeWebStream(
  stream: ReadableStream<unknown>,
  sink: BodySink,
): Promise<void> {
  const signal = sink.signal;
  if (signal.aborted) {
    await stream.cancel(signal.reason).catch(() => {});
    throw signal.reason;
  }
  const reader = stream.getReader();
  let cancelled = false;
  const cancel = (reason: unknown): void => {
    if (cancelled) return;
    cancelled = true;
    reader.cancel(reason).catch(() => {});
  };
  const onAbort = (): void => cancel(signal.reason);
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (signal.aborted) throw signal.reason;
      if (done) {
        cancelled = true; // finished: nothing to cancel
        return;
      }
      const pending = sink.write(checkChunk(value, 'The ReadableStream body'));
      if (pending !== undefined) await pending;
    }
  } catch (error) {
    const reason = signal.aborted ? signal.reason : error;
    cancel(reason);
    throw reason;
  } finally {
    signal.removeEventListener('abort', onAbort);
    try {
      reader.releaseLock();
    } catch {
      // Already released or a pending read remains; the stream is done with anyway.
    }
  }
}
