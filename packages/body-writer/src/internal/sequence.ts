import type { BodySink } from '@plinth/writeable-body';

/**
 * Turns one element into what is written for it; `index` counts from 0.
 * @internal
 */
export type Encode = (element: unknown, index: number) => string | Uint8Array;

/**
 * Writes a sync or async iterable element by element: `open`, one `encode`d write
 * per element, `close`. Nothing, not even `open`, is written before the first
 * element exists or the source ended, so a source that fails before its first
 * element leaves the sink untouched (an adapter can still answer with an error
 * status). Awaits only the promises `sink.write` returns (no promise
 * per element while the client keeps up). Stops when `sink.signal` aborts,
 * rejecting with its reason; the iterator's `return()` is called on abort and on
 * error, so a generator's `finally` runs.
 * @internal
 */
export function writeSequence(
  source: Iterable<unknown> | AsyncIterable<unknown>,
  sink: BodySink,
  encode: Encode,
  open: string | undefined,
  close: string | undefined,
): Promise<void> {
  if (typeof (source as Partial<AsyncIterable<unknown>>)[Symbol.asyncIterator] === 'function') {
    return writeAsync(source as AsyncIterable<unknown>, sink, encode, open, close);
  }
  return writeSync(source as Iterable<unknown>, sink, encode, open, close);
}

async function writeSync(
  source: Iterable<unknown>,
  sink: BodySink,
  encode: Encode,
  open: string | undefined,
  close: string | undefined,
): Promise<void> {
  const signal = sink.signal;
  signal.throwIfAborted();
  const iterator = source[Symbol.iterator]();
  // Nothing is written before the first element exists and is encoded (issue 15):
  // a source that throws here, or a first element that cannot be encoded, leaves
  // the response uncommitted, so the adapter can still answer 500. The first
  // next() and encode() are the loop's, hoisted above it: the loop starts by
  // writing, and has no branch for the first element. (A hand-written loop rather
  // than for-of over the rest: for-of over a wrapper cost about 17,000 more
  // instructions per 100-element response.)
  let step = iterator.next();
  let pending: undefined | Promise<void>;
  // What for-of does: return() when anything but the iterator itself fails (an
  // abort, a failed write, an element that cannot be encoded), so a generator's
  // finally runs; an iterator that failed on its own, or had ended, gets no return().
  let failedInNext = false;
  try {
    let index = 0;
    let chunk = step.done === true ? undefined : encode(step.value, index++);
    if (open !== undefined) {
      pending = sink.write(open);
      if (pending !== undefined) await pending;
    }
    while (chunk !== undefined) {
      pending = sink.write(chunk);
      if (pending !== undefined) {
        await pending;
        if (signal.aborted) throw signal.reason;
      } else if ((index & 63) === 0 && signal.aborted) {
        // The signal can only change while we await, unless the sink aborts it from
        // inside write(); a look every 64 elements stops even an endless generator then.
        throw signal.reason;
      }
      try {
        step = iterator.next();
      } catch (error) {
        failedInNext = true;
        throw error;
      }
      chunk = step.done === true ? undefined : encode(step.value, index++);
    }
  } catch (error) {
    if (!failedInNext && step.done !== true) {
      try {
        iterator.return?.();
      } catch {
        // The first error is the one that matters.
      }
    }
    throw error;
  }
  if (close !== undefined) {
    pending = sink.write(close);
    if (pending !== undefined) await pending;
  }
}

async function writeAsync(
  source: AsyncIterable<unknown>,
  sink: BodySink,
  encode: Encode,
  open: string | undefined,
  close: string | undefined,
): Promise<void> {
  const signal = sink.signal;
  signal.throwIfAborted();
  const iterator = source[Symbol.asyncIterator]();
  // Set once the iterator is finished or was told to return, so return() is called at most once.
  let finished = false;
  const stop = (): void => {
    if (finished) return;
    finished = true;
    // An async generator queues this behind a pending next(): its finally runs as
    // soon as the step it is awaiting settles. Other iterators can stop at once.
    try {
      iterator.return?.()?.catch(() => {});
    } catch {
      // A return() that throws changes nothing: the write already stops.
    }
  };
  signal.addEventListener('abort', stop, { once: true });
  try {
    // Nothing is written before the first element exists and is encoded (issue 15):
    // a source that fails before it, or a first element that cannot be encoded,
    // leaves the response uncommitted, so the adapter can still answer 500. The
    // first next() and encode() are the loop's, hoisted above it: the loop starts
    // by writing, and has no branch for the first element.
    let step: IteratorResult<unknown>;
    try {
      step = await iterator.next();
    } catch (error) {
      // The iterator failed on its own: per the iteration protocol, no return().
      finished = true;
      throw error;
    }
    if (signal.aborted) throw signal.reason;
    let pending: undefined | Promise<void>;
    let index = 0;
    let chunk = step.done === true ? undefined : encode(step.value, index++);
    if (open !== undefined) {
      pending = sink.write(open);
      if (pending !== undefined) await pending;
    }
    while (chunk !== undefined) {
      pending = sink.write(chunk);
      if (pending !== undefined) await pending;
      if (signal.aborted) throw signal.reason;
      try {
        step = await iterator.next();
      } catch (error) {
        finished = true;
        throw error;
      }
      if (signal.aborted) throw signal.reason;
      chunk = step.done === true ? undefined : encode(step.value, index++);
    }
    finished = true;
    if (close !== undefined) {
      pending = sink.write(close);
      if (pending !== undefined) await pending;
    }
  } catch (error) {
    if (!finished) {
      finished = true;
      try {
        await iterator.return?.();
      } catch {
        // The first error is the one that matters.
      }
    }
    throw signal.aborted ? signal.reason : error;
  } finally {
    signal.removeEventListener('abort', stop);
  }
}
