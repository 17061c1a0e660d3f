import {
  createHub,
  type EventHub,
  type EventLog,
  type HubOptions,
  type LogEntry,
  type LoggedEvent,
  type LogRead,
} from '@plinth/sse';
import { type Client, connectPair, destroy, type Reply, runScript } from './connection';
import { SseRedisError } from './errors';
import {
  compareEntryIds,
  compareEventIds,
  formatEventId,
  isEpoch,
  newEpoch,
  parseEventId,
} from './ids';
import { createReader, epochOf, type Reader } from './reader';
import { APPEND, READ } from './scripts';
import { checkTopic, isKeyPrefix, type TopicKeys, topicKeys } from './topic';

/** Options of {@link connectRedisStreams}. */
export interface RedisStreamsOptions {
  /**
   * Where Redis is (`redis://`, `rediss://`, with credentials and a database number
   * if needed). Needs Redis 7.0 or later.
   * @default 'redis://127.0.0.1:6379'
   */
  url?: string | undefined;
  /**
   * Prepended to every key (`<prefix>{<topic>}:s` for the stream, `:e` for its
   * epoch): at most 64 characters from `A-Z a-z 0-9 . _ : -`.
   * @default 'plinth:sse:'
   */
  keyPrefix?: string | undefined;
  /**
   * The most events kept per topic (`XADD … MAXLEN`); older ones are trimmed, and a
   * client that resumes before them gets the reset event.
   * @default 1000
   */
  maxEvents?: number | undefined;
  /**
   * Events older than this (ms) are trimmed (`XTRIM … MINID`) at each publish.
   * @default undefined (no age limit)
   */
  maxAgeMs?: number | undefined;
  /**
   * Trim exactly (`=`) rather than by whole stream nodes (`~`, cheaper for Redis,
   * keeps up to about a hundred events more). The loss signal is exact either way.
   * @default false
   */
  exactTrim?: boolean | undefined;
  /**
   * How long connecting may take before start-up fails with `CONNECT_FAILED`.
   * @default 5000
   */
  connectTimeoutMs?: number | undefined;
  /**
   * Options of the hubs {@link RedisStreams.hub} creates (everything but `log`).
   * @default {}
   */
  hub?: Omit<HubOptions, 'log'> | undefined;
  /**
   * Told of connection errors (Redis went away, reconnect attempts). The connections
   * reconnect by themselves; this is for logs.
   * @default ignores them
   */
  onError?: ((error: Error) => void) | undefined;
}

/** What {@link connectRedisStreams} resolves with: the topics of one application. */
export interface RedisStreams {
  /**
   * The hub of a topic (one per topic and process, created at first use): the same
   * `publish`, `subscribe`, reset event and policies as an in-memory hub, its events
   * shared with every process. Throws an `INVALID_TOPIC` {@link SseRedisError}
   * (status 400) for a bad name; see {@link checkTopic}.
   */
  hub(topic: string): EventHub;
  /**
   * The log of a topic, to pass to `createHub({ log })` yourself: ids are the topic's
   * epoch and stream entry id (`<epoch>_<ms>-<seq>`), the same on every process.
   */
  log(topic: string): EventLog;
  /** The Redis address, without credentials. */
  readonly address: string;
  /** Closes every hub (their streams end) and both connections. */
  close(): Promise<void>;
}

const WHERE = 'connectRedisStreams(options)';

function bad(field: string, expected: string, got: unknown): SseRedisError {
  return new SseRedisError(
    'INVALID_OPTION',
    `${WHERE}: ${field} must be ${expected}, got ${typeof got === 'string' ? JSON.stringify(got) : String(got)}`,
    { field },
  );
}

interface Settings {
  url: string;
  prefix: string;
  maxEvents: number;
  maxAgeMs: number | undefined;
  trim: '~' | '=';
  connectTimeoutMs: number;
  hub: Omit<HubOptions, 'log'>;
  onError: (error: Error) => void;
}

