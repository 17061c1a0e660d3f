// Topics shared by several processes (here: several RedisStreams in one test process,
// each with its own connection pair), over real sockets with real SSE clients.
import net from 'node:net';
import { EventSource } from 'eventsource';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectRedisStreams, isSseRedisError } from '../src/index';
import { openRaw, publish, type RawStream, within } from './processes';
import { type RedisServer, redisMissing, startRedis } from './redis-server';
import { type Served, serveTopics } from './serve';

const missing = redisMissing();
if (missing !== undefined) console.warn(`[sse-redis] topic tests skipped: ${missing}`);

let redis: RedisServer;
const cleanup: (() => Promise<void> | void)[] = [];
beforeAll(async () => {
  if (missing === undefined) redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

let prefixes = 0;
/** Two or more servers on one Redis, with a key prefix of their own (a fresh namespace). */
async function servers(
  count: number,
  options: Record<string, unknown> = {},
): Promise<[Served, Served, ...Served[]]> {
  const keyPrefix = `t${++prefixes}:`;
  const list: Served[] = [];
  for (let i = 0; i < count; i++) {
    const served = await serveTopics({ url: redis.url, keyPrefix, ...options });
    cleanup.push(() => served.stop());
    list.push(served);
  }
  return list as [Served, Served, ...Served[]];
}

function raw(url: string, headers: Record<string, string> = {}): RawStream {
  const stream = openRaw(url, headers);
  cleanup.push(() => stream.destroy());
  return stream;
}

/** Sends one command over a raw socket (inline protocol) and returns the reply text. */
async function redisCommand(command: string): Promise<string> {
  const socket = net.connect(redis.port, '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.write(`${command}\r\n`);
  let text = '';
  await new Promise<void>((resolve) => {
    socket.on('data', (chunk) => {
      text += chunk.toString();
      // A bulk string reply ends with CRLF after its announced length.
      const header = /^\$(\d+)\r\n/.exec(text);
      if (header === null || text.length >= header[0].length + Number(header[1]) + 2) resolve();
    });
  });
  socket.destroy();
  return text;
}

async function commandStats(): Promise<Map<string, number>> {
  const text = await redisCommand('INFO commandstats');
  const stats = new Map<string, number>();
  for (const match of text.matchAll(/cmdstat_([a-z|]+):calls=(\d+)/g)) {
    stats.set(match[1]!, Number(match[2]));
  }
  return stats;
}

describe.skipIf(missing !== undefined)('topics across processes', () => {
  it('a publish on any process reaches every subscriber of the topic, all in the same order', async () => {
    const [a, b] = await servers(2);
    const clients = [a, b, a, b].map((served) => raw(`${served.url}/topics/room/events`));
    const other = raw(`${a.url}/topics/other/events`);
    for (const client of [...clients, other]) expect(await client.status).toBe(200);
    // Concurrent publishers on both processes.
    await Promise.all(
      [a, b].map(async (served, n) => {
        for (let i = 0; i < 25; i++) await publish(served.url, 'room', `${n}:${i}`);
      }),
    );
    for (const client of clients)
      await client.until(() => client.events.length === 50, 5000, '50 events');
    const order = clients[0]!.events.map((event) => `${event.id} ${event.data}`);
    for (const client of clients) {
      expect(client.events.map((event) => `${event.id} ${event.data}`)).toEqual(order);
    }
    // Each publisher's own order is kept.
    for (const n of [0, 1]) {
      const mine = order.filter((line) => line.split(' ')[1]!.startsWith(`${n}:`));
      expect(mine.map((line) => line.split(' ')[1])).toEqual(
        Array.from({ length: 25 }, (_, i) => `${n}:${i}`),
      );
    }
    expect(other.events).toEqual([]);
  });

  it.each([1, 2, 3])(
    'resume on any process while publishing goes on: no gap, no duplicate, in order (random cuts, seed %i)',
    async (seed) => {
      let state = seed * 7919;
      const random = (): number => {
        state = (state * 48271) % 2147483647;
        return state / 2147483647;
      };
      const list = await servers(3);
      // Each reconnect goes to another process, chosen at random.
      let target = list[0]!;
      const source = new EventSource(`${target.url}/topics/room/events`, {
        fetch: (input, init) => {
          target = list[Math.floor(random() * list.length)]!;
          return fetch(String(input).replace(/^http:\/\/[^/]+/, target.url), init);
        },
      });
      cleanup.push(() => source.close());
      const received: { id: string; data: string }[] = [];
      let cuts = 0;
      let nextCut = 5 + Math.floor(random() * 20);
      let done: () => void = () => {};
      const finished = new Promise<void>((resolve) => {
        done = resolve;
      });
      const published: { id: string; data: string }[] = [];
      let publishing = true;
      source.onmessage = (event) => {
        received.push({ id: event.lastEventId, data: event.data });
        if (received.length >= nextCut && cuts < 8) {
          cuts++;
          nextCut = received.length + 5 + Math.floor(random() * 20);
          // Cut the newest connection on whichever process holds it: cleanly or hard.
          const open = list.flatMap((served) => served.channels).at(-1)!;
          if (random() < 0.5) open.channel.close();
          else open.destroy();
        }
        if (!publishing && received.length >= published.length) done();
      };
      await within(
        new Promise((resolve) => source.addEventListener('open', resolve, { once: true })),
        5000,
        'the stream',
      );
      // Publishers on every process, at random moments.
      const publishers = list.map(async (served, n) => {
        for (let i = 0; i < 40; i++) {
          if (random() < 0.3) await new Promise((resolve) => setTimeout(resolve, random() * 4));
          const data = `${n}:${i}`;
          published.push({ id: await publish(served.url, 'room', data), data });
        }
      });
      await Promise.all(publishers);
      publishing = false;
      if (received.length >= published.length) done();
      await within(finished, 15_000, `all ${published.length} events (got ${received.length})`);
      const byId = (x: { id: string }, y: { id: string }): number =>
        x.id.localeCompare(y.id, 'en', { numeric: true });
      expect(received).toEqual([...published].sort(byId));
      expect(cuts).toBeGreaterThanOrEqual(4);
    },
  );

  it('trims by count: a Last-Event-ID older than what is kept gets the reset event', async () => {
    const [a] = await servers(1, { maxEvents: 5, exactTrim: true });
    const ids: string[] = [];
    for (let i = 1; i <= 12; i++) ids.push(await publish(a!.url, 'room', `e${i}`));
    const old = raw(`${a!.url}/topics/room/events`, { 'last-event-id': ids[2]! });
    await old.until(() => old.events.length >= 1, 5000, 'the reset');
    expect(old.events[0]).toMatchObject({ event: 'reset', id: ids[11] });
    expect(JSON.parse(old.events[0]!.data)).toEqual({ lastEventId: ids[2] });
    // The oldest kept event is continuable.
    const kept = raw(`${a!.url}/topics/room/events`, { 'last-event-id': ids[7]! });
    await kept.until(() => kept.events.length >= 4, 5000, 'the four after it');
    expect(kept.events.map((event) => event.data)).toEqual(['e9', 'e10', 'e11', 'e12']);
    // The last trimmed one gets the reset: pessimistic at that one edge (Redis does
    // not say which id was trimmed last), never a silent gap.
    const edge = raw(`${a!.url}/topics/room/events`, { 'last-event-id': ids[6]! });
    await edge.until(() => edge.events.length >= 1, 5000, 'the reset at the edge');
    expect(edge.events[0]).toMatchObject({ event: 'reset', id: ids[11] });
  });

  it('trims by age: events older than maxAgeMs are gone, their ids get the reset event', async () => {
    const [a] = await servers(1, { maxAgeMs: 100, exactTrim: true });
    const first = await publish(a!.url, 'room', 'first');
    const ms = (id: string): number => Number(id.split('_')[1]!.split('-')[0]);
    // Publish until Redis's clock (the ms of the newest id) is past the age limit.
    let last = first;
    while (ms(last) <= ms(first) + 150) {
      await new Promise((resolve) => setTimeout(resolve, 10)); // Redis's clock is what is awaited
      last = await publish(a!.url, 'room', 'filler');
    }
    const old = raw(`${a!.url}/topics/room/events`, { 'last-event-id': first });
    await old.until(() => old.events.length >= 1, 5000, 'the reset');
    expect(old.events[0]).toMatchObject({ event: 'reset', id: last });
    const recent = raw(`${a!.url}/topics/room/events`, { 'last-event-id': last });
    await publish(a!.url, 'room', 'next');
    await recent.until(() => recent.events.length >= 1, 5000, 'the next event');
    expect(recent.events[0]).toMatchObject({ data: 'next' });
  });

  it('Redis commands per publish do not grow with subscribers (INFO commandstats)', {
    timeout: 60_000,
  }, async () => {
    const [a, b] = await servers(2);
    const measure = async (subscribers: number): Promise<{ writes: number; reads: number }> => {
      const topic = `room-${subscribers}`;
      const clients = Array.from({ length: subscribers }, (_, i) =>
        raw(`${(i % 2 === 0 ? a : b)!.url}/topics/${topic}/events`),
      );
      for (const client of clients) expect(await client.status).toBe(200);
      await publish(a!.url, topic, 'warm-up'); // the first publish also sets the epoch
      for (const client of clients)
        await client.until(() => client.events.length === 1, 15_000, 'warm-up');
      const before = await commandStats();
      for (let i = 0; i < 20; i++) await publish(a!.url, topic, `e${i}`);
      for (const client of clients)
        await client.until(() => client.events.length === 21, 15_000, '20 events');
      const after = await commandStats();
      const delta = (name: string): number => (after.get(name) ?? 0) - (before.get(name) ?? 0);
      for (const client of clients) client.destroy();
      return {
        writes: delta('evalsha') + delta('get') + delta('xadd') + delta('set') + delta('xtrim'),
        reads: delta('xread'),
      };
    };
    const few = await measure(2);
    const many = await measure(200);
    // evalsha + GET + XADD per publish, whatever the number of subscribers.
    expect(few.writes).toBe(60);
    expect(many.writes).toBe(60);
    // At most one XREAD per process per event (fewer when reads batch events).
    expect(many.reads).toBeLessThanOrEqual(2 * 20 + 2);
    expect(few.reads).toBeLessThanOrEqual(2 * 20 + 2);
  });

  it('one connection pair per process, whatever the number of topics and clients (CLIENT LIST)', async () => {
    const own = await startRedis();
    cleanup.push(() => own.stop());
    const list: Served[] = [];
    for (let i = 0; i < 2; i++) {
      const served = await serveTopics({ url: own.url });
      cleanup.push(() => served.stop());
      list.push(served);
    }
    const clients = list.flatMap((served) =>
      ['a', 'b', 'c'].flatMap((topic) =>
        Array.from({ length: 5 }, () => raw(`${served.url}/topics/${topic}/events`)),
      ),
    );
    for (const client of clients) expect(await client.status).toBe(200);
    for (const topic of ['a', 'b', 'c']) await publish(list[0]!.url, topic, topic);
    for (const client of clients)
      await client.until(() => client.events.length === 1, 15_000, 'an event');
    const socket = net.connect(own.port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write('CLIENT LIST\r\n');
    let text = '';
    await new Promise<void>((resolve) => {
      socket.on('data', (chunk) => {
        text += chunk.toString();
        const header = /^\$(\d+)\r\n/.exec(text);
        if (header !== null && text.length >= header[0].length + Number(header[1]) + 2) resolve();
      });
    });
    socket.destroy();
    const connections = text.split('\n').filter((line) => line.startsWith('id=')).length;
    expect(connections).toBe(2 * 2 + 1); // two per process, and this one
  });

  it('publishing fails fast with UNAVAILABLE naming the address while Redis is gone', async () => {
    const own = await startRedis();
    cleanup.push(() => own.stop());
    const streams = await connectRedisStreams({ url: own.url });
    cleanup.push(() => streams.close());
    const hub = streams.hub('room');
    await hub.publish({ data: 'up' });
    await own.kill('SIGKILL');
    const started = performance.now();
    const error = await hub.publish({ data: 'down' }).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(performance.now() - started).toBeLessThan(2000); // at once; room for a loaded machine
    expect(isSseRedisError(error) && error.code).toBe('UNAVAILABLE');
    expect((error as Error).message).toContain(own.url);
  });

  it('validates options and topic names before touching Redis', async () => {
    await expect(connectRedisStreams({ url: 'http://x' })).rejects.toMatchObject({
      code: 'INVALID_OPTION',
      field: 'options.url',
    });
    await expect(connectRedisStreams({ keyPrefix: 'a{b}' })).rejects.toMatchObject({
      code: 'INVALID_OPTION',
      field: 'options.keyPrefix',
    });
    await expect(connectRedisStreams({ maxEvents: 0 })).rejects.toMatchObject({
      field: 'options.maxEvents',
    });
    const streams = await connectRedisStreams({ url: redis.url });
    cleanup.push(() => streams.close());
    expect(() => streams.hub('a b')).toThrow(
      expect.objectContaining({ code: 'INVALID_TOPIC', status: 400 }),
    );
    expect(() => streams.log('')).toThrow(expect.objectContaining({ code: 'INVALID_TOPIC' }));
  });
});
