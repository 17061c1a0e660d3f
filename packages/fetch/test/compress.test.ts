// @plinth/compress in front of the Fetch adapter, over a real socket (Node's, through
// @hono/node-server): its responder wraps the adapter's, and the adapter's own
// interceptors must find theirs behind it (before, every response was a 500).
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import { compress } from '@plinth/compress';
import { router } from '@plinth/router';
import { eventStream } from '@plinth/sse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchHandler } from '../src/index';

const quiet = { error() {}, warn() {}, info() {}, debug() {} };

function* numbers(n: number) {
  for (let i = 0; i < n; i++) yield i;
}

const handler = fetchHandler(
  [
    compress({ ignoreNoTransform: true }),
    router([
      ['/numbers', 'GET', () => ({ status: 200, body: numbers(2000) }), { name: 'numbers' }],
      [
        '/events',
        'GET',
        eventStream((channel) => {
          void channel.send({ id: '1', data: 'x'.repeat(2000) });
        }),
        { name: 'events' },
      ],
    ]),
  ],
  { logger: quiet },
);

let server: Server;
let base = '';
beforeAll(async () => {
  server = createAdaptorServer({ fetch: (request: Request) => handler(request) }) as Server;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

describe('@plinth/compress in front of @plinth/fetch', () => {
  it('compresses a sequence, decoded byte-exact by fetch', async () => {
    const response = await fetch(`${base}/numbers`, { headers: { 'accept-encoding': 'gzip' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-encoding')).toBe('gzip');
    expect(await response.text()).toBe(JSON.stringify([...numbers(2000)]));
  });

  it('compresses an event stream whose first event arrives before the stream ends', async () => {
    const controller = new AbortController();
    const response = await fetch(`${base}/events`, {
      headers: { 'accept-encoding': 'br' },
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-encoding')).toBe('br');
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    while (!text.includes('\n\n')) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
    expect(text).toContain(`id: 1\ndata: ${'x'.repeat(2000)}\n\n`);
    controller.abort();
  });
});
