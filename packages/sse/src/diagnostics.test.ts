// Issue 21: what @plinth/sse publishes on its diagnostics channels, stream by stream
// (the stream's own state machine, through the fake sink of the hub's tests; the
// otel package's tests observe the same channels over real sockets).
import dc from 'node:diagnostics_channel';
import { afterEach, describe, expect, it } from 'vitest';
import { type FakeSink, fakeSink } from '../test/fake-sink';
import type { BufferPolicy } from './channel';
import { SSE_CHANNELS } from './diagnostics';
import { memoryEventLog } from './event-log';
import { createHub } from './hub';
import { EventChannel } from './internal/event-channel';

type Name = keyof typeof SSE_CHANNELS;
const offs: (() => void)[] = [];
afterEach(() => {
  for (const off of offs.splice(0)) off();
});

function record(): { name: Name; message: Record<string, unknown> }[] {
  const seen: { name: Name; message: Record<string, unknown> }[] = [];
  for (const name of Object.keys(SSE_CHANNELS) as Name[]) {
    const fn = (message: unknown) => seen.push({ name, message: message as never });
    dc.subscribe(SSE_CHANNELS[name], fn);
    offs.push(() => dc.unsubscribe(SSE_CHANNELS[name], fn));
  }
  return seen;
}

function client(policy: BufferPolicy, size = 65_536, lastEventId?: string) {
  const sink: FakeSink = fakeSink();
  const channel = new EventChannel({ heartbeatMs: 0, size, policy, retry: undefined }, lastEventId);
  const done = channel.streamTo(sink);
  return { channel, sink, done };
}

const names = (seen: { name: Name }[]) => seen.map((s) => s.name);

describe('diagnostics channels of @plinth/sse', () => {
  it('publishes open, one send per event (not per comment) and close with the reason', async () => {
    const seen = record();
    const { channel, sink } = client('wait', 65_536, '7');
    await channel.send({ data: 'a' });
    await channel.comment('not an event');
    await channel.send({ id: 9, data: 'b' });
    sink.disconnect();
    expect(names(seen)).toEqual(['open', 'send', 'send', 'close']);
    expect(seen[0]!.message).toEqual({ channel, lastEventId: '7' });
    expect(seen[1]!.message).toEqual({ channel, bytes: Buffer.byteLength('data: a\n\n') });
    expect(seen[3]!.message).toMatchObject({ channel, reason: 'CLIENT_DISCONNECT' });
  });

  it('publishes drop with the count and policy when a slow client loses events', async () => {
    const seen = record();
    const newest = client('drop-newest', 100);
    const oldest = client('drop-oldest', 100);
    newest.sink.stall();
    oldest.sink.stall();
    for (let i = 0; i < 10; i++) {
      await newest.channel.send({ data: 'x'.repeat(40) });
      await oldest.channel.send({ data: 'x'.repeat(40) });
    }
    const drops = seen.filter((s) => s.name === 'drop');
    const dropped = (c: EventChannel) =>
      drops
        .filter((d) => d.message.channel === c)
        .reduce((n, d) => n + (d.message.count as number), 0);
    expect(dropped(newest.channel)).toBe(newest.channel.droppedEvents);
    expect(dropped(oldest.channel)).toBe(oldest.channel.droppedEvents);
    expect(newest.channel.droppedEvents).toBeGreaterThan(0);
    expect(oldest.channel.droppedEvents).toBeGreaterThan(0);
    expect(drops.find((d) => d.message.channel === oldest.channel)!.message.policy).toBe(
      'drop-oldest',
    );
    // Every event sent was either sent (accepted) or dropped.
    const sends = (c: EventChannel) =>
      seen.filter((s) => s.name === 'send' && s.message.channel === c);
    expect(sends(newest.channel).length + dropped(newest.channel)).toBe(10);
  });

  it('publishes evict, then close with EVICTED, when a hub gives up on a client', async () => {
    const seen = record();
    const hub = createHub();
    const slow = client('wait', 300);
    await hub.subscribe(slow.channel);
    slow.sink.stall();
    for (let i = 0; i < 10; i++) await hub.publish({ data: 'y'.repeat(100) });
    await slow.channel.closed;
    const tail = names(seen).slice(-2);
    expect(tail).toEqual(['evict', 'close']);
    expect(seen.at(-1)!.message).toMatchObject({ channel: slow.channel, reason: 'EVICTED' });
  });

  it('publishes replay for a resuming client and reset when its history is gone', async () => {
    const hub = createHub({ log: memoryEventLog({ maxEvents: 2 }) });
    for (let i = 0; i < 5; i++) await hub.publish({ data: String(i) });
    const seen = record();
    const resuming = client('wait', 65_536, '4');
    await hub.subscribe(resuming.channel, { lastEventId: '4' });
    const lost = client('wait', 65_536, '1');
    await hub.subscribe(lost.channel, { lastEventId: '1' });
    const replays = seen.filter((s) => s.name === 'replay');
    expect(replays.map((r) => r.message.lastEventId)).toEqual(['4', '1']);
    const resets = seen.filter((s) => s.name === 'reset');
    expect(resets).toHaveLength(1);
    expect(resets[0]!.message).toEqual({ channel: lost.channel, lastEventId: '1' });
  });

  it('publishes nothing when nothing listens', async () => {
    for (const name of Object.values(SSE_CHANNELS)) expect(dc.hasSubscribers(name)).toBe(false);
    const { channel, sink } = client('wait');
    await channel.send({ data: 'a' });
    sink.disconnect();
    expect(sink.events).toHaveLength(1);
  });
});
