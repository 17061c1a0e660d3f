// The Redis rooms of the demo over real HTTP: the token interceptor decides before
// the stream starts (403 without a valid token for the room, 400 for a bad name),
// and the chat log is shared by two demos on one Redis.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSse, type StartedDemo, startDemo } from '../test/helpers';
import { type RedisProcess, redisMissing, startRedis } from '../test/redis';
import { type RedisChat, redisChat, signRoomToken } from './redis-chat';

const missing = redisMissing();
if (missing !== undefined) console.warn(`[demo] Redis room tests skipped: ${missing}`);

describe.skipIf(missing !== undefined)('rooms on Redis, authorised by a signed token', () => {
  let redis: RedisProcess;
  const secret = new TextEncoder().encode('a test secret of at least 32 bytes!!');
  const chats: RedisChat[] = [];
  const demos: StartedDemo[] = [];
  const silent = { error() {}, warn() {}, info() {}, debug() {} };
  beforeAll(async () => {
    redis = await startRedis();
    for (let i = 0; i < 2; i++) {
      const chat = await redisChat(redis.url, silent, secret);
      chats.push(chat);
      demos.push(await startDemo({ chatLog: chat.chatLog, routes: chat.routes }));
    }
  });
  afterAll(async () => {
    for (const demo of demos) await demo.stop();
    for (const chat of chats) await chat.streams.close();
    await redis?.stop();
  });

  it('refuses a stream without a valid token for the room (403), and a bad room name (400)', async () => {
    const [a] = demos;
    const other = await signRoomToken(secret, 'other');
    const forged = await signRoomToken(new TextEncoder().encode('x'.repeat(32)), 'r1');
    for (const query of ['', '?token=', `?token=${other}`, `?token=${forged}`, '?token=abc']) {
      const response = await fetch(`${a!.url}/rooms/r1/events${query}`);
      expect(response.status, query).toBe(403);
      expect(await response.text()).toBe('no valid token for room r1');
    }
    expect((await fetch(`${a!.url}/rooms/a%7Bb%7D/events?token=${other}`)).status).toBe(400);
  });

  it('streams a granted room, and a post on one process reaches a stream on the other', async () => {
    const [a, b] = demos;
    const { token } = (await (
      await fetch(`${a!.url}/rooms/r1/token`, { method: 'POST' })
    ).json()) as {
      token: string;
    };
    const sse = await openSse(`${b!.url}/rooms/r1/events?token=${token}`);
    try {
      expect(sse.response.statusCode).toBe(200);
      const posted = await fetch(`${a!.url}/rooms/r1/messages?token=${token}`, {
        method: 'POST',
        body: 'hello room',
      });
      expect(posted.status).toBe(201);
      await sse.until((r) => r.events.length >= 1);
      expect(sse.events[0]).toMatchObject({ data: 'hello room' });
    } finally {
      sse.close();
    }
  });

  it('shares the chat: a message posted on one process is replayed after Last-Event-ID on the other', async () => {
    const [a, b] = demos;
    const post = (text: string) =>
      fetch(`${a!.url}/chat/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ user: 'ada', text }),
      }).then((response) => response.json() as Promise<{ id: string }>);
    const first = await post('one');
    await post('two');
    const sse = await openSse(`${b!.url}/chat/events`, { 'last-event-id': first.id });
    try {
      await sse.until((r) => r.events.length >= 1);
      expect(sse.events.map((event) => JSON.parse(event.data).text)).toEqual(['two']);
    } finally {
      sse.close();
    }
  });
});
