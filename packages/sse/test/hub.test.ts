// Broadcast and replay over real sockets: the `eventsource` client reconnecting with
// Last-Event-ID while publishing goes on, the reset signal, slow clients, eviction.
import { EventSource } from 'eventsource';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type Channel,
  type CloseReason,
  createHub,
  type EventHub,
  type EventLog,
  eventStream,
  memoryEventLog,
} from '../src/index';
import { deferred, openStream, PROTOCOLS, type Served, serve, within } from './net';

let served: Served | undefined;
let stopPublishing: (() => void) | undefined;
afterEach(async () => {
  stopPublishing?.();
  stopPublishing = undefined;
  await served?.stop(200);
  served = undefined;
});

/** Publishes `{ data: n }` every `everyMs` until stopped. */
function publishEvery(hub: EventHub, everyMs: number): () => void {
  let n = 0;
  const timer = setInterval(() => void hub.publish({ data: String(++n) }), everyMs);
  return () => clearInterval(timer);
}

describe('replay over a reconnect (eventsource client, HTTP/1.1)', () => {
  it('gets exactly the missed events, in order, with no gap and no duplicate, while publishing goes on', async () => {
    const hub = createHub();
    const channels: Channel[] = [];
    const lastIds: (string | undefined)[] = [];
    const endings: string[] = [];
    served = await serve(
      [
        eventStream(
          (channel, ctx) => {
            channels.push(channel);
            lastIds.push(channel.lastEventId);
            // Every other connection is cut hard (socket destroyed), the others end cleanly.
            (channel as { raw?: unknown }).raw = ctx.request.raw?.res;
            return hub.subscribe(channel);
          },
          {
            retry: 15,
            heartbeatMs: 0,
            onClientDisconnect: (_ctx, reason) => endings.push(reason.code),
          },
        ),
      ],
      'http/1.1',
    );
    const received: { id: string; data: string }[] = [];
    const source = new EventSource(`${served.url}/feed`);
    const enough = deferred();
    const cuts = [40, 80, 120];
    source.onmessage = (event) => {
      received.push({ id: event.lastEventId, data: event.data });
      if (cuts[0] !== undefined && received.length >= cuts[0]) {
        cuts.shift();
        const channel = channels.at(-1)!;
        if (cuts.length % 2 === 0) channel.close();
        else (channel as { raw?: { destroy(): void } }).raw!.destroy();
      }
      if (received.length >= 160) enough.resolve();
    };
    await within(
      new Promise<void>((resolve) =>
        source.addEventListener('open', () => resolve(), { once: true }),
      ),
      3000,
      'the first connection',
    );
    stopPublishing = publishEvery(hub, 2);
    try {
      await within(enough.promise, 10_000, '160 events');
    } finally {
      source.close();
    }
    const ids = received.map((e) => Number(e.id));
    expect(ids).toEqual(Array.from({ length: ids.length }, (_, k) => ids[0]! + k));
    expect(received.every((e) => e.data === e.id)).toBe(true);
    // Four connections: the first fresh, then three resuming from where they were cut.
    expect(lastIds.length).toBeGreaterThanOrEqual(4);
    expect(lastIds[0]).toBeUndefined();
    for (const id of lastIds.slice(1, 4)) expect(id).toMatch(/^\d+$/);
    expect(endings.slice(0, 3).sort()).toEqual(['CLIENT_DISCONNECT', 'CLOSED', 'CLOSED'].sort());
  });
});

describe('resuming while an append has not answered yet (eventsource client)', () => {
  it('gets the event once: from the replay, not again from the live fan-out', async () => {
    // A log like a remote store's: the appended event is visible to reads at once, the
    // append answers when the test lets it.
    const memory = memoryEventLog();
    let gate: ReturnType<typeof deferred> | undefined;
    const log: EventLog = {
      async append(entry) {
        const logged = await memory.append(entry);
        await gate?.promise;
        return logged;
      },
      readAfter: (id, limit) => memory.readAfter(id, limit),
    };
    const hub = createHub({ log });
    for (let i = 1; i <= 3; i++) await hub.publish({ data: `e${i}` });
    gate = deferred();
    const fourth = hub.publish({ data: 'e4' }); // in the log, its append not answered
    const live = deferred();
    served = await serve(
      [
        eventStream(
          (channel) =>
            hub.subscribe(channel).then(() => {
              live.resolve();
            }),
          { heartbeatMs: 0 },
        ),
      ],
      'http/1.1',
    );
    const received: string[] = [];
    const sawFifth = deferred();
    const source = new EventSource(`${served.url}/feed`, {
      fetch: (input, init) =>
        fetch(input, { ...init, headers: { ...init?.headers, 'last-event-id': '2' } }),
    });
    source.onmessage = (event) => {
      received.push(event.lastEventId);
      if (event.lastEventId === '5') sawFifth.resolve();
    };
    try {
      await within(live.promise, 3000, 'the replay to hand over to live events');
      gate.resolve(undefined); // the append answers now: event 4 is fanned out to live subscribers
      expect(await within(fourth, 3000, 'the fourth publication')).toBe('4');
      expect(await within(hub.publish({ data: 'e5' }), 3000, 'the fifth publication')).toBe('5');
      await within(sawFifth.promise, 3000, 'event 5');
      expect(received).toEqual(['3', '4', '5']);
    } finally {
      source.close();
    }
  });
});

