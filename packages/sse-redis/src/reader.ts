// The one blocking reader of a process: an XREAD over every topic with local
// subscribers, each from the last entry this process delivered. One piece because the
// cursors, the epochs and the interruption of the blocking read (when the set of
// topics changes) only stay consistent together.
import type { LogFollow, LogFollower, LoggedEvent } from '@plinth/sse';
import { type Client, type Reply, runScript, whenReady } from './connection';
import { compareEntryIds, formatEventId, isEpoch, newEpoch } from './ids';
import { READ } from './scripts';
import type { TopicKeys } from './topic';

/** A topic this process follows. */
interface Followed {
  readonly keys: TopicKeys;
  readonly followers: Set<LogFollower>;
  /** The topic's epoch as last seen; `undefined` until the first sync. */
  epoch: string | undefined;
  /** The last entry id delivered (the XREAD cursor); `undefined` until the first sync. */
  cursor: string | undefined;
  readonly ready: Promise<void>;
}

/** @internal Options of {@link createReader}. */
export interface ReaderOptions {
  readonly commands: Client;
  readonly reader: Client;
  /** Entries read per topic per XREAD. */
  readonly count: number;
  /** How long one XREAD blocks at most (ms): a backstop, membership changes interrupt it. */
  readonly blockMs: number;
  /** Wraps a Redis failure into the package's error. */
  readonly unavailable: (error: unknown, what: string) => Error;
}

/** @internal The reader of a process. */
export interface Reader {
  follow(keys: TopicKeys, follower: LogFollower): LogFollow;
  /** Stops reading (the connections are closed by their owner). */
  close(): void;
}

/** @internal Reads a RESP2 field list `[f1, v1, f2, v2, …]` into an event, or `undefined`. */
function entryOf(epoch: string, id: string, fields: Reply): LoggedEvent | undefined {
  if (!Array.isArray(fields)) return undefined;
  let data: string | undefined;
  let event: string | undefined;
  let retry: number | undefined;
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const name = fields[i];
    const value = fields[i + 1];
    if (typeof value !== 'string') continue;
    if (name === 'd') data = value;
    else if (name === 'n') event = value;
    else if (name === 'r') retry = Number(value);
  }
  if (data === undefined) return undefined;
  const logged: { id: string; data: string; event?: string; retry?: number } = {
    id: formatEventId(epoch, id),
    data,
  };
  if (event !== undefined) logged.event = event;
  if (retry !== undefined && Number.isSafeInteger(retry)) logged.retry = retry;
  return logged;
}

/** @internal The `e` field (epoch) of an entry's field list. */
export function epochOf(fields: Reply): string | undefined {
  if (!Array.isArray(fields)) return undefined;
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (fields[i] === 'e' && isEpoch(fields[i + 1])) return fields[i + 1] as string;
  }
  return undefined;
}

