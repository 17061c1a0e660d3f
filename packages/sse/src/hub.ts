// One piece on purpose: publication order, the fan-out and the hand-over from replay
// to live events all read and change the hub's membership (live, replaying, floors),
// and the no-duplicate, no-gap guarantee holds only because they change together.
import type { Channel } from './channel';
import { replayChannel, resetChannel } from './diagnostics';
import { checkEventName, checkRetry, dataText, encodeChecked, toBytes } from './encode';
import { SseError } from './errors';
import {
  compareEventIds,
  type EventLog,
  type LogFollow,
  type LoggedEvent,
  memoryEventLog,
} from './event-log';
import { describeValue } from './internal/describe';
import { badOption } from './internal/settings';
import { type Subscriber, subscriberOf } from './internal/subscriber';

/** An event to publish: the hub assigns its id. */
export interface HubEvent {
  /**
   * The event type.
   * @default undefined (the client's `message` event)
   */
  event?: string | undefined;
  /** The payload; non-string data is JSON-encoded once, for every subscriber. */
  data: unknown;
  /**
   * The `retry` field.
   * @default undefined
   */
  retry?: number | undefined;
}

/** Options of {@link createHub}. */
export interface HubOptions {
  /**
   * Where recent events are kept for replay, and where ids come from.
   * @default memoryEventLog() (the last 1000 events)
   */
  log?: EventLog | undefined;
  /**
   * A subscriber whose buffer stays full (its drop policy keeps dropping, nothing
   * drains) for this long is evicted: its stream ends with reason `EVICTED` and the
   * connection is closed, so the client reconnects and replays. `0` disables it.
   * (A `wait` subscriber is evicted as soon as a broadcast finds it full: a hub never
   * waits for one client.)
   * @default 0
   */
  evictAfterMs?: number | undefined;
  /**
   * The event a resuming client gets when its `Last-Event-ID` is older than the log
   * holds (or unknown to it): `{ event: resetEvent, id: <newest id>, data:
   * '{"lastEventId":"<its id>"}' }`, then live events. The client should reload its
   * state: events were missed.
   * @default 'reset'
   */
  resetEvent?: string | undefined;
  /**
   * How many events one replay step reads from the log.
   * @default 256
   */
  replayPageSize?: number | undefined;
}

/** Options of {@link EventHub.subscribe}. */
export interface SubscribeOptions {
  /**
   * Replay the events after this id before live ones.
   * @default channel.lastEventId (the `Last-Event-ID` request header)
   */
  lastEventId?: string | undefined;
}

/**
 * Broadcast to many event streams, with replay after `Last-Event-ID`. Create one with
 * {@link createHub}.
 */
export interface EventHub {
  /**
   * Assigns the next id, appends the event to the log and sends it to every
   * subscriber, each through its own bounded buffer and policy: a slow client never
   * delays the others or grows memory. Resolves with the id once the event was handed
   * to every subscriber. Publications are delivered in the order of the calls.
   * Rejects with an `INVALID_EVENT` {@link SseError} (nothing logged or sent) for an
   * invalid event. With a shared log ({@link EventLog.follow}) it resolves once the
   * event is appended, and every process delivers it when its log reports it.
   */
  publish(event: HubEvent): Promise<string>;
  /**
   * Subscribes a channel until its stream ends (then it is unsubscribed). With a last
   * event id, the missed events are sent first, in order, then live ones, with no
   * duplicate and no gap; when the id is older than the log holds, the
   * {@link HubOptions.resetEvent} comes first instead. Resolves once the channel
   * receives live events (at once without a last event id).
   */
  subscribe(channel: Channel, options?: SubscribeOptions): Promise<void>;
  /** Stops sending to a channel (its stream stays open). Returns whether it was subscribed. */
  unsubscribe(channel: Channel): boolean;
  /** How many channels are subscribed. */
  readonly size: number;
  /** Closes every subscribed channel (reason `CLOSED`); later subscribers are closed at once. */
  close(): void;
}

/** The default reset event name; see {@link HubOptions.resetEvent}. */
export const RESET_EVENT: string = 'reset';

/** A subscriber catching up: the live events fanned out meanwhile, in order. */
interface Replay {
  pending: LoggedEvent[];
  overflowed: boolean;
}

const WHERE = 'createHub(options)';
const PENDING_MAX = 4096;

function encodeLogged(event: LoggedEvent): Uint8Array {
  return toBytes(encodeChecked(event.event, event.id, event.retry, event.data));
}

/**
 * Creates an {@link EventHub}: publish once, deliver to every subscribed stream, and
 * replay what a reconnecting client missed.
 *
 * @example
 * ```ts
 * const hub = createHub({ log: memoryEventLog({ maxEvents: 1000 }) });
 * const feed = eventStream((channel) => hub.subscribe(channel), {
 *   buffer: { size: 64 * 1024, policy: 'drop-oldest' },
 * });
 * setInterval(() => void hub.publish({ event: 'time', data: { now: Date.now() } }), 1000);
 * ```
 */
