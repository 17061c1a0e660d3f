import { responseFor } from '@plinth/node/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { curl, openSse, type StartedDemo, startDemo } from '../test/helpers';
import { CHAT_BODY_LIMIT, CHAT_HISTORY, type ChatMessage, validateMessage } from './chat';

function post(url: string, body: unknown, type = 'application/json'): Promise<Response> {
  return fetch(`${url}/chat/messages`, {
    method: 'POST',
    headers: { 'content-type': type },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

describe('validateMessage', () => {
  it('trims and keeps user and text', () => {
    expect(validateMessage({ user: ' ada ', text: 'hi' })).toEqual({ user: 'ada', text: 'hi' });
  });

  it.each([
    [null, 'the body must be a JSON object { "user": string, "text": string }, got null'],
    [[1], 'the body must be a JSON object { "user": string, "text": string }, got an array'],
    ['hi', 'the body must be a JSON object { "user": string, "text": string }, got "hi"'],
    [{ user: 'a' }, 'text must be a string, got undefined'],
    [{ user: 1, text: 'x' }, 'user must be a string, got 1'],
    [{ user: '  ', text: 'x' }, 'user must not be empty'],
    [{ user: 'a'.repeat(33), text: 'x' }, 'user must be at most 32 characters, got 33'],
    [{ user: 'a', text: 'x'.repeat(501) }, 'text must be at most 500 characters, got 501'],
    [
      { user: 'a', text: 'x', admin: true },
      'unknown field "admin": only "user" and "text" are allowed',
    ],
  ])('refuses %j', (body, message) => {
    expect(() => validateMessage(body)).toThrow(message);
  });
});

describe('chat over HTTP', () => {
  let app: StartedDemo;
  beforeAll(async () => {
    app = await startDemo({ chat: { heartbeatMs: 100 } });
  });
  afterAll(() => app.stop());

  it('publishes a posted message to every open stream', async () => {
    const a = await openSse(`${app.url}/chat/events`);
    const b = await openSse(`${app.url}/chat/events`);
    try {
      const response = await post(app.url, { user: 'ada', text: 'hello' });
      expect(response.status).toBe(201);
      const answer = (await response.json()) as ChatMessage & { id: string };
      expect(answer).toMatchObject({ user: 'ada', text: 'hello' });
      for (const sse of [a, b]) {
        await sse.until((r) => r.events.some((e) => e.id === answer.id));
        const event = sse.events.find((e) => e.id === answer.id)!;
        expect(event.event).toBeUndefined(); // the browser's "message" event
        expect(JSON.parse(event.data)).toEqual({ user: 'ada', text: 'hello', time: answer.time });
      }
      expect(a.retries[0]).toBe(1000);
    } finally {
      a.close();
      b.close();
    }
  });

  it('replays what a client missed after Last-Event-ID, then goes live, none twice', async () => {
    const ids: string[] = [];
    for (const text of ['one', 'two', 'three']) {
      const answer = (await (await post(app.url, { user: 'bob', text })).json()) as { id: string };
      ids.push(answer.id);
    }
    const sse = await openSse(`${app.url}/chat/events`, { 'last-event-id': ids[0]! });
    try {
      await sse.until((r) => r.events.length >= 2);
      await post(app.url, { user: 'bob', text: 'four' });
      await sse.until((r) => r.events.length >= 3);
      expect(sse.events.map((e) => JSON.parse(e.data).text)).toEqual(['two', 'three', 'four']);
      expect(sse.events.slice(0, 2).map((e) => e.id)).toEqual(ids.slice(1));
    } finally {
      sse.close();
    }
  });

  it('shows a first-time client the recent history', async () => {
    const fresh = await startDemo();
    try {
      for (let i = 1; i <= CHAT_HISTORY + 5; i++) {
        await fresh.demo.hub.publish({ data: { user: 'bot', text: `m${i}`, time: '' } });
      }
      const sse = await openSse(`${fresh.url}/chat/events`);
      try {
        await sse.until((r) => r.events.length >= CHAT_HISTORY);
        expect(sse.events.map((e) => JSON.parse(e.data).text)).toEqual(
          Array.from({ length: CHAT_HISTORY }, (_, i) => `m${i + 6}`),
        );
      } finally {
        sse.close();
      }
    } finally {
      await fresh.stop();
    }
  });

  it('sends heartbeat comments while nobody writes', async () => {
    const sse = await openSse(`${app.url}/chat/events`);
    try {
      await sse.until((r) => r.comments.length >= 1);
      expect(sse.comments.length).toBeGreaterThanOrEqual(1);
    } finally {
      sse.close();
    }
  });

  it.each([
    ['{"user":"a"}', 'text must be a string, got undefined'],
    ['{"user":"","text":"x"}', 'user must not be empty'],
    ['[]', 'the body must be a JSON object'],
    ['{"user":"a","text":"x","extra":1}', 'unknown field "extra"'],
  ])('answers 400 with the reason for %s (curl)', async (body, reason) => {
    const { status, body: text } = await curl([
      '-H',
      'content-type: application/json',
      '--data-binary',
      body,
      `${app.url}/chat/messages`,
    ]);
    expect(status).toBe(400);
    expect(text).toContain(reason);
  });

  it('answers 400 for a body that is not JSON', async () => {
    const response = await post(app.url, '{"user": "a", ');
    expect(response.status).toBe(400);
  });

  it('answers 415 for a body that is not declared as JSON', async () => {
    const response = await post(app.url, 'user=a&text=b', 'application/x-www-form-urlencoded');
    expect(response.status).toBe(415);
    expect(await response.text()).toContain('send Content-Type: application/json');
  });

  it(`answers 413 for a body over ${CHAT_BODY_LIMIT} bytes`, async () => {
    const response = await post(app.url, { user: 'a', text: 'x'.repeat(CHAT_BODY_LIMIT) });
    expect(response.status).toBe(413);
  });

  it('accepts a message through the in-process test client', async () => {
    const response = await responseFor(app.demo.service, 'POST', '/chat/messages', {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: 'cy', text: 'in process' }),
    });
    expect(response.status).toBe(201);
    expect(JSON.parse(response.body)).toMatchObject({ user: 'cy', text: 'in process' });
  });
});