/** @internal Creates the reader of a process and starts its loop. */
export function createReader(options: ReaderOptions): Reader {
  const { commands, reader } = options;
  const topics = new Map<string, Followed>();
  const stopped = new AbortController();
  // Bumped whenever the set of topics to read changes; the XREAD in flight was built
  // for `inFlight`, and is interrupted when that is no longer the current one.
  let generation = 0;
  let inFlight: number | undefined;
  let readerId: string | undefined;
  let wake: (() => void) | undefined;

  /** Reads a topic's epoch and last id: where this process starts (or resumes) reading. */
  async function sync(topic: Followed): Promise<{ epoch: string; last: string }> {
    const reply = await runScript(
      commands,
      READ,
      [topic.keys.stream, topic.keys.epoch],
      [newEpoch(), '', '', '0'],
    );
    if (!Array.isArray(reply) || !isEpoch(reply[0]) || typeof reply[1] !== 'string') {
      throw new Error(`unexpected reply to the read script: ${JSON.stringify(reply)}`);
    }
    return { epoch: reply[0], last: reply[1] };
  }

  function changed(): void {
    generation++;
    const waiting = wake;
    wake = undefined;
    waiting?.();
    void interrupt();
  }

  /** Unblocks the XREAD in flight when it was built for another set of topics. */
  async function interrupt(): Promise<void> {
    for (let attempt = 0; attempt < 50; attempt++) {
      if (stopped.signal.aborted || inFlight === undefined || inFlight === generation) return;
      if (readerId === undefined) return;
      let unblocked: unknown;
      try {
        unblocked = await commands.sendCommand(['CLIENT', 'UNBLOCK', readerId]);
      } catch {
        return; // Redis is gone: the read fails anyway, and the loop rebuilds it
      }
      if (unblocked === 1) return;
      // The XREAD was sent but Redis has not blocked on it yet: try again shortly.
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }

  function lose(topic: Followed): void {
    for (const follower of [...topic.followers]) {
      try {
        follower.lost();
      } catch {
        // a follower's failure is its own
      }
    }
  }

  function deliver(topic: Followed, event: LoggedEvent): void {
    for (const follower of topic.followers) {
      try {
        follower.event(event);
      } catch {
        // a follower's failure is its own
      }
    }
  }

  function handle(reply: Reply): void {
    if (!Array.isArray(reply)) return;
    for (const stream of reply) {
      if (!Array.isArray(stream) || typeof stream[0] !== 'string') continue;
      const topic = topics.get(stream[0]);
      const entries = stream[1];
      if (topic === undefined || !Array.isArray(entries)) continue;
      for (const entry of entries) {
        if (!Array.isArray(entry) || typeof entry[0] !== 'string') continue;
        const id = entry[0];
        const epoch = epochOf(entry[1] ?? null);
        if (epoch !== undefined && epoch !== topic.epoch) {
          // Another history under this key (Redis lost its data, or was flushed).
          topic.epoch = epoch;
          lose(topic);
        } else if (topic.cursor !== undefined && compareEntryIds(id, topic.cursor) <= 0) {
          // A read built before this topic was followed again (from an older cursor):
          // the cursor only moves forward, so no entry is delivered twice.
          continue;
        }
        topic.cursor = id;
        if (epoch === undefined) continue;
        const event = entryOf(epoch, id, entry[1] ?? null);
        if (event !== undefined) deliver(topic, event);
      }
    }
  }

  /** After a reconnect: every topic resumes after its cursor, unless its epoch changed. */
  async function resync(): Promise<void> {
    for (const topic of [...topics.values()]) {
      if (topic.cursor === undefined) continue;
      const { epoch, last } = await sync(topic);
      if (epoch !== topic.epoch) {
        topic.epoch = epoch;
        topic.cursor = last;
        lose(topic);
      }
    }
  }

  async function loop(): Promise<void> {
    let needsResync = false;
    while (!stopped.signal.aborted) {
      const reading = [...topics.values()].filter((topic) => topic.cursor !== undefined);
      if (reading.length === 0) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        continue;
      }
      const built = generation;
      try {
        if (needsResync) {
          await resync();
          needsResync = false;
          continue;
        }
        if (readerId === undefined) readerId = String(await reader.sendCommand(['CLIENT', 'ID']));
        inFlight = built;
        const reply = (await reader.sendCommand([
          'XREAD',
          'COUNT',
          String(options.count),
          'BLOCK',
          String(options.blockMs),
          'STREAMS',
          ...reading.map((topic) => topic.keys.stream),
          ...reading.map((topic) => topic.cursor!),
        ])) as Reply;
        inFlight = undefined;
        handle(reply);
      } catch {
        inFlight = undefined;
        readerId = undefined;
        needsResync = true;
        if (stopped.signal.aborted) return;
        // Wait for both connections to be back (they reconnect by themselves).
        if (!(await whenReady(reader, stopped.signal))) return;
        if (!(await whenReady(commands, stopped.signal))) return;
      }
    }
  }
  void loop();

  return {
    follow(keys: TopicKeys, follower: LogFollower): LogFollow {
      let topic = topics.get(keys.stream);
      if (topic === undefined) {
        const created: Followed = {
          keys,
          followers: new Set(),
          epoch: undefined,
          cursor: undefined,
          ready: Promise.resolve(),
        };
        (created as { ready: Promise<void> }).ready = sync(created).then(
          ({ epoch, last }) => {
            created.epoch = epoch;
            created.cursor = last;
            changed();
          },
          (error: unknown) => {
            if (topics.get(keys.stream) === created) topics.delete(keys.stream);
            throw options.unavailable(error, 'follow a topic');
          },
        );
        topic = created;
        topics.set(keys.stream, topic);
      }
      const followed = topic;
      followed.followers.add(follower);
      return {
        ready: followed.ready,
        stop(): void {
          if (!followed.followers.delete(follower)) return;
          if (followed.followers.size === 0 && topics.get(keys.stream) === followed) {
            topics.delete(keys.stream);
            changed();
          }
        },
      };
    },
    close(): void {
      stopped.abort();
      const waiting = wake;
      wake = undefined;
      waiting?.();
    },
  };
}
