import { badOption } from './internal/settings';

/** An event as a hub stores it: its id assigned, its data already text. */
export interface LoggedEvent {
  /** The id the log assigned; ids only grow. */
  readonly id: string;
  /** The event type, if any. */
  readonly event?: string | undefined;
  /** The data as sent (non-string data was JSON-encoded before it was logged). */
  readonly data: string;
  /** The `retry` field, if any. */
  readonly retry?: number | undefined;
}

/** An event to append: a {@link LoggedEvent} without its id. */
export type LogEntry = Omit<LoggedEvent, 'id'>;

/** What {@link EventLog.readAfter} found. */
export interface LogRead {
  /**
   * `false` when the log cannot tell what came after the id: it is older than the
   * oldest event the log still holds (events were lost to its bounds), or it is not
   * an id of this log. `events` is then empty.
   */
  readonly found: boolean;
  /** The events after the id, oldest first, at most `limit` of them. */
  readonly events: readonly LoggedEvent[];
  /** The id of the newest event in the log at the time of the read, if any. */
  readonly lastId: string | undefined;
}

/**
 * What a hub hands to {@link EventLog.follow}: told of every event appended to a
 * shared log, by this process or any other, in the log's order.
 */
export interface LogFollower {
  /** An event appended to the log (by any process), in log order, each once. */
  event(event: LoggedEvent): void;
  /**
   * The log lost events it had handed out (its store restarted empty, or failed over
   * to a copy that had not caught up): what subscribers hold cannot be continued.
   * The hub ends every stream it feeds, so that clients resume and get the reset event.
   */
  lost(): void;
}

/** A follow started by {@link EventLog.follow}. */
export interface LogFollow {
  /**
   * Resolves once every event appended from now on will reach the follower; rejects
   * when the log cannot follow (its store is unreachable).
   */
  readonly ready: Promise<void>;
  /** Stops telling the follower. Idempotent. */
  stop(): void;
}

/**
 * Where a hub keeps recent events for replay. Methods are asynchronous so that a
 * shared store (Redis Streams, for several server processes) can implement it:
 * `append` is `XADD` (the store assigns the id), `readAfter` is `XRANGE` with an
 * exclusive start, and the bounds are `MAXLEN` / `MINID`.
 *
 * Contract:
 *
 * - Ids are totally ordered and grow in the order the `append` calls were made (the
 *   hub makes one call at a time). The order is {@link EventLog.compareIds}, by
 *   default the natural order of the id text (runs of digits compare as numbers:
 *   `9` < `10`, `1700000000000-9` < `1700000000000-10`).
 * - Once `append` has answered, every later `readAfter` sees the event; a read may
 *   see it earlier (a remote store's reply can trail its effect): the hub expects
 *   both.
 * - `readAfter` returns every event after the id that the log still holds, oldest
 *   first; it forgets the oldest first.
 */
export interface EventLog {
  /** Stores an event and assigns it the next id. */
  append(entry: LogEntry): Promise<LoggedEvent>;
  /** Up to `limit` events after `lastEventId`, oldest first; see {@link LogRead}. */
  readAfter(lastEventId: string, limit: number): Promise<LogRead>;
  /**
   * Orders two ids of this log: negative when `a` came first, `0` when they are the
   * same, positive when `a` came later. Give it when the natural order of the id text
   * is not the order of the log (fixed-width ids in another alphabet, say).
   * @default the natural order (runs of digits compare as numbers)
   */
  compareIds?(a: string, b: string): number;
  /**
   * Given by a log shared across processes (Redis Streams, say): the hub then
   * publishes by appending only and delivers what this reports, from every process.
   * @default undefined (the hub delivers what it appends)
   */
  follow?(follower: LogFollower): LogFollow;
}

const DIGIT_RUN = /^[0-9]+$/;
const RUNS = /[0-9]+|[^0-9]+/g;

/** Compares two runs of digits as numbers, however long. */
function compareDigits(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length - 1 && a[i] === '0') i++;
  while (j < b.length - 1 && b[j] === '0') j++;
  const x = a.slice(i);
  const y = b.slice(j);
  if (x.length !== y.length) return x.length - y.length;
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * @internal The natural order of event ids: runs of digits compare as numbers, the
 * rest as text (`9` < `10`, `5-2` < `5-10`, `a9` < `b1`).
 */