function settingsOf(options: RedisStreamsOptions): Settings {
  if (options === null || typeof options !== 'object') throw bad('options', 'an object', options);
  const url = options.url ?? 'redis://127.0.0.1:6379';
  if (typeof url !== 'string' || !/^rediss?:\/\//.test(url)) {
    throw bad('options.url', 'a redis:// or rediss:// URL', url);
  }
  const prefix = options.keyPrefix ?? 'plinth:sse:';
  if (!isKeyPrefix(prefix)) {
    throw bad('options.keyPrefix', 'at most 64 characters from A-Z a-z 0-9 . _ : -', prefix);
  }
  const maxEvents = options.maxEvents ?? 1000;
  if (!Number.isSafeInteger(maxEvents) || maxEvents < 1) {
    throw bad('options.maxEvents', 'a positive integer', maxEvents);
  }
  const maxAgeMs = options.maxAgeMs;
  if (maxAgeMs !== undefined && !(Number.isSafeInteger(maxAgeMs) && maxAgeMs > 0)) {
    throw bad('options.maxAgeMs', 'a positive integer of milliseconds', maxAgeMs);
  }
  const connectTimeoutMs = options.connectTimeoutMs ?? 5000;
  if (!Number.isSafeInteger(connectTimeoutMs) || connectTimeoutMs < 1) {
    throw bad('options.connectTimeoutMs', 'a positive integer of milliseconds', connectTimeoutMs);
  }
  const hub = options.hub ?? {};
  if (hub === null || typeof hub !== 'object') throw bad('options.hub', 'an object', hub);
  const onError = options.onError ?? (() => {});
  if (typeof onError !== 'function') throw bad('options.onError', 'a function', onError);
  return {
    url,
    prefix,
    maxEvents,
    maxAgeMs,
    trim: options.exactTrim === true ? '=' : '~',
    connectTimeoutMs,
    hub,
    onError,
  };
}

/** The event of an entry read back by the read script. */
function eventOf(epoch: string, entry: Reply): LoggedEvent | undefined {
  if (!Array.isArray(entry) || typeof entry[0] !== 'string' || !Array.isArray(entry[1])) {
    return undefined;
  }
  const fields = entry[1];
  if (epochOf(fields) !== epoch) return undefined;
  let data: string | undefined;
  const logged: { id: string; data: string; event?: string; retry?: number } = {
    id: formatEventId(epoch, entry[0]),
    data: '',
  };
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const value = fields[i + 1];
    if (typeof value !== 'string') continue;
    if (fields[i] === 'd') data = value;
    else if (fields[i] === 'n') logged.event = value;
    else if (fields[i] === 'r' && Number.isSafeInteger(Number(value))) logged.retry = Number(value);
  }
  if (data === undefined) return undefined;
  logged.data = data;
  return logged;
}

/**
 * Connects to Redis (one connection for commands, one for the blocking read of every
 * followed topic) and hands back the topics of the application. Rejects with a
 * `CONNECT_FAILED` {@link SseRedisError} naming the address when Redis cannot be
 * reached within `connectTimeoutMs`, never hangs.
 *
 * @example
 * ```ts
 * import { connectRedisStreams } from '@plinth/sse-redis';
 * import { eventStream } from '@plinth/sse';
 *
 * const streams = await connectRedisStreams({ url: process.env.REDIS_URL, maxEvents: 10_000 });
 * const room = streams.hub('room-1'); // a hub like createHub()'s, shared by every process
 * const feed = eventStream((channel) => room.subscribe(channel), { heartbeatMs: 15_000 });
 * await room.publish({ event: 'message', data: { text: 'hello' } });
 * ```
 */
