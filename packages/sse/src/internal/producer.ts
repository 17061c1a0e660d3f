import { isThenable } from '@plinth/writeable-body';
import type { SseEvent } from '../encode';
import { SseError } from '../errors';
import { describeValue } from './describe';

/**
 * @internal What a producer's events go to: a channel, seen only through what the
 * producer needs (so this module does not depend on the channel's).
 */
export interface ProducerTarget {
  /** True while the channel accepts events. */
  readonly isOpen: boolean;
  send(event: SseEvent): Promise<boolean>;
  close(): void;
  /** Ends the stream because the producer failed. */
  endWithError(error: unknown): void;
  /** Calls `listener` once when the stream ended. */
  onEnd(listener: () => void): void;
}

/** @internal */
export function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function'
  );
}

/**
 * @internal Deals with what a producer (`onReady`) returned, without waiting for it:
 * what an async iterable yields is sent on the channel (and the channel closed when it
 * completes); a rejected promise fails the stream; anything else is ignored.
 */
export function adoptProducerResult(channel: ProducerTarget, result: unknown): void {
  if (isAsyncIterable(result)) {
    void sendAll(channel, result as AsyncIterable<SseEvent>);
  } else if (isThenable(result)) {
    result.then(undefined, (error: unknown) => channel.endWithError(error));
  }
}

/**
 * @internal Sends what an async iterable yields, honouring the channel's buffer
 * policy; closes the channel when it completes, fails it when it throws, and calls
 * the iterator's `return()` (a generator's `finally`) as soon as the stream ends
 * for any other reason.
 */
async function sendAll(channel: ProducerTarget, source: AsyncIterable<SseEvent>): Promise<void> {
  let iterator: AsyncIterator<SseEvent>;
  try {
    iterator = source[Symbol.asyncIterator]();
  } catch (error) {
    channel.endWithError(error);
    return;
  }
  let finished = false;
  const stop = (): void => {
    if (finished) return;
    finished = true;
    // An async generator busy in an `await` runs `return()` at its next `yield`.
    try {
      Promise.resolve(iterator.return?.()).catch(() => {});
    } catch {
      // a throwing return() has nothing left to free
    }
  };
  channel.onEnd(stop);
  try {
    while (!finished) {
      const step = await iterator.next();
      if (step.done) {
        finished = true;
        channel.close();
        return;
      }
      if (finished) return;
      const event = step.value;
      if (event === null || typeof event !== 'object') {
        throw new SseError(
          'INVALID_EVENT',
          `An event source yielded ${describeValue(event)}; expected an event object { event?, data, id?, retry? }`,
          { field: 'event' },
        );
      }
      await channel.send(event);
    }
  } catch (error) {
    if (!channel.isOpen) {
      stop();
      return;
    }
    // The iterator threw (it is done) or an event was invalid (stop the iterator).
    if (SseError.isError(error)) stop();
    else finished = true;
    channel.endWithError(error);
  }
}
