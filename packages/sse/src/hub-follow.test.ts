// A hub on a shared log (`log.follow`): events appended by any process reach every
// subscriber once, in order, through what the log reports; the hand-over from replay
// to live events holds for any timing of the appends, the reads and the reports.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fakeSink, until } from '../test/fake-sink';
import type { EventLog, LogEntry, LogFollower, LoggedEvent, LogRead } from './event-log';
import { createHub } from './hub';
import { EventChannel } from './internal/event-channel';

interface SharedLog extends EventLog {
  /** An append by another process. */
  appendElsewhere(entry: LogEntry): Promise<LoggedEvent>;
  /** Settles once every appended event was reported to the followers. */
  reported(): Promise<void>;
  followers: Set<LogFollower>;
}

/** A shared log whose effects, answers and reports happen when fast-check's scheduler says. */
function sharedLog(s: fc.Scheduler, capacity: number): SharedLog {
  const events: LoggedEvent[] = [];
  let first = 1;
  const followers = new Set<LogFollower>();
  let reports: Promise<void> = Promise.resolve();
  const append = async (entry: LogEntry): Promise<LoggedEvent> => {
    await s.schedule(Promise.resolve(), 'append takes effect');
    const logged: LoggedEvent = { ...entry, id: String(events.length + 1) };
    events.push(logged);
    first = Math.max(first, events.length - capacity + 1);
    // The reader reports it later, in log order.
    reports = reports
      .then(() => s.schedule(Promise.resolve(), `report ${logged.id}`))
      .then(() => {
        for (const follower of followers) follower.event(logged);
      });
    await s.schedule(Promise.resolve(), `append ${logged.id} answers`);
    return logged;
  };
  return {
    append,
    appendElsewhere: append,
    reported: () => reports,
    followers,
    async readAfter(lastEventId: string, limit: number): Promise<LogRead> {
      await s.schedule(Promise.resolve(), `read after ${lastEventId} takes effect`);
      const last = events.length;
      const after = /^(0|[1-9][0-9]*)$/.test(lastEventId) ? Number(lastEventId) : Number.NaN;
      const found = after <= last && after >= first - 1;
      const read: LogRead = {
        found,
        events: found ? events.slice(after, Math.min(last, after + limit)) : [],
        lastId: last === 0 ? undefined : String(last),
      };
      await s.schedule(Promise.resolve(), `read after ${lastEventId} answers`);
      return read;
    },
    follow(follower: LogFollower) {
      followers.add(follower);
      // Ready once the reader fixed where it reads from: every later append is reported.
      return {
        ready: s.schedule(Promise.resolve(), 'follow ready').then(() => {}),
        stop: () => void followers.delete(follower),
      };
    },
  };
}

function subscriber(lastEventId: string | undefined) {
  const sink = fakeSink();
  const channel = new EventChannel(
    { heartbeatMs: 0, size: 65_536, policy: 'wait', retry: undefined },
    lastEventId,
  );
  channel.streamTo(sink).catch(() => {}); // a stream ended by an error rejects
  return { channel, sink };
}

describe('hub on a shared log (log.follow)', () => {
  it('delivers every event once, in order, from any process, for any timing (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.integer({ min: 0, max: 5 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }), // true: appended elsewhere
        fc.array(fc.option(fc.integer({ min: 0, max: 12 }), { nil: undefined }), {
          minLength: 1,
          maxLength: 3,
        }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 2, max: 20 }),
        async (s, before, during, resumeFrom, pageSize, capacity) => {
          const log = sharedLog(s, capacity);
          const hub = createHub({ log, replayPageSize: pageSize });
          const published: Promise<unknown>[] = [];
          for (let i = 0; i < before; i++) published.push(hub.publish({ data: `e${i}` }));
          await s.waitFor(Promise.all(published));
          const clients = resumeFrom.map((from) => ({
            from,
            ...subscriber(from === undefined ? undefined : String(from)),
          }));
          const subscribed = clients.map(({ channel }) => hub.subscribe(channel));
          during.forEach((elsewhere, i) => {
            const entry = { data: `e${before + i}` };
            published.push(elsewhere ? log.appendElsewhere(entry) : hub.publish(entry));
          });
          await s.waitFor(Promise.all([...published, ...subscribed]));
          await s.waitFor(log.reported());
          const total = before + during.length;
          for (const { from, sink } of clients) {
            const ids = sink.events.map((event) => Number(event.id));
            for (let i = 1; i < ids.length; i++) expect(ids[i]).toBeGreaterThan(ids[i - 1]!);
            if (from === undefined) {
              if (ids.length > 0) expect(ids.at(-1)).toBe(total);
              for (let i = 1; i < ids.length; i++) expect(ids[i]).toBe(ids[i - 1]! + 1);
              continue;
            }
            let expected = from + 1;
            for (const event of sink.events) {
              const id = Number(event.id);
              if (event.event === 'reset') expected = id + 1;
              else expect(id).toBe(expected++);
            }
            expect(expected).toBe(total + 1);
          }
        },
      ),
      { numRuns: 300, timeout: 5000 },
    );
  });

  it('publish only appends: the event reaches a local subscriber once, when the log reports it', async () => {
    const followers = new Set<LogFollower>();
    let n = 0;
    const log: EventLog = {
      append: async (entry) => ({ ...entry, id: String(++n) }),
      readAfter: async () => ({ found: false, events: [], lastId: undefined }),
      follow: (follower) => {
        followers.add(follower);
        return { ready: Promise.resolve(), stop: () => void followers.delete(follower) };
      },
    };
    const hub = createHub({ log });
    const { channel, sink } = subscriber(undefined);
    await hub.subscribe(channel);
    expect(followers.size).toBe(1);
    const id = await hub.publish({ data: 'x' });
    expect(sink.events).toEqual([]);
    for (const follower of followers) follower.event({ id, data: 'x' });
    await until(() => sink.events.length === 1, 2000, 'the event');
    expect(sink.events.map((event) => event.data)).toEqual(['x']);
    // The hub stops following when its last subscriber leaves.
    hub.unsubscribe(channel);
    expect(followers.size).toBe(0);
  });

  it('ends every stream when the log lost history, and fails a subscriber the log cannot follow', async () => {
    const followers = new Set<LogFollower>();
    let ready: Promise<void> = Promise.resolve();
    const log: EventLog = {
      append: async (entry) => ({ ...entry, id: '1' }),
      readAfter: async () => ({ found: false, events: [], lastId: undefined }),
      follow: (follower) => {
        followers.add(follower);
        return { ready, stop: () => void followers.delete(follower) };
      },
    };
    const hub = createHub({ log });
    const a = subscriber(undefined);
    await hub.subscribe(a.channel);
    for (const follower of [...followers]) follower.lost();
    expect((await a.channel.closed).code).toBe('CLOSED');
    const unreachable = new Error('store unreachable');
    ready = Promise.reject(unreachable);
    ready.catch(() => {});
    const b = subscriber(undefined);
    await hub.subscribe(b.channel);
    expect((await b.channel.closed).code).toBe('ERROR');
    expect(hub.size).toBe(0);
  });
});