describe.each(PROTOCOLS)('hub over %s', (protocol) => {
  it('sends the reset event when Last-Event-ID is older than the log holds', async () => {
    const hub = createHub({ log: memoryEventLog({ maxEvents: 5 }) });
    for (let i = 1; i <= 20; i++) await hub.publish({ data: `e${i}` });
    served = await serve(
      [eventStream((channel) => hub.subscribe(channel), { heartbeatMs: 0 })],
      protocol,
    );
    const client = openStream(served.url, '/', protocol, { 'last-event-id': '3' });
    await client.waitForEvents(1);
    await hub.publish({ data: 'e21' });
    await client.waitForEvents(2);
    expect(client.events).toEqual([
      { event: 'reset', id: '20', data: '{"lastEventId":"3"}' },
      { event: undefined, id: '21', data: 'e21' },
    ]);
    client.destroy();
  });

  it('replays from the log for a client that resumes within it', async () => {
    const hub = createHub();
    for (let i = 1; i <= 20; i++) await hub.publish({ data: `e${i}` });
    served = await serve(
      [eventStream((channel) => hub.subscribe(channel), { heartbeatMs: 0 })],
      protocol,
    );
    const client = openStream(served.url, '/', protocol, { 'last-event-id': '17' });
    await client.waitForEvents(3);
    await hub.publish({ data: 'e21' });
    await client.waitForEvents(4);
    expect(client.events.map((e) => e.id)).toEqual(['18', '19', '20', '21']);
    client.destroy();
  });

  it('a client that reads nothing neither delays the others nor grows memory', async () => {
    const hub = createHub();
    const channels: Channel[] = [];
    served = await serve(
      [
        eventStream(
          (channel) => {
            channels.push(channel);
            return hub.subscribe(channel);
          },
          { heartbeatMs: 0, buffer: { size: 32 * 1024, policy: 'drop-oldest' } },
        ),
      ],
      protocol,
    );
    const slow = openStream(served.url, '/', protocol);
    await slow.response;
    slow.pause();
    const fast = openStream(served.url, '/', protocol);
    await fast.response;
    await within(
      (async () => {
        while (hub.size < 2) await new Promise((resolve) => setTimeout(resolve, 1));
      })(),
      2000,
      'two subscribers',
    );
    // 12 MB in all: more than the kernel takes for a client that reads nothing.
    const payload = 'p'.repeat(12 * 1024);
    let maxBuffered = 0;
    // Paced by the client that reads: it must get every event, in order, whatever
    // the paused one does.
    for (let i = 1; i <= 1000; i++) {
      await hub.publish({ data: payload });
      maxBuffered = Math.max(maxBuffered, channels[0]!.bufferedBytes);
      if (i % 2 === 0) await fast.waitForEvents(i, 5000);
    }
    expect(fast.events.map((e) => Number(e.id))).toEqual(
      Array.from({ length: 1000 }, (_, k) => k + 1),
    );
    expect(maxBuffered).toBeLessThanOrEqual(32 * 1024);
    expect(channels[0]!.droppedEvents).toBeGreaterThan(0);
    expect(slow.events.length).toBeLessThan(1000);
    slow.destroy();
    fast.destroy();
  });

  it('evicts a `wait` subscriber a broadcast finds full; its connection is cut', async () => {
    const hub = createHub();
    const evicted = deferred<CloseReason>();
    served = await serve(
      [
        eventStream((channel) => hub.subscribe(channel), {
          heartbeatMs: 0,
          buffer: { size: 16 * 1024, policy: 'wait' },
          onClientDisconnect: (_ctx, reason) => evicted.resolve(reason),
        }),
      ],
      protocol,
    );
    const slow = openStream(served.url, '/', protocol);
    await slow.response;
    slow.pause();
    const payload = 'w'.repeat(8192);
    let published = 0;
    while (hub.size > 0 && published < 100_000) {
      await hub.publish({ data: payload });
      published++;
      if (published % 16 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    expect((await within(evicted.promise, 2000, 'eviction')).code).toBe('EVICTED');
    slow.resume();
    expect(await within(slow.closed, 3000, 'the connection to close')).toEqual({ clean: false });
    expect(served.logs.filter((l) => l.level === 'error')).toEqual([]);
  });
});
