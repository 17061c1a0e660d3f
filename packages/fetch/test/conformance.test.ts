// The conformance suite of issue 20: the same service, served by @plinth/fetch under
// Node (through @hono/node-server), Bun (Bun.serve) and Deno (Deno.serve), each a
// child process on an ephemeral loopback port, driven from here over real sockets
// with real clients (fetch, node:http, the eventsource package). One piece: every
// case runs against every runtime, in one describe per runtime.
import { rmSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { dirname } from 'node:path';
import { EventSource } from 'eventsource';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BODIES } from './fixture/bodies.mjs';
import { missing, payloadPath, type Runtime, type Served, serve, until } from './runtimes';

const PAYLOAD = payloadPath();
afterAll(() => rmSync(dirname(PAYLOAD), { recursive: true, force: true }));
const RUNTIME_NAMES: Runtime[] = ['node', 'bun', 'deno'];

function bytesOf(expected: string | Uint8Array): Uint8Array {
  return typeof expected === 'string' ? new TextEncoder().encode(expected) : expected;
}

/** GET with node:http; resolves with the response once its head arrived. */
function get(url: string): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { agent: false }, resolve);
    req.on('error', reject);
    req.end();
  });
}

/** Reads a response to its end: its bytes, and whether it ended cleanly or was cut. */
function readAll(res: IncomingMessage): Promise<{ bytes: Buffer; complete: boolean }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let settled = false;
    const done = (complete: boolean): void => {
      if (settled) return;
      settled = true;
      resolve({ bytes: Buffer.concat(chunks), complete });
    };
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => done(res.complete));
    res.on('error', () => done(false));
    res.on('aborted', () => done(false));
    res.on('close', () => done(res.complete && res.readableEnded));
  });
}

async function stats(base: string): Promise<{
  produced: number;
  producedBytes: number;
  finallyRan: number;
  aborted: string[];
}> {
  return (await fetch(`${base}/stats`)).json() as never;
}