export function compareEventIds(a: string, b: string): number {
  if (a === b) return 0;
  if (DIGIT_RUN.test(a) && DIGIT_RUN.test(b)) return compareDigits(a, b);
  const x = a.match(RUNS) ?? [];
  const y = b.match(RUNS) ?? [];
  for (let i = 0; i < x.length && i < y.length; i++) {
    const p = x[i]!;
    const q = y[i]!;
    if (p === q) continue;
    const digits = DIGIT_RUN.test(p) && DIGIT_RUN.test(q);
    const order = digits ? compareDigits(p, q) : p < q ? -1 : p > q ? 1 : 0;
    if (order !== 0) return order;
  }
  return x.length !== y.length ? x.length - y.length : a < b ? -1 : a > b ? 1 : 0;
}

/** Options of {@link memoryEventLog}. */
export interface MemoryEventLogOptions {
  /**
   * The most events kept; older ones are forgotten. `0` keeps none (every resuming
   * client gets the reset signal).
   * @default 1000
   */
  maxEvents?: number | undefined;
  /**
   * Events older than this (ms) are forgotten.
   * @default undefined (no age limit)
   */
  maxAgeMs?: number | undefined;
}

const WHERE = 'memoryEventLog(options)';
const DIGITS = /^(0|[1-9][0-9]{0,15})$/;

/**
 * A bounded in-memory {@link EventLog} for one process: a ring of the last
 * `maxEvents` events (and none older than `maxAgeMs`), with ids `1`, `2`, `3`, …
 *
 * Ids restart at 1 with the process. A client that resumes with an id this log never
 * issued (greater than the newest) gets the reset signal; one that resumes across a
 * restart with an id the new log has issued since cannot be told apart. Use a shared
 * store when that matters.
 *
 * @example
 * ```ts
 * const hub = createHub({ log: memoryEventLog({ maxEvents: 10_000, maxAgeMs: 5 * 60_000 }) });
 * ```
 */
export function memoryEventLog(options: MemoryEventLogOptions = {}): EventLog {
  if (options === null || typeof options !== 'object') {
    throw badOption(WHERE, 'options', 'an object', options);
  }
  const capacity = options.maxEvents ?? 1000;
  if (typeof capacity !== 'number' || !Number.isSafeInteger(capacity) || capacity < 0) {
    throw badOption(WHERE, 'options.maxEvents', 'a non-negative integer', capacity);
  }
  const maxAgeMs = options.maxAgeMs;
  if (maxAgeMs !== undefined && (typeof maxAgeMs !== 'number' || !(maxAgeMs > 0))) {
    throw badOption(WHERE, 'options.maxAgeMs', 'a positive number of milliseconds', maxAgeMs);
  }
  const ring: (LoggedEvent | undefined)[] = new Array(capacity);
  const times: number[] = maxAgeMs === undefined ? [] : new Array(capacity);
  let last = 0; // the newest id issued
  let first = 1; // the oldest id held (first > last: none held)

  const expire = (): void => {
    if (maxAgeMs === undefined) return;
    const oldest = Date.now() - maxAgeMs;
    while (first <= last && times[first % capacity]! < oldest) {
      ring[first % capacity] = undefined;
      first++;
    }
  };

  return {
    append(entry: LogEntry): Promise<LoggedEvent> {
      last++;
      const logged: LoggedEvent = { ...entry, id: String(last) };
      if (capacity === 0) {
        first = last + 1;
      } else {
        ring[last % capacity] = logged;
        if (maxAgeMs !== undefined) times[last % capacity] = Date.now();
        if (last - first >= capacity) first = last - capacity + 1;
        expire();
      }
      return Promise.resolve(logged);
    },
    readAfter(lastEventId: string, limit: number): Promise<LogRead> {
      expire();
      const lastId = last === 0 ? undefined : String(last);
      const after = DIGITS.test(lastEventId) ? Number(lastEventId) : Number.NaN;
      // Found when every event after `after` is still held: it is at most the newest
      // id and no older than the one just before the oldest held.
      if (!(after <= last && after >= first - 1)) {
        return Promise.resolve({ found: false, events: [], lastId });
      }
      const events: LoggedEvent[] = [];
      for (let id = after + 1; id <= last && events.length < limit; id++) {
        events.push(ring[id % capacity]!);
      }
      return Promise.resolve({ found: true, events, lastId });
    },
  };
}
