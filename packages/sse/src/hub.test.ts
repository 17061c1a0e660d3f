import { describe, expect, it } from 'vitest';
import { type FakeSink, fakeSink, until } from '../test/fake-sink';
import type { BufferPolicy } from './channel';
import { SseError } from './errors';
import { type EventLog, memoryEventLog } from './event-log';
import { createHub } from './hub';
import { EventChannel } from './internal/event-channel';

function client(options: { policy?: BufferPolicy; size?: number; lastEventId?: string } = {}): {
  channel: EventChannel;
  sink: FakeSink;
  done: Promise<void>;
} {
  const sink = fakeSink();
  const channel = new EventChannel(
    {
      heartbeatMs: 0,
      size: options.size ?? 65_536,
      policy: options.policy ?? 'wait',
      retry: undefined,
    },
    options.lastEventId,
  );
  const done = channel.streamTo(sink);
  return { channel, sink, done };
}

const ids = (sink: FakeSink) => sink.events.map((e) => e.id);
const ticks = async (n = 5): Promise<void> => {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
};

describe('createHub', () => {
  it('fans each publication out to every subscriber with a growing id, encoded once', async () => {
    const hub = createHub();
    const a = client();
    const b = client();
    await hub.subscribe(a.channel);
    await hub.subscribe(b.channel);
    expect(hub.size).toBe(2);
    expect(await hub.publish({ event: 'greet', data: { hello: 'world' } })).toBe('1');
    expect(await hub.publish({ data: 'two\nlines' })).toBe('2');
    for (const { sink } of [a, b]) {
      expect(sink.events).toEqual([
        { id: '1', event: 'greet', data: '{"hello":"world"}' },
        { id: '2', event: undefined, data: 'two\nlines' },
      ]);
    }
  });

  it('unsubscribes a stream when it ends', async () => {
    const hub = createHub();
    const a = client();
    await hub.subscribe(a.channel);
    a.sink.disconnect();
    expect(hub.size).toBe(0);
    await hub.publish({ data: 'x' });
    expect(a.sink.events).toEqual([]);
  });

  it('a slow subscriber neither delays the others nor holds more than its bound', async () => {
    const hub = createHub();
    const fast = client();
    const slow = client({ policy: 'drop-oldest', size: 1000 });
    await hub.subscribe(fast.channel);
    await hub.subscribe(slow.channel);
    slow.sink.stall();
    const payload = 'x'.repeat(200);
    for (let i = 0; i < 100; i++) await hub.publish({ data: payload });
    expect(fast.sink.events).toHaveLength(100);
    expect(slow.channel.bufferedBytes).toBeLessThanOrEqual(1000);
    expect(slow.channel.droppedEvents).toBeGreaterThan(90);
    slow.sink.drain();
    await ticks();
    // The first event (handed to the socket), then the newest that fit.
    const got = ids(slow.sink).map(Number);
    expect(got[0]).toBe(1);
    expect(got.at(-1)).toBe(100);
    expect(got.slice(1)).toEqual(got.slice(1).sort((x, y) => x - y));
  });

  it('evicts a `wait` subscriber that a broadcast finds full (a hub never waits)', async () => {
    const hub = createHub();
    const slow = client({ policy: 'wait', size: 300 });
    await hub.subscribe(slow.channel);
    slow.sink.stall();
    for (let i = 0; i < 10; i++) await hub.publish({ data: 'y'.repeat(100) });
    await expect(slow.channel.closed).resolves.toEqual({ code: 'EVICTED' });
    expect(hub.size).toBe(0);
  });

  it('evicts a drop-policy subscriber that stays full for evictAfterMs', async () => {
    const hub = createHub({ evictAfterMs: 30 });
    const slow = client({ policy: 'drop-newest', size: 300 });
    const fine = client({ policy: 'drop-newest', size: 300 });
    await hub.subscribe(slow.channel);
    await hub.subscribe(fine.channel);
    slow.sink.stall();
    const started = performance.now();
    while (slow.channel.isOpen && performance.now() - started < 2000) {
      await hub.publish({ data: 'z'.repeat(100) });
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await expect(slow.channel.closed).resolves.toEqual({ code: 'EVICTED' });
    expect(performance.now() - started).toBeGreaterThanOrEqual(29);
    expect(fine.channel.isOpen).toBe(true);
    expect(hub.size).toBe(1);
  });

  it('replays exactly what a resuming client missed, then live events', async () => {
    const hub = createHub();
    for (let i = 1; i <= 5; i++) await hub.publish({ data: `e${i}` });
    const resumed = client({ lastEventId: '2' });
    await hub.subscribe(resumed.channel);
    await hub.publish({ data: 'e6' });
    expect(ids(resumed.sink)).toEqual(['3', '4', '5', '6']);
    expect(resumed.sink.events.map((e) => e.data)).toEqual(['e3', 'e4', 'e5', 'e6']);
  });

  it('replays with no gap and no duplicate while publishing goes on (slow log, paged reads)', async () => {
    const inner = memoryEventLog({ maxEvents: 10_000 });
    // A log whose reads take a while, as a remote store's would.
    const log: EventLog = {
      append: (entry) => inner.append(entry),
      readAfter: async (id, limit) => {
        const read = await inner.readAfter(id, limit);
        await new Promise((resolve) => setTimeout(resolve, 3));
        return read;
      },
    };
    const hub = createHub({ log, replayPageSize: 7 });
    for (let i = 0; i < 50; i++) await hub.publish({ data: String(i) });
    let publishing = true;
    const publisher = (async () => {
      while (publishing) {
        await hub.publish({ data: 'live' });
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    })();
    const resumed = client({ lastEventId: '10', size: 200 });
    const replayed = hub.subscribe(resumed.channel);
    await replayed;
    await until(() => resumed.sink.events.length > 150, 5000, '150 events');
    publishing = false;
    await publisher;
    expect(resumed.sink.events.every((e) => e.event === undefined)).toBe(true);
    const got = ids(resumed.sink).map(Number);
    const expected = Array.from({ length: got.length }, (_, i) => 11 + i);
    expect(got).toEqual(expected);
  });

  it('a stalled resuming client does not make live events pile up: it reads them from the log', async () => {
    const hub = createHub({ log: memoryEventLog({ maxEvents: 100_000 }) });
    for (let i = 0; i < 300; i++) await hub.publish({ data: String(i) });
    const resumed = client({ lastEventId: '1', size: 100 });
    resumed.sink.stall();
    const replayed = hub.subscribe(resumed.channel);
    // The replay is stuck on the client; 5000 live events arrive meanwhile (more than
    // the hub keeps aside for the seam).
    for (let i = 0; i < 5000; i++) await hub.publish({ data: String(i) });
    expect(resumed.sink.events.length).toBeLessThan(20);
    resumed.sink.drain();
    await replayed;
    await hub.publish({ data: 'after' });
    const got = ids(resumed.sink).map(Number);
    expect(got).toEqual(Array.from({ length: 5300 }, (_, i) => 2 + i));
  });

  it('sends the reset event when the id is older than the log holds, then live events', async () => {
    const hub = createHub({ log: memoryEventLog({ maxEvents: 3 }) });
    for (let i = 1; i <= 10; i++) await hub.publish({ data: `e${i}` });
    const resumed = client({ lastEventId: '2' });
    await hub.subscribe(resumed.channel);
    await hub.publish({ data: 'e11' });
    expect(resumed.sink.events).toEqual([
      { id: '10', event: 'reset', data: '{"lastEventId":"2"}' },
      { id: '11', event: undefined, data: 'e11' },
    ]);
  });

  it('sends the reset event for an id the log never issued, and a custom name', async () => {
    const hub = createHub({ resetEvent: 'replay-gap' });
    const resumed = client({ lastEventId: 'from-another-server' });
    await hub.subscribe(resumed.channel);
    expect(resumed.sink.events).toEqual([
      { id: '', event: 'replay-gap', data: '{"lastEventId":"from-another-server"}' },
    ]);
  });

  it('publish() refuses an invalid event: nothing is logged or sent', async () => {
    const hub = createHub();
    const a = client();
    await hub.subscribe(a.channel);
    await expect(hub.publish({ event: 'a\nb', data: 1 })).rejects.toSatisfy(
      (e) => SseError.isError(e) && e.field === 'event',
    );
    await expect(hub.publish({ data: 1, id: 5 } as never)).rejects.toThrow(
      /ids are assigned by the hub/,
    );
    await expect(hub.publish({ data: Symbol('x') })).rejects.toThrow(/data has no JSON form/);
    expect(await hub.publish({ data: 'ok' })).toBe('1');
    expect(ids(a.sink)).toEqual(['1']);
  });

  it('a failing log rejects publish() and keeps the hub working', async () => {
    let fail = true;
    const inner = memoryEventLog();
    const hub = createHub({
      log: {
        append: (entry) => (fail ? Promise.reject(new Error('store down')) : inner.append(entry)),
        readAfter: (id, limit) => inner.readAfter(id, limit),
      },
    });
    await expect(hub.publish({ data: 'x' })).rejects.toThrow('store down');
    fail = false;
    expect(await hub.publish({ data: 'y' })).toBe('1');
  });

  it('close() closes every subscriber, and later ones', async () => {
    const hub = createHub();
    const a = client();
    await hub.subscribe(a.channel);
    hub.close();
    await expect(a.channel.closed).resolves.toEqual({ code: 'CLOSED' });
    const b = client();
    await hub.subscribe(b.channel);
    await expect(b.channel.closed).resolves.toEqual({ code: 'CLOSED' });
  });

  it('refuses bad options and foreign channels, naming them', async () => {
    expect(() => createHub({ log: {} as never })).toThrow(/options\.log must be an EventLog/);
    expect(() => createHub({ evictAfterMs: -1 })).toThrow(/options\.evictAfterMs/);
    expect(() => createHub({ resetEvent: 'a\nb' })).toThrow(/options\.resetEvent/);
    await expect(createHub().subscribe({} as never)).rejects.toThrow(/channel must be a channel/);
  });
});