export async function connectRedisStreams(
  options: RedisStreamsOptions = {},
): Promise<RedisStreams> {
  const settings = settingsOf(options);
  const {
    commands,
    reader: readerClient,
    address,
  } = await connectPair({
    url: settings.url,
    connectTimeoutMs: settings.connectTimeoutMs,
    onError: settings.onError,
  });
  let closed = false;
  const unavailable = (error: unknown, what: string): Error => {
    if (SseRedisError.isError(error)) return error;
    if (closed) {
      return new SseRedisError('CLOSED', `cannot ${what}: the Redis streams were closed`, {
        cause: error,
      });
    }
    return new SseRedisError(
      'UNAVAILABLE',
      `cannot ${what}: Redis at ${address} is unavailable (${(error as Error)?.message ?? String(error)})`,
      { cause: error },
    );
  };
  const reader: Reader = createReader({
    commands,
    reader: readerClient,
    count: 512,
    blockMs: 5000,
    unavailable,
  });
  const hubs = new Map<string, EventHub>();

  function keysOf(topic: string): TopicKeys {
    return topicKeys(settings.prefix, checkTopic(topic));
  }

  function logOf(keys: TopicKeys): EventLog {
    const client: Client = commands;
    return {
      async append(entry: LogEntry): Promise<LoggedEvent> {
        const fields = ['d', entry.data];
        if (entry.event !== undefined) fields.push('n', entry.event);
        if (entry.retry !== undefined) fields.push('r', String(entry.retry));
        let reply: Reply;
        try {
          reply = await runScript(
            client,
            APPEND,
            [keys.stream, keys.epoch],
            [
              newEpoch(),
              String(settings.maxEvents),
              settings.maxAgeMs === undefined ? '' : String(settings.maxAgeMs),
              settings.trim,
              ...fields,
            ],
          );
        } catch (error) {
          throw unavailable(error, 'publish');
        }
        if (!Array.isArray(reply) || !isEpoch(reply[0]) || typeof reply[1] !== 'string') {
          throw unavailable(new Error('unexpected reply to the append script'), 'publish');
        }
        return { ...entry, id: formatEventId(reply[0], reply[1]) };
      },

      async readAfter(lastEventId: string, limit: number): Promise<LogRead> {
        const asked = parseEventId(lastEventId);
        let reply: Reply;
        try {
          reply = await runScript(
            client,
            READ,
            [keys.stream, keys.epoch],
            [
              newEpoch(),
              asked?.epoch ?? '',
              asked === undefined || limit < 1 ? '' : asked.entry,
              String(Math.max(1, Math.floor(limit))),
            ],
          );
        } catch (error) {
          throw unavailable(error, 'replay');
        }
        if (
          !Array.isArray(reply) ||
          !isEpoch(reply[0]) ||
          typeof reply[1] !== 'string' ||
          typeof reply[2] !== 'string'
        ) {
          throw unavailable(new Error('unexpected reply to the read script'), 'replay');
        }
        const [epoch, last, floor] = reply as [string, string, string, Reply];
        const lastId = formatEventId(epoch, last);
        // Continuable: this epoch, not newer than the newest id, and nothing after it
        // was trimmed (it is at least the oldest entry kept, when any was trimmed). An
        // id between the last trimmed entry and the oldest kept one gets the reset too:
        // pessimistic at that one edge, never a silent gap.
        const found =
          asked !== undefined &&
          asked.epoch === epoch &&
          compareEntryIds(asked.entry, last) <= 0 &&
          (floor === '' || compareEntryIds(asked.entry, floor) >= 0);
        if (!found) return { found: false, events: [], lastId };
        const events: LoggedEvent[] = [];
        const entries = reply[3];
        if (Array.isArray(entries)) {
          for (const entry of entries) {
            const event = eventOf(epoch, entry);
            if (event === undefined) return { found: false, events: [], lastId };
            events.push(event);
          }
        }
        return { found: true, events, lastId };
      },

      compareIds: compareEventIds,

      follow: (follower) => reader.follow(keys, follower),
    };
  }

  return {
    hub(topic: string): EventHub {
      const keys = keysOf(topic);
      if (closed) throw new SseRedisError('CLOSED', 'the Redis streams were closed');
      let hub = hubs.get(topic);
      if (hub === undefined) {
        hub = createHub({ ...settings.hub, log: logOf(keys) });
        hubs.set(topic, hub);
      }
      return hub;
    },
    log(topic: string): EventLog {
      return logOf(keysOf(topic));
    },
    address,
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      for (const hub of hubs.values()) hub.close();
      hubs.clear();
      reader.close();
      destroy(readerClient);
      destroy(commands);
    },
  };
}
