// eventStream over real sockets (HTTP/1.1 and h2c), parsed with eventsource-parser.
import http from 'node:http';
import http2 from 'node:http2';
import { afterEach, describe, expect, it } from 'vitest';
import { type CloseReason, eventStream, SseError } from '../src/index';
import { deferred, openStream, PROTOCOLS, type Served, serve, within } from './net';

let served: Served | undefined;
afterEach(async () => {
  await served?.stop(200);
  served = undefined;
});

describe.each(PROTOCOLS)('eventStream over %s', (protocol) => {
  it("Pedestal's cases: headers, three named events with ids, multi-line data, completion", async () => {
    served = await serve(
      [
        eventStream(
          async (channel) => {
            await channel.send({ event: 'first', id: 1, data: 'one' });
            await channel.send({ event: 'second', id: 2, data: 'two\nlines' });
            await channel.send({ event: 'third', id: 3, data: 'three\r\nlines\rhere' });
            channel.close();
          },
          { heartbeatMs: 0 },
        ),
      ],
      protocol,
    );
    const client = openStream(served.url, '/events', protocol);
    const { status, headers } = await client.response;
    expect(status).toBe(200);
    expect(headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(headers['cache-control']).toBe('no-cache, no-transform');
    expect(headers['x-accel-buffering']).toBe('no');
    // No Connection header of ours: this client (no agent) asked to close, and the
    // adapter honours it (keep-alive is tested in connection.test.ts).
    expect(headers.connection).toBe(protocol === 'http/1.1' ? 'close' : undefined);
    expect(headers['content-length']).toBeUndefined();
    await within(client.ended, 2000, 'the stream to complete');
    expect(client.events).toEqual([
      { event: 'first', id: '1', data: 'one' },
      { event: 'second', id: '2', data: 'two\nlines' },
      { event: 'third', id: '3', data: 'three\nlines\nhere' },
    ]);
    expect(await client.closed).toEqual({ clean: true });
    expect(served.logs.filter((l) => l.level === 'error')).toEqual([]);
  });

  it('puts the headers on the wire before any event', async () => {
    const go = deferred();
    served = await serve(
      [
        eventStream(
          async (channel) => {
            await go.promise;
            await channel.send({ data: 'now' });
          },
          { heartbeatMs: 0 },
        ),
      ],
      protocol,
    );
    const client = openStream(served.url, '/', protocol);
    const { status } = await within(client.response, 2000, 'headers');
    expect(status).toBe(200);
    expect(client.events).toEqual([]);
    go.resolve();
    await client.waitForEvents(1);
    expect(client.events[0]?.data).toBe('now');
    client.destroy();
  });

  it('a slow onReady never delays events it sent meanwhile; retry goes first', async () => {
    const never = new Promise<void>(() => {});
    served = await serve(
      [
        eventStream(
          async (channel) => {
            void channel.send({ data: 'before the slow part' });
            await never;
          },
          { heartbeatMs: 0, retry: 2500 },
        ),
      ],
      protocol,
    );
    const client = openStream(served.url, '/', protocol);
    await client.waitForEvents(1);
    expect(client.retries).toEqual([2500]);
    client.destroy();
  });

  it('merges headers from ctx.response (CORS) and options; the content type stays', async () => {
    const stream = eventStream(
      (channel) => {
        void channel.send({ data: 'x' });
        channel.close();
      },
      { heartbeatMs: 0, headers: { 'X-Extra': 'yes', 'Content-Type': 'text/plain' } },
    );
    const cors = {
      name: 'cors-then-stream',
      enter: (ctx: Record<string, unknown>) =>
        stream.enter!({
          ...ctx,
          response: { headers: { 'Access-Control-Allow-Origin': 'https://example.test' } },
        } as never),
    };
    served = await serve([cors], protocol);
    const client = openStream(served.url, '/', protocol);
    const { headers } = await client.response;
    expect(headers['access-control-allow-origin']).toBe('https://example.test');
    expect(headers['x-extra']).toBe('yes');
    expect(headers['content-type']).toBe('text/event-stream; charset=utf-8');
    await within(client.ended, 2000, 'the end');
  });

  it('answers HEAD with the headers only: onReady never runs, the stream still ends once', async () => {
    let readyCalls = 0;
    const ended = deferred<CloseReason>();
    served = await serve(
      [
        eventStream(() => void readyCalls++, {
          heartbeatMs: 0,
          onClientDisconnect: (_ctx, reason) => ended.resolve(reason),
        }),
      ],
      protocol,
    );
    const status = await new Promise<number>((resolve, reject) => {
      if (protocol === 'http/1.1') {
        const req = http.request(`${served!.url}/`, { method: 'HEAD', agent: false }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', reject);
        req.end();
      } else {
        const session = http2.connect(served!.url);
        const stream = session.request({ ':method': 'HEAD', ':path': '/' });
        let code = 0;
        stream.on('response', (h) => (code = Number(h[':status'])));
        stream.resume();
        stream.on('end', () => {
          session.close();
          resolve(code);
        });
        stream.on('error', reject);
      }
    });
    expect(status).toBe(200);
    expect((await within(ended.promise, 2000, 'the end')).code).toBe('CLOSED');
    expect(readyCalls).toBe(0);
  });

  it('passes Last-Event-ID to the channel', async () => {
    const seen = deferred<string | undefined>();
    served = await serve(
      [eventStream((channel) => seen.resolve(channel.lastEventId), { heartbeatMs: 0 })],
      protocol,
    );
    const client = openStream(served.url, '/', protocol, { 'last-event-id': '41' });
    expect(await within(seen.promise, 2000, 'onReady')).toBe('41');
    client.destroy();
  });

  it('heartbeat: a comment after heartbeatMs of idleness, none while events flow', async () => {
    const busyDone = deferred();
    served = await serve(
      [
        eventStream(
          async (channel) => {
            // Busy for 400 ms: an event every 5 ms, far under the 150 ms heartbeat.
            const until = performance.now() + 400;
            while (performance.now() < until) {
              await channel.send({ data: 'busy' });
              await new Promise((resolve) => setTimeout(resolve, 5));
            }
            busyDone.resolve();
          },
          { heartbeatMs: 150 },
        ),
      ],
      protocol,
    );
    const client = openStream(served.url, '/', protocol);
    await within(busyDone.promise, 3000, 'the busy phase');
    expect(client.events.length).toBeGreaterThan(10);
    expect(client.comments).toEqual([]);
    const idleFrom = performance.now();
    await client.waitForComments(2, 3000);
    // Two heartbeats, each after at least 150 ms of silence.
    expect(performance.now() - idleFrom).toBeGreaterThanOrEqual(250);
    expect(client.comments).toEqual(['', '']);
    client.destroy();
  });

  it('notices a client that leaves within 100 ms, without writing anything', async () => {
    const ready = deferred();
    const ended = deferred<{ reason: CloseReason; at: number }>();
    let calls = 0;
    served = await serve(
      [
        eventStream(() => ready.resolve(), {
          heartbeatMs: 0,
          onClientDisconnect: (_ctx, reason) => {
            calls++;
            ended.resolve({ reason, at: performance.now() });
          },
        }),
      ],
      protocol,
    );
    const client = openStream(served.url, '/', protocol);
    await client.response;
    await ready.promise;
    const leftAt = performance.now();
    client.destroy();
    const { reason, at } = await within(ended.promise, 1000, 'onClientDisconnect');
    expect(reason.code).toBe('CLIENT_DISCONNECT');
    expect(at - leftAt).toBeLessThan(100);
    expect(calls).toBe(1);
    expect(served.logs.filter((l) => l.level === 'error')).toEqual([]);
  });

  it('refuses event injection: the bad send rejects naming the field, the stream goes on', async () => {
    const results = deferred<unknown[]>();
    served = await serve(
      [
        eventStream(
          async (channel) => {
            const outcomes: unknown[] = [];
            for (const bad of [
              { event: 'message\ndata: injected', data: 'x' },
              { id: '1\n\ndata: injected', data: 'x' },
              { event: 'a\rb', data: 'x' },
              { id: 'nul\0', data: 'x' },
            ]) {
              outcomes.push(await channel.send(bad).catch((e: unknown) => e));
            }
            results.resolve(outcomes);
            await channel.send({ event: 'ok', data: 'clean' });
            channel.close();
          },
          { heartbeatMs: 0 },
        ),
      ],
      protocol,
    );
    const client = openStream(served.url, '/', protocol);
    await within(client.ended, 2000, 'the end');
    const outcomes = await results.promise;
    expect(outcomes.map((e) => SseError.isError(e) && [e.code, e.field])).toEqual([
      ['INVALID_EVENT', 'event'],
      ['INVALID_EVENT', 'id'],
      ['INVALID_EVENT', 'event'],
      ['INVALID_EVENT', 'id'],
    ]);
    expect(client.events).toEqual([{ event: 'ok', id: undefined, data: 'clean' }]);
  });

  it('an async generator returned by onReady streams its events; completion ends the stream', async () => {
    served = await serve(
      [
        eventStream(
          async function* (channel) {
            yield { data: `last id was ${channel.lastEventId}` };
            for (let i = 1; i <= 3; i++) yield { id: i, data: String(i) };
          },
          { heartbeatMs: 0 },
        ),
      ],
      protocol,
    );
    const client = openStream(served.url, '/', protocol, { 'last-event-id': '0' });
    await within(client.ended, 2000, 'the end');
    expect(client.events.map((e) => e.data)).toEqual(['last id was 0', '1', '2', '3']);
  });
});

describe.each(PROTOCOLS)('onClientDisconnect is called exactly once, over %s', (protocol) => {
  function counting() {
    const reasons: string[] = [];
    const first = deferred<CloseReason>();
    return {
      reasons,
      first: first.promise,
      onClientDisconnect: (_ctx: unknown, reason: CloseReason) => {
        reasons.push(reason.code);
        first.resolve(reason);
      },
    };
  }

  it('when the application calls close() (and later the client leaves)', async () => {
    const count = counting();
    served = await serve(
      [eventStream((channel) => channel.close(), { heartbeatMs: 0, ...count })],
      protocol,
    );
    const client = openStream(served.url, '/', protocol);
    await within(client.ended, 2000, 'the end');
    client.destroy();
    await client.closed;
    expect((await count.first).code).toBe('CLOSED');
    await served.stop(200);
    expect(count.reasons).toEqual(['CLOSED']);
  });

  it('when the client leaves (and later the application closes)', async () => {
    const count = counting();
    const channelReady = deferred<{ close(): void }>();
    served = await serve(
      [eventStream((channel) => channelReady.resolve(channel), { heartbeatMs: 0, ...count })],
      protocol,
    );
    const client = openStream(served.url, '/', protocol);
    const channel = await channelReady.promise;
    client.destroy();
    expect((await within(count.first, 1000, 'the call')).code).toBe('CLIENT_DISCONNECT');
    channel.close();
    await served.stop(200);
    expect(count.reasons).toEqual(['CLIENT_DISCONNECT']);
  });

  it('when onReady throws, or its promise rejects (the connection is aborted)', async () => {
    for (const fail of [
      () => {
        throw new Error('sync failure');
      },
      async () => {
        await Promise.resolve();
        throw new Error('async failure');
      },
    ]) {
      const count = counting();
      served = await serve([eventStream(fail, { heartbeatMs: 0, ...count })], protocol);
      const client = openStream(served.url, '/', protocol);
      const reason = await within(count.first, 2000, 'the call');
      expect(reason.code).toBe('ERROR');
      expect((reason.error as Error).message).toMatch(/failure/);
      expect(await within(client.closed, 2000, 'the connection to close')).toEqual({
        clean: false,
      });
      await served.stop(200);
      expect(count.reasons).toEqual(['ERROR']);
      // Logged once, as an error.
      expect(served.logs.filter((l) => l.level === 'error')).toHaveLength(1);
      served = undefined;
    }
  });

  it('when the server stops (the client sees a clean end)', async () => {
    const count = counting();
    const ready = deferred();
    served = await serve(
      [eventStream(() => ready.resolve(), { heartbeatMs: 0, ...count })],
      protocol,
    );
    const client = openStream(served.url, '/', protocol);
    await ready.promise;
    await served.stop(2000);
    expect((await count.first).code).toBe('SERVER_STOP');
    expect(await within(client.closed, 2000, 'the end')).toEqual({ clean: true });
    expect(count.reasons).toEqual(['SERVER_STOP']);
    served = undefined;
  });
});
