// The hand-over from replay to live events, under every timing a remote log can have:
// each call to the log takes effect and answers at moments fast-check's scheduler
// picks, so an append may be visible to a read long before the append answers.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type FakeSink, fakeSink } from '../test/fake-sink';
import type { EventLog, LogEntry, LoggedEvent, LogRead } from './event-log';
import { createHub } from './hub';
import { EventChannel } from './internal/event-channel';

/**
 * A log like a remote store's: each call takes effect at one scheduled moment and
 * answers at a later one. Holds the newest `capacity` events, ids `1`, `2`, …
 */
function scheduledLog(s: fc.Scheduler, capacity: number): EventLog {
  const events: LoggedEvent[] = [];
  let first = 1; // the oldest id held
  return {
    async append(entry: LogEntry): Promise<LoggedEvent> {
      await s.schedule(Promise.resolve(), 'append takes effect');
      const logged: LoggedEvent = { ...entry, id: String(events.length + 1) };
      events.push(logged);
      first = Math.max(first, events.length - capacity + 1);
      await s.schedule(Promise.resolve(), `append ${logged.id} answers`);
      return logged;
    },
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
  };
}

function subscriber(lastEventId: string | undefined): { channel: EventChannel; sink: FakeSink } {
  const sink = fakeSink();
  const channel = new EventChannel(
    { heartbeatMs: 0, size: 65_536, policy: 'wait', retry: undefined },
    lastEventId,
  );
  void channel.streamTo(sink);
  return { channel, sink };
}

describe('hub replay hand-over (property)', () => {
  it('every id reaches a resuming client at most once, in order, with no gap, for any timing of the log', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.integer({ min: 0, max: 5 }), // published before anyone resumes
        fc.integer({ min: 1, max: 6 }), // published while clients resume
        fc.array(fc.option(fc.integer({ min: 0, max: 12 }), { nil: undefined }), {
          minLength: 1,
          maxLength: 3,
        }), // the clients' Last-Event-ID (none: a fresh client)
        fc.integer({ min: 1, max: 3 }), // replay page size
        fc.integer({ min: 2, max: 20 }), // log capacity
        async (s, before, during, resumeFrom, pageSize, capacity) => {
          const hub = createHub({ log: scheduledLog(s, capacity), replayPageSize: pageSize });
          const published: Promise<string>[] = [];
          for (let i = 0; i < before; i++) published.push(hub.publish({ data: `e${i}` }));
          await s.waitFor(Promise.all(published));
          const clients = resumeFrom.map((from) => ({
            from,
            ...subscriber(from === undefined ? undefined : String(from)),
          }));
          const subscribed = clients.map(({ channel }) => hub.subscribe(channel));
          for (let i = before; i < before + during; i++) {
            published.push(hub.publish({ data: `e${i}` }));
          }
          // Runs the scheduled answers, in the order fast-check picks, until all settled.
          await s.waitFor(Promise.all([...published, ...subscribed]));
          const total = before + during;
          for (const { from, sink } of clients) {
            const events = sink.events;
            const ids = events.map((event) => Number(event.id));
            // Strictly increasing: no duplicate, no reordering.
            for (let i = 1; i < ids.length; i++) expect(ids[i]).toBeGreaterThan(ids[i - 1]!);
            if (from === undefined) {
              // A fresh client: live from some point on, with no gap to the end.
              if (ids.length > 0) expect(ids.at(-1)).toBe(total);
              for (let i = 1; i < ids.length; i++) expect(ids[i]).toBe(ids[i - 1]! + 1);
              continue;
            }
            // From its id on, every event once, in order; a reset signal (events were
            // lost to the log's bounds) restarts the run from the id it carries.
            let expected = from + 1;
            for (const event of events) {
              const id = Number(event.id);
              if (event.event === 'reset') expected = id + 1;
              else expect(id).toBe(expected++);
            }
            expect(expected).toBe(total + 1);
          }
        },
      ),
      { numRuns: 400, timeout: 5000 },
    );
  });
});
