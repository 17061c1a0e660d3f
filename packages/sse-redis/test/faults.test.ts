// Faults with real processes: a real redis-server started here (killed, restarted,
// restarted empty), Plinth processes as child processes, real SSE clients.
import net from 'node:net';
import { EventSource } from 'eventsource';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  openRaw,
  type PlinthProcess,
  post,
  publish,
  type RawStream,
  spawnPlinth,
  startPlinth,
  within,
} from './processes';
import { freePort, type RedisServer, redisMissing, startRedis } from './redis-server';

const missing = redisMissing();
if (missing !== undefined) console.warn(`[sse-redis] fault tests skipped: ${missing}`);

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function redis(options: { persist?: boolean } = {}): Promise<RedisServer> {
  const server = await startRedis(options);
  cleanup.push(() => server.stop());
  return server;
}

async function plinth(redisUrl: string): Promise<PlinthProcess> {
  const process_ = await startPlinth(redisUrl);
  cleanup.push(() => process_.kill());
  return process_;
}

function stream(url: string, headers: Record<string, string> = {}): RawStream {
  const opened = openRaw(url, headers);
  cleanup.push(() => opened.destroy());
  return opened;
}

const data = (s: RawStream): string[] =>
  s.events.filter((event) => event.event === undefined).map((event) => event.data);

describe.skipIf(missing !== undefined)('Redis killed and restarted with its data (SIGKILL)', () => {
  it('keeps streams open with heartbeats, fails publishes fast, then every process resumes after its last id: exactly once', async () => {
    const server = await redis({ persist: true });
    const [a, b] = [await plinth(server.url), await plinth(server.url)];
    const onA = stream(`${a.url}/topics/room/events`);
    const onB = stream(`${b.url}/topics/room/events`);
    expect([await onA.status, await onB.status]).toEqual([200, 200]);
    for (let i = 1; i <= 3; i++) await publish(a.url, 'room', `before-${i}`);
    await onB.until(() => data(onB).length === 3, 5000, 'three events on B');

    // B stops (its blocked read stays in its socket) while Redis is killed.
    b.child.kill('SIGSTOP');
    cleanup.push(() => void b.child.kill('SIGCONT'));
    await server.kill('SIGKILL');
    const heartbeats = onA.comments.length;
    const started = performance.now();
    const failed = await post(a.url, 'room', 'while-down');
    const tookMs = performance.now() - started;
    expect(failed.status).toBe(503);
    expect(failed.body).toContain(`redis://127.0.0.1:${server.port}`);
    expect(failed.body).not.toMatch(/^ERR|WRONGTYPE/);
    expect(tookMs).toBeLessThan(2000); // at once; room for a loaded machine
    // The stream of A stays open: heartbeats go on.
    await onA.until(() => onA.comments.length >= heartbeats + 2, 5000, 'heartbeats on A');
    expect(onA.isClosed()).toBe(false);

    await server.restart();
    // A reconnects by itself (backing off up to 1 s): retry while it answers 503.
    const ids: string[] = [];
    const deadline = performance.now() + 10_000;
    for (let i = 1; i <= 3; ) {
      const result = await post(a.url, 'room', `after-${i}`);
      if (result.status === 201) {
        ids.push((JSON.parse(result.body) as { id: string }).id);
        i++;
        continue;
      }
      expect(result.status).toBe(503);
      if (performance.now() > deadline) throw new Error('A did not reconnect to Redis');
      await new Promise((resolve) => setTimeout(resolve, 20)); // the next attempt, not an event
    }
    // B wakes up: its connections died while it slept; it reconnects and reads the
    // events published meanwhile from the stream, after the last id it delivered.
    b.child.kill('SIGCONT');
    const expected = ['before-1', 'before-2', 'before-3', 'after-1', 'after-2', 'after-3'];
    await onA.until(() => data(onA).length >= 6, 10_000, 'six events on A');
    await onB.until(() => data(onB).length >= 6, 10_000, 'six events on B');
    // One more event proves nothing else was on its way.
    await publish(a.url, 'room', 'last');
    await onA.until(() => data(onA).length >= 7, 5000, 'the last event on A');
    await onB.until(() => data(onB).length >= 7, 5000, 'the last event on B');
    expect(data(onA)).toEqual([...expected, 'last']);
    expect(data(onB)).toEqual([...expected, 'last']);
    expect(onA.events.filter((event) => event.event === 'reset')).toEqual([]);
    expect(onB.events.filter((event) => event.event === 'reset')).toEqual([]);
    expect(onB.events.slice(3, 6).map((event) => event.id)).toEqual(ids);
    expect([onA.isClosed(), onB.isClosed()]).toEqual([false, false]);
  });
});