for (const runtime of RUNTIME_NAMES) {
  const why = missing(runtime);
  // CI sets PLINTH_REQUIRE_RUNTIMES=1: there a missing runtime fails, never skips.
  const required = process.env.PLINTH_REQUIRE_RUNTIMES === '1';
  if (why !== undefined && required) {
    it(`has ${runtime} to run on`, () => {
      throw new Error(`PLINTH_REQUIRE_RUNTIMES=1 but ${why}`);
    });
  } else if (why !== undefined) {
    console.warn(`conformance on ${runtime} skipped: ${why}`);
  }
  describe.skipIf(why !== undefined)(`@plinth/fetch on ${runtime}`, () => {
    let server: Served;
    beforeAll(async () => {
      server = await serve(runtime, `serve-${runtime}.mjs`, { PLINTH_PAYLOAD: PAYLOAD });
    });
    afterAll(async () => {
      await server?.stop();
    });

    it('sends status and headers, repeated Set-Cookie included', async () => {
      const res = await fetch(`${server.base}/headers`);
      expect(res.status).toBe(201);
      expect(res.headers.get('x-one')).toBe('one');
      expect(res.headers.get('content-type')).toBe('text/x-custom');
      expect(res.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
      expect(await res.text()).toBe('with headers');
    });

    for (const [name, [, expected, type]] of Object.entries(BODIES)) {
      it(`writes the ${name} body byte-exact, with its content type`, async () => {
        const res = await fetch(`${server.base}/body/${name}`);
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toBe(type);
        const bytes = new Uint8Array(await res.arrayBuffer());
        expect(Buffer.from(bytes).equals(Buffer.from(bytesOf(expected)))).toBe(true);
        const length = res.headers.get('content-length');
        if (length !== null) expect(Number(length)).toBe(bytes.byteLength);
      });
    }

    it('gives a file body its length up front', async () => {
      const res = await fetch(`${server.base}/body/file`);
      expect(res.headers.get('content-length')).toBe(String(bytesOf(BODIES.file![1]).byteLength));
      await res.arrayBuffer();
    });

    it('answers HEAD with headers only and 204 without a body', async () => {
      const head = await fetch(`${server.base}/body/string`, { method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(head.headers.get('content-type')).toBe('text/plain; charset=utf-8');
      expect(await head.text()).toBe('');
      const none = await fetch(`${server.base}/no-content`);
      expect(none.status).toBe(204);
      expect(await none.text()).toBe('');
    });

    it('builds the request map from the Fetch request', async () => {
      const res = await fetch(`${server.base}/request?a=1&a=2&b=x+y`, {
        headers: { 'x-test': 'yes' },
      });
      const port = Number(new URL(server.base).port);
      expect(await res.json()).toEqual({
        method: 'GET',
        url: '/request?a=1&a=2&b=x+y',
        path: '/request',
        queryString: 'a=1&a=2&b=x+y',
        query: { a: ['1', '2'], b: 'x y' },
        host: '127.0.0.1',
        port,
        scheme: 'http',
        header: 'yes',
        aborted: false,
      });
    });

    it('answers errors as on Node: 500, a 4xx with its message, 404, 405, 400, 413', async () => {
      const boom = await fetch(`${server.base}/throws`);
      expect(boom.status).toBe(500);
      expect(await boom.text()).toBe('Internal server error');
      const teapot = await fetch(`${server.base}/teapot`);
      expect(teapot.status).toBe(418);
      expect(await teapot.text()).toBe('short and stout');
      expect((await fetch(`${server.base}/nowhere`)).status).toBe(404);
      const wrong = await fetch(`${server.base}/headers`, { method: 'DELETE' });
      expect(wrong.status).toBe(405);
      expect(wrong.headers.get('allow')).toContain('GET');
      expect((await fetch(`${server.base}/request?a=%zz`)).status).toBe(400);
      const bad = await fetch(`${server.base}/bad-header`);
      expect(bad.status).toBe(500);
      await bad.text();
    });

    it('reads request bodies on demand with limits: JSON, malformed JSON, too large', async () => {
      const post = (body: string) =>
        fetch(`${server.base}/echo`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
        });
      const ok = await post('{"x":[1,2]}');
      expect(ok.status).toBe(200);
      expect(await ok.json()).toEqual({ got: { x: [1, 2] } });
      const malformed = await post('{nope');
      expect(malformed.status).toBe(400);
      expect(await malformed.text()).toMatch(/not valid JSON/);
      const large = await post(JSON.stringify({ pad: 'z'.repeat(100) }));
      expect(large.status).toBe(413);
      expect(await large.text()).toMatch(/larger than the limit of 64 bytes/);
    });

    it('streams low-level writes (writeResponse, writeResponseBody, endResponse)', async () => {
      const res = await fetch(`${server.base}/low-level`);
      expect(res.headers.get('content-type')).toBe('text/plain');
      expect(await res.text()).toBe('one,two,[3]');
    });

    it('aborts the response when the body fails after the head', async () => {
      const res = await get(`${server.base}/fail-after-head`);
      expect(res.statusCode).toBe(200);
      const { bytes, complete } = await readAll(res);
      expect(complete).toBe(false);
      expect(bytes.toString()).toBe('["first"');
    });

    it('stops the producer when the client disconnects: its finally runs', async () => {
      const before = (await stats(server.base)).finallyRan;
      const res = await get(`${server.base}/endless`);
      await new Promise<void>((resolve) => res.once('data', () => resolve()));
      res.destroy();
      const after = await until('the producer to stop', async () => {
        const s = await stats(server.base);
        return s.finallyRan > before ? s : undefined;
      });
      expect(after.aborted.at(-1)).toBe('CLIENT_DISCONNECT');
      // Stopped: no more elements are produced.
      const settled = (await stats(server.base)).produced;
      expect((await stats(server.base)).produced).toBe(settled);
    });

    it('keeps memory bounded for a slow reader: production follows consumption', async () => {
      const start = await stats(server.base);
      const res = await get(`${server.base}/endless`);
      let received = 0;
      res.on('data', (c: Buffer) => {
        received += c.byteLength;
      });
      await until('1 MiB read', async () => (received >= 1024 * 1024 ? true : undefined));
      res.pause();
      // The client stopped reading: production stops once the socket buffers are full.
      let last = -1;
      const stalled = await until(
        'production to stall',
        async () => {
          const s = await stats(server.base);
          const same = s.producedBytes === last;
          last = s.producedBytes;
          return same ? s : undefined;
        },
        20_000,
      );
      const ahead = stalled.producedBytes - start.producedBytes - received;
      // What the kernel's socket buffers and the runtime hold, not the endless stream.
      expect(ahead).toBeLessThan(16 * 1024 * 1024);
      res.resume();
      const more = received;
      await until('reading to resume', async () =>
        received > more + 1024 * 1024 ? true : undefined,
      );
      res.destroy();
    });

    it('serves other requests while a fast client reads an endless sequence', async () => {
      const res = await get(`${server.base}/endless`);
      let received = 0;
      res.on('data', (c: Buffer) => {
        received += c.byteLength;
      });
      await until('the sequence to flow', async () => (received > 256 * 1024 ? true : undefined));
      const other = await fetch(`${server.base}/body/string`, {
        signal: AbortSignal.timeout(5000),
      });
      expect(await other.text()).toBe('héllo wörld');
      res.destroy();
    });

    it('serves an event stream to the eventsource client', async () => {
      const source = new EventSource(`${server.base}/events`);
      const got: { id: string; data: string }[] = [];
      await new Promise<void>((resolve, reject) => {
        source.addEventListener('tick', (e) => {
          got.push({ id: e.lastEventId, data: e.data });
          if (got.length === 3) resolve();
        });
        source.onerror = () => {
          if (got.length < 3) reject(new Error('stream failed before three events'));
        };
      });
      source.close();
      expect(got).toEqual([
        { id: '1', data: '{"i":1}' },
        { id: '2', data: '{"i":2}' },
        { id: '3', data: '{"i":3}' },
      ]);
    });

    it('sends heartbeats on an idle event stream', async () => {
      const controller = new AbortController();
      const res = await fetch(`${server.base}/heartbeat`, { signal: controller.signal });
      expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
      const reader = res.body!.getReader();
      let seen = '';
      while ((seen.match(/^:/gm) ?? []).length < 2) {
        const { value, done } = await reader.read();
        if (done) break;
        seen += new TextDecoder().decode(value);
      }
      controller.abort();
      expect((seen.match(/^:/gm) ?? []).length).toBeGreaterThanOrEqual(2);
    });

    it('broadcasts through a hub to an eventsource client', async () => {
      const source = new EventSource(`${server.base}/hub`);
      // Seen open at once, before any event (Bun holds a stream's head until its
      // first byte; the adapter sends an SSE comment there), not at the first heartbeat.
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error('the stream did not open within 5 s')),
          5000,
        );
        source.onopen = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      const received = new Promise<string>((resolve) => {
        source.addEventListener('news', (e) => resolve(e.data));
      });
      const published = await fetch(`${server.base}/publish`, {
        method: 'POST',
        body: JSON.stringify({ event: 'news', data: 'hello all' }),
      });
      expect(published.status).toBe(202);
      expect(await received).toBe('hello all');
      source.close();
    });
  });
}