export function createHub(options: HubOptions = {}): EventHub {
  if (options === null || typeof options !== 'object') {
    throw badOption(WHERE, 'options', 'an object', options);
  }
  const log = options.log ?? memoryEventLog();
  if (typeof log?.append !== 'function' || typeof log.readAfter !== 'function') {
    throw badOption(WHERE, 'options.log', 'an EventLog { append, readAfter }', log);
  }
  const evictAfterMs = options.evictAfterMs ?? 0;
  if (typeof evictAfterMs !== 'number' || !(evictAfterMs >= 0)) {
    throw badOption(WHERE, 'options.evictAfterMs', 'a number of milliseconds >= 0', evictAfterMs);
  }
  const resetEvent = options.resetEvent ?? RESET_EVENT;
  try {
    checkEventName(resetEvent);
  } catch (error) {
    throw new SseError('INVALID_OPTION', `${WHERE}: options.resetEvent is not a valid event name`, {
      field: 'options.resetEvent',
      cause: error,
    });
  }
  const pageSize = options.replayPageSize ?? 256;
  if (!Number.isSafeInteger(pageSize) || pageSize < 1) {
    throw badOption(WHERE, 'options.replayPageSize', 'a positive integer', pageSize);
  }

  const compareIds =
    typeof log.compareIds === 'function' ? log.compareIds.bind(log) : compareEventIds;

  // Live subscribers: the hub holds its membership.
  const live = new Set<Subscriber>();
  // Live subscribers that just finished a replay, with the newest id they got: a read
  // may have seen an event whose append had not answered yet, so its fan-out comes
  // after. Live events up to that id are skipped, until the first newer one.
  const floors = new Map<Subscriber, string>();
  // Subscribers still replaying from the log (few, and only for a moment).
  const replaying = new Map<Subscriber, Replay>();
  // One listener for the whole hub: a subscriber leaves when its stream ends. A
  // subscriber keeps a listener once, however often it subscribes again.
  const leave = (_reason: unknown, subscriber: Subscriber): void => {
    live.delete(subscriber);
    floors.delete(subscriber);
    replaying.delete(subscriber);
    unfollowIfIdle();
  };
  // A shared log (`log.follow`) reports every event appended by any process, this
  // one's too: the hub then fans out what it reports (publish only appends), and
  // follows only while it has subscribers.
  const followed = typeof log.follow === 'function';
  let following: LogFollow | undefined;
  function follow(): Promise<void> {
    if (following === undefined) {
      const started = log.follow!({ event: fanOut, lost: () => endAll() });
      following = started;
      started.ready.catch(() => {
        if (following === started) following = undefined;
        started.stop();
      });
    }
    return following.ready;
  }
  function unfollowIfIdle(): void {
    if (following !== undefined && live.size === 0 && replaying.size === 0) {
      following.stop();
      following = undefined;
    }
  }
  /** The log lost history: every stream ends, its client resumes and gets the reset event. */
  function endAll(): void {
    for (const channel of [...live, ...replaying.keys()]) channel.close();
  }
  let tail: Promise<unknown> = Promise.resolve();
  let closed = false;

  function deliver(channel: Subscriber, bytes: Uint8Array): void {
    const result = channel.offer(bytes, channel.policy);
    if (result === 'full') {
      channel.evict(); // `wait`: a broadcast never waits for one client
    } else if (
      evictAfterMs > 0 &&
      channel.fullSince !== 0 &&
      performance.now() - channel.fullSince >= evictAfterMs
    ) {
      channel.evict();
    }
  }

  /** Whether a live event is newer than what a just-replayed subscriber got. */
  function isNew(channel: Subscriber, id: string): boolean {
    const floor = floors.get(channel);
    if (floor === undefined) return true;
    if (compareIds(id, floor) <= 0) return false;
    floors.delete(channel); // fan-out is in id order: every later one is newer too
    return true;
  }

  function fanOut(event: LoggedEvent): void {
    if (live.size !== 0) {
      const bytes = encodeLogged(event); // once, for every subscriber
      if (floors.size === 0) {
        for (const channel of live) deliver(channel, bytes);
      } else {
        for (const channel of live) if (isNew(channel, event.id)) deliver(channel, bytes);
      }
    }
    for (const replay of replaying.values()) {
      if (replay.pending.length < PENDING_MAX) replay.pending.push(event);
      else replay.overflowed = true;
    }
  }

  /**
   * Sends what a resuming client missed, then hands it over to the live fan-out. Each
   * event goes out only when its id is newer than the last one sent (`sent`), so an
   * event both read from the log and fanned out live reaches the client once, in
   * order, whichever of the log's answers came first.
   */
  async function replay(channel: Subscriber, state: Replay, lastEventId: string): Promise<void> {
    // Where the next read starts, and the newest id the client has (undefined after a
    // reset from an empty log: every event is new).
    if (replayChannel.hasSubscribers) replayChannel.publish({ channel, lastEventId });
    let cursor: string | undefined = lastEventId;
    let sent: string | undefined = lastEventId;
    const sendOnce = async (event: LoggedEvent): Promise<void> => {
      if (sent !== undefined && compareIds(event.id, sent) <= 0) return;
      sent = event.id;
      await channel.sendChunk(encodeLogged(event), 'wait');
    };
    for (;;) {
      // Live events are captured from before the first read (and again after an
      // overflow), so none falls between the reads and going live: an event fanned out
      // earlier had been appended before the read, which sees it.
      if (state.overflowed) {
        state.pending = [];
        state.overflowed = false;
      }
      const read = await log.readAfter(cursor ?? '', pageSize);
      if (!channel.isOpen || replaying.get(channel) !== state) return; // gone, or unsubscribed
      if (cursor === undefined || !read.found) {
        const data = JSON.stringify({ lastEventId: cursor ?? lastEventId });
        const reset = encodeChecked(resetEvent, read.lastId ?? '', undefined, data);
        cursor = sent = read.lastId;
        if (resetChannel.hasSubscribers) resetChannel.publish({ channel, lastEventId });
        await channel.sendChunk(toBytes(reset), 'wait');
      } else {
        for (const event of read.events) {
          await sendOnce(event);
          cursor = event.id;
        }
        if (read.events.length >= pageSize) continue;
      }
      if (state.overflowed) continue; // the live events are in the log: read on
      // Caught up with the log as of the read: the live events captured since follow.
      const pending = state.pending;
      for (let index = 0; index < pending.length && !state.overflowed; index++) {
        await sendOnce(pending[index]!);
      }
      if (state.overflowed) {
        cursor = sent;
        continue;
      }
      // Live from here, synchronously after the last event sent.
      if (replaying.get(channel) === state) {
        replaying.delete(channel);
        if (!closed && channel.isOpen) {
          live.add(channel);
          if (sent !== undefined) floors.set(channel, sent);
        }
      }
      return;
    }
  }

  return {
    publish(event: HubEvent): Promise<string> {
      let entry: { event?: string; data: string; retry?: number };
      try {
        if (event === null || typeof event !== 'object') {
          throw new SseError(
            'INVALID_EVENT',
            `hub.publish(event): expected an object { event?, data, retry? }, got ${describeValue(event)}`,
            { field: 'event' },
          );
        }
        if ((event as { id?: unknown }).id !== undefined) {
          throw new SseError(
            'INVALID_EVENT',
            `hub.publish(event): ids are assigned by the hub; remove id ${describeValue((event as { id?: unknown }).id)}`,
            { field: 'id' },
          );
        }
        entry = { data: dataText(event.data) };
        const name = checkEventName(event.event);
        if (name !== undefined) entry.event = name;
        const retry = checkRetry(event.retry);
        if (retry !== undefined) entry.retry = retry;
      } catch (error) {
        return Promise.reject(error);
      }
      const published = tail.then(() =>
        log.append(entry).then((logged) => {
          if (!followed) fanOut(logged);
          return logged.id;
        }),
      );
      tail = published.catch(() => {});
      return published;
    },

    subscribe(channel: Channel, subscribeOptions: SubscribeOptions = {}): Promise<void> {
      const subscriber = subscriberOf(channel);
      if (subscriber === undefined) {
        return Promise.reject(
          badOption(
            'hub.subscribe(channel)',
            'channel',
            'a channel from eventStream or eventSource',
            channel,
          ),
        );
      }
      if (closed) {
        subscriber.close();
        return Promise.resolve();
      }
      if (!subscriber.isOpen || live.has(subscriber) || replaying.has(subscriber)) {
        return Promise.resolve();
      }
      const lastEventId = subscribeOptions.lastEventId ?? subscriber.lastEventId;
      const failed = (error: unknown): void => {
        live.delete(subscriber);
        replaying.delete(subscriber);
        if (SseError.isError(error) && error.code === 'CLOSED') return; // the client left
        subscriber.endWithError(error); // the log failed: end the stream, the client retries
      };
      if (lastEventId === undefined) {
        live.add(subscriber);
        subscriber.onEnd(leave);
        return followed ? follow().catch(failed) : Promise.resolve();
      }
      const state: Replay = { pending: [], overflowed: false };
      replaying.set(subscriber, state);
      subscriber.onEnd(leave);
      const replayed = followed
        ? follow().then(() => replay(subscriber, state, lastEventId))
        : replay(subscriber, state, lastEventId);
      return replayed.then(() => {}, failed);
    },

    unsubscribe(channel: Channel): boolean {
      const subscriber = subscriberOf(channel);
      if (subscriber === undefined) return false;
      floors.delete(subscriber);
      const was = live.delete(subscriber) || replaying.delete(subscriber);
      unfollowIfIdle();
      return was;
    },

    get size(): number {
      return live.size + replaying.size;
    },

    close(): void {
      closed = true;
      for (const channel of [...live, ...replaying.keys()]) channel.close();
      live.clear();
      floors.clear();
      replaying.clear();
      unfollowIfIdle();
    },
  };
}