describe.skipIf(missing !== undefined)('Redis restarted empty', () => {
  it('gives resuming clients the reset event, never the new history under old ids', async () => {
    const server = await redis();
    const a = await plinth(server.url);
    const source = new EventSource(`${a.url}/topics/room/events`);
    cleanup.push(() => source.close());
    const received: string[] = [];
    const resets: { id: string; data: string }[] = [];
    let wake: () => void = () => {};
    source.onmessage = (event) => {
      received.push(event.data);
      wake();
    };
    source.addEventListener('reset', (event) => {
      resets.push({ id: event.lastEventId, data: event.data });
      wake();
    });
    const until = (check: () => boolean, what: string): Promise<void> =>
      within(
        new Promise<void>((resolve) => {
          wake = () => check() && resolve();
          wake();
        }),
        10_000,
        what,
      );
    await within(
      new Promise((resolve) => source.addEventListener('open', resolve, { once: true })),
      5000,
      'the stream',
    );
    const before = await publish(a.url, 'room', 'one');
    await until(() => received.length === 1, 'the first event');

    await server.kill('SIGKILL');
    await server.restart(); // no persistence: empty
    await until(() => resets.length === 1, 'the reset event');
    expect(JSON.parse(resets[0]!.data)).toEqual({ lastEventId: before });
    expect(resets[0]!.id.split('_')[0]).not.toBe(before.split('_')[0]); // a new epoch

    // Live again, in the new history.
    const after = await publish(a.url, 'room', 'two');
    await until(() => received.length === 2, 'the next event');
    expect(received).toEqual(['one', 'two']);
    expect(after.split('_')[0]).toBe(resets[0]!.id.split('_')[0]);
  });

  it('FLUSHALL: a client resuming with an id of the old history gets the reset event', async () => {
    const server = await redis();
    const a = await plinth(server.url);
    const old = await publish(a.url, 'room', 'one');
    const flushed = await fetchRedis(server.port, ['FLUSHALL']);
    expect(flushed).toContain('OK');
    await publish(a.url, 'room', 'two'); // a new history, ids newer than the old one
    const resumed = stream(`${a.url}/topics/room/events`, { 'last-event-id': old });
    await resumed.until(() => resumed.events.length >= 1, 5000, 'the first event');
    expect(resumed.events[0]!.event).toBe('reset');
    expect(data(resumed)).toEqual([]);
  });
});

describe.skipIf(missing !== undefined)('FLUSHALL while streaming', () => {
  it('the live stream ends when an entry of another epoch arrives; the client resumes and gets the reset event', async () => {
    const server = await redis();
    const a = await plinth(server.url);
    const before = await publish(a.url, 'room', 'one');
    const live = stream(`${a.url}/topics/room/events`, { 'last-event-id': before });
    expect(await live.status).toBe(200);
    await publish(a.url, 'room', 'two');
    await live.until(() => data(live).length === 1, 5000, 'the live event');
    const last = live.events.at(-1)!.id!;
    expect(await fetchRedis(server.port, ['FLUSHALL'])).toContain('OK');
    const after = await publish(a.url, 'room', 'three'); // a new epoch
    await within(live.closed, 5000, 'the live stream to end');
    expect(data(live)).toEqual(['two']); // never 'three' under the old history
    const resumed = stream(`${a.url}/topics/room/events`, { 'last-event-id': last });
    await resumed.until(() => resumed.events.length >= 1, 5000, 'the reset');
    expect(resumed.events[0]).toMatchObject({ event: 'reset', id: after });
  });
});

/** Sends one command over a raw socket (inline protocol) and returns the reply text. */
async function fetchRedis(port: number, command: string[]): Promise<string> {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.write(`${command.join(' ')}\r\n`);
  const [reply] = (await new Promise((resolve) =>
    socket.once('data', (chunk) => resolve([chunk])),
  )) as [Buffer];
  socket.destroy();
  return reply.toString();
}

describe.skipIf(missing !== undefined)('a Plinth process killed mid-stream', () => {
  it('its clients reconnect to another process with Last-Event-ID and get exactly what they missed', async () => {
    const server = await redis();
    const [a, b] = [await plinth(server.url), await plinth(server.url)];
    // The client's "load balancer": A until it dies, then B.
    let target = a.url;
    const source = new EventSource(`${a.url}/topics/room/events`, {
      fetch: (input, init) => fetch(String(input).replace(/^http:\/\/[^/]+/, target), init),
    });
    cleanup.push(() => source.close());
    const received: { id: string; data: string }[] = [];
    let opens = 0;
    source.addEventListener('open', () => opens++);
    source.onmessage = (event) => received.push({ id: event.lastEventId, data: event.data });
    await within(
      new Promise((resolve) => source.addEventListener('open', resolve, { once: true })),
      5000,
      'the stream',
    );
    // Publish through B without pause while A is killed.
    const published: { id: string; data: string }[] = [];
    let publishing = true;
    const publisher = (async () => {
      for (let i = 1; publishing; i++) {
        published.push({ id: await publish(b.url, 'room', `m${i}`), data: `m${i}` });
      }
    })();
    cleanup.push(async () => {
      publishing = false;
      await publisher.catch(() => {});
    });
    const waitFor = async (check: () => boolean, what: string): Promise<void> => {
      const deadline = performance.now() + 15_000;
      while (!check()) {
        if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 5)); // polls a counter, bounded
      }
    };
    await waitFor(() => received.length >= 20, '20 events from A');
    target = b.url;
    await a.kill('SIGKILL');
    const atKill = received.length;
    await waitFor(() => opens >= 2 && received.length >= atKill + 20, 'the resume on B');
    publishing = false;
    await publisher;
    await waitFor(() => received.length >= published.length, 'every published event');
    expect(received).toEqual(published);
  });
});

describe.skipIf(missing !== undefined)('Redis unreachable at start-up', () => {
  it('refused: the process exits at once with an error naming the address', async () => {
    const port = await freePort();
    const started = performance.now();
    const { line, exited } = await spawnPlinth(`redis://127.0.0.1:${port}`);
    expect(line.code).toBe('CONNECT_FAILED');
    expect(line.error).toContain(`redis://127.0.0.1:${port}`);
    expect(await exited).toBe(3);
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  it('silent (accepts, never answers): fails after the connect timeout, not a hang', async () => {
    const sockets: net.Socket[] = [];
    const silent = net.createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    cleanup.push(
      () =>
        new Promise<void>((resolve) => {
          for (const socket of sockets) socket.destroy();
          silent.close(() => resolve());
        }),
    );
    const { port } = silent.address() as net.AddressInfo;
    const { line, exited } = await spawnPlinth(`redis://127.0.0.1:${port}`);
    expect(line.code).toBe('CONNECT_FAILED');
    expect(line.error).toContain(`redis://127.0.0.1:${port}`);
    expect(await exited).toBe(3);
  });
});

describe.skipIf(missing !== undefined)('hostile input', () => {
  let server: RedisServer;
  let a: PlinthProcess;
  let epoch: string;
  beforeAll(async () => {
    server = await startRedis();
    a = await startPlinth(server.url);
    epoch = (await publish(a.url, 'room', 'one')).split('_')[0]!;
    return async () => {
      await a.kill();
      await server.stop();
    };
  });

  it('malformed or hostile Last-Event-ID values get the reset event, never a 5xx or a Redis error', async () => {
    const values = [
      'x',
      '0',
      '0-0',
      '$',
      '+',
      '-',
      '>',
      '*',
      '(0-0',
      `${epoch}_`,
      `${epoch}_1`,
      `${epoch}_-1-0`,
      `${epoch}_99999999999999999999-0`,
      `${epoch}_18446744073709551616-0`,
      `${epoch}_18446744073709551615-18446744073709551615`,
      `zzzzzzzz_1-0`,
      `${epoch}_1-0x`,
      `${epoch.toUpperCase()}_1-0`,
      'a'.repeat(8000),
      `${epoch}_${'9'.repeat(5000)}-0`,
      "'; FLUSHALL; --",
      '{room}:s',
    ];
    for (const value of values) {
      const s = stream(`${a.url}/topics/room/events`, { 'last-event-id': value });
      expect(await s.status, value).toBe(200);
      await s.until(() => s.events.length >= 1, 5000, `the reset for ${value.slice(0, 40)}`);
      expect(s.events[0]!.event, value).toBe('reset');
      expect(s.text()).not.toMatch(/ERR |WRONGTYPE|NOSCRIPT/);
      s.destroy();
    }
  });

  it('bad, huge and unknown topic names: 4xx or the reset event, never a 5xx', async () => {
    const bad = [
      'a%7Bb%7D',
      '%2A',
      'a%20b',
      'x'.repeat(129),
      'x'.repeat(20_000),
      '%00',
      '%E0%A4%A',
      '..%2F..',
    ];
    for (const topic of bad) {
      const response = await fetch(`${a.url}/topics/${topic}/events`);
      expect(response.status, topic.slice(0, 40)).toBeGreaterThanOrEqual(400);
      expect(response.status, topic.slice(0, 40)).toBeLessThan(500);
      expect(await response.text()).not.toMatch(/ERR |WRONGTYPE/);
      const published = await post(a.url, topic, 'x');
      expect(published.status).toBeGreaterThanOrEqual(400);
      expect(published.status).toBeLessThan(500);
    }
    // An unknown (never used) topic: a resuming client gets the reset event.
    const unknown = stream(`${a.url}/topics/never-used/events`, {
      'last-event-id': `${epoch}_1-0`,
    });
    expect(await unknown.status).toBe(200);
    await unknown.until(() => unknown.events.length >= 1, 5000, 'the reset');
    expect(unknown.events[0]!.event).toBe('reset');
  });
});
