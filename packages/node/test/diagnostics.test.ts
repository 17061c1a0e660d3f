// Issue 21: the adapter's diagnostics channels, observed over real sockets: one
// message per request from start to finish or abort, with status, bytes, time to
// first and last byte and the abort reason; a store bound to the request's
// TracingChannel is active in every interceptor stage and inside a body's producer.
// One file: every test reads the same recorder of the five channels, and the access
// log is the same measurements written as a line.
import { AsyncLocalStorage } from 'node:async_hooks';
import dc from 'node:diagnostics_channel';
import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { NODE_CHANNELS, type PlinthServer, type RequestMessage } from '../src/index';
import { PROTOCOLS, serve, waitFor } from './helpers';

interface Seen {
  event: 'start' | 'end' | 'head' | 'finish' | 'abort';
  message: RequestMessage;
  at: number;
}

const subscriptions: (() => void)[] = [];
let server: PlinthServer | undefined;

afterEach(async () => {
  for (const off of subscriptions.splice(0)) off();
  await server?.stop({ graceMs: 0 });
  server = undefined;
});

function subscribe(name: string, fn: (message: unknown) => void): void {
  dc.subscribe(name, fn);
  subscriptions.push(() => dc.unsubscribe(name, fn));
}

function record(): Seen[] {
  const seen: Seen[] = [];
  const on = (event: Seen['event']) => (message: unknown) =>
    seen.push({ event, message: message as RequestMessage, at: performance.now() });
  subscribe(`tracing:${NODE_CHANNELS.request}:start`, on('start'));
  subscribe(`tracing:${NODE_CHANNELS.request}:end`, on('end'));
  subscribe(NODE_CHANNELS.head, on('head'));
  subscribe(NODE_CHANNELS.finish, on('finish'));
  subscribe(NODE_CHANNELS.abort, on('abort'));
  return seen;
}

/** GET over a fresh connection; resolves with status, body and when the last byte arrived. */
function get(url: string): Promise<{ status: number; body: string; lastByteAt: number }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode!, body, lastByteAt: performance.now() }),
        );
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

const events = (seen: Seen[]) => seen.map((s) => s.event);

describe('diagnostics channels of @plinth/node', () => {
  it('publishes start, end, head and finish for a response, on one message object', async () => {
    const seen = record();
    ({ server } = await serve([() => ({ status: 201, body: { hello: 'world' } })]));
    const { url } = await server.start();
    const response = await get(`${url}/hello`);
    expect(response.status).toBe(201);
    await waitFor(() => seen.some((s) => s.event === 'finish'), 'finish');
    expect(events(seen)).toEqual(['start', 'head', 'end', 'finish']);
    const message = seen[0]!.message;
    for (const s of seen) expect(s.message).toBe(message);
    expect(message.request.path).toBe('/hello');
    expect(message.req.method).toBe('GET');
    expect(message.status).toBe(201);
    expect(message.bytes).toBe(Buffer.byteLength('{"hello":"world"}'));
    expect(message.reason).toBeUndefined();
    expect(message.headTime!).toBeGreaterThanOrEqual(message.startTime);
    expect(message.endTime!).toBeGreaterThanOrEqual(message.headTime!);
  });

  for (const protocol of PROTOCOLS) {
    it(`counts the bytes of a streamed body and finishes after its last byte (${protocol.name})`, async () => {
      const seen = record();
      async function* numbers() {
        for (let i = 0; i < 20_000; i++) {
          if (i % 1000 === 0) await new Promise((resolve) => setImmediate(resolve));
          yield i;
        }
      }
      let chainLeftAt = 0;
      ({ server } = await serve(
        [
          {
            leave: (ctx: unknown) => {
              chainLeftAt = performance.now();
              return ctx;
            },
          },
          () => ({ status: 200, body: numbers() }),
        ],
        { http2: protocol.http2 },
      ));
      const { url } = await server.start();
      let received: number;
      if (protocol.http2) {
        const { responseFor } = await import('../src/testing');
        const response = await responseFor(server, 'GET', '/seq');
        received = Buffer.byteLength(response.body);
      } else {
        received = Buffer.byteLength((await get(`${url}/seq`)).body);
      }
      await waitFor(() => seen.some((s) => s.event === 'finish'), 'finish');
      const message = seen.find((s) => s.event === 'finish')!.message;
      expect(message.bytes).toBe(received);
      expect(received).toBeGreaterThan(100_000);
      // The chain left before the generator had produced everything: finish is later.
      expect(message.endTime!).toBeGreaterThan(chainLeftAt);
      expect(events(seen)).toEqual(['start', 'end', 'head', 'finish']);
    });
  }

  it('publishes abort with CLIENT_DISCONNECT when the client leaves mid-body', async () => {
    const seen = record();
    let stopped = false;
    async function* forever() {
      try {
        for (let i = 0; ; i++) {
          await new Promise((resolve) => setImmediate(resolve));
          yield i;
        }
      } finally {
        stopped = true;
      }
    }
    ({ server } = await serve([() => ({ status: 200, body: forever() })]));
    const { url } = await server.start();
    let leftAt = 0;
    await new Promise<void>((resolve, reject) => {
      const req = http.get(`${url}/forever`, { agent: false }, (res) => {
        res.once('data', () => {
          leftAt = performance.now();
          req.destroy();
          resolve();
        });
      });
      req.on('error', () => {});
      req.on('close', resolve);
      setTimeout(() => reject(new Error('no data within 5 s')), 5000).unref();
    });
    await waitFor(() => seen.some((s) => s.event === 'abort'), 'abort');
    const abort = seen.find((s) => s.event === 'abort')!;
    expect(abort.message.reason).toBe('CLIENT_DISCONNECT');
    expect(abort.message.status).toBe(200);
    expect(abort.message.bytes).toBeGreaterThan(0);
    expect(abort.message.endTime!).toBeGreaterThanOrEqual(leftAt);
    expect(events(seen)).not.toContain('finish');
    await waitFor(() => stopped, 'the generator stopped');
  });

  it('publishes abort with BODY_ERROR and the error when a body fails after its head', async () => {
    const seen = record();
    const failure = new Error('the database went away');
    async function* failing() {
      yield 1;
      await new Promise((resolve) => setImmediate(resolve));
      // flush the first element, so the head is committed before the failure
      yield 2;
      throw failure;
    }
    ({ server } = await serve([
      () => ({
        status: 200,
        body: async (sink: { write(s: string): unknown; flush(): void }) => {
          sink.write('[');
          sink.flush();
          for await (const n of failing()) {
            sink.write(String(n));
            sink.flush();
          }
        },
      }),
    ]));
    const { url } = await server.start();
    await expect(get(`${url}/fail`)).rejects.toThrow();
    await waitFor(() => seen.some((s) => s.event === 'abort'), 'abort');
    const message = seen.find((s) => s.event === 'abort')!.message;
    expect(message.reason).toBe('BODY_ERROR');
    expect(message.error).toBe(failure);
    expect(message.headTime).toBeDefined();
  });

  it('publishes abort with TIMEOUT and the 503 when the chain starts nothing in time', async () => {
    const seen = record();
    ({ server } = await serve([() => new Promise(() => {})], { handlerTimeout: 50 }));
    const { url } = await server.start();
    const response = await get(`${url}/slow`);
    expect(response.status).toBe(503);
    await waitFor(() => seen.some((s) => s.event === 'abort'), 'abort');
    const message = seen.find((s) => s.event === 'abort')!.message;
    expect(message.reason).toBe('TIMEOUT');
    expect(message.status).toBe(503);
    expect(message.bytes).toBe(Buffer.byteLength(response.body));
  });

  it('publishes abort with SERVER_STOP for a response stop() cuts', async () => {
    const seen = record();
    async function* forever() {
      for (let i = 0; ; i++) {
        await new Promise((resolve) => setImmediate(resolve));
        yield i;
      }
    }
    ({ server } = await serve([() => ({ status: 200, body: forever() })]));
    const { url } = await server.start();
    const closed = new Promise<void>((resolve) => {
      const req = http.get(`${url}/forever`, { agent: false }, (res) => {
        res.once('data', () => void server!.stop({ graceMs: 0 }));
        res.on('error', () => {});
      });
      req.on('error', () => {});
      req.on('close', resolve);
    });
    await closed;
    await waitFor(() => seen.some((s) => s.event === 'abort'), 'abort');
    expect(seen.find((s) => s.event === 'abort')!.message.reason).toBe('SERVER_STOP');
  });

  it("publishes the adapter's own answers (404) with their status and bytes", async () => {
    const seen = record();
    ({ server } = await serve([]));
    const { url } = await server.start();
    const response = await get(`${url}/nothing`);
    expect(response.status).toBe(404);
    await waitFor(() => seen.some((s) => s.event === 'finish'), 'finish');
    const message = seen[0]!.message;
    expect(message.status).toBe(404);
    expect(message.bytes).toBe(Buffer.byteLength(response.body));
  });

  it("keeps a store bound to the request's start channel active in every stage and in the producer", async () => {
    const store = new AsyncLocalStorage<string>();
    const start = dc.channel(`tracing:${NODE_CHANNELS.request}:start`);
    start.bindStore(store, (message) => (message as RequestMessage).request.path);
    subscriptions.push(() => start.unbindStore(store));
    const seenIn: Record<string, string | undefined> = {};
    const tick = () => new Promise((resolve) => setTimeout(resolve, 1));
    async function* produce() {
      seenIn.producerStart = store.getStore();
      await tick();
      seenIn.producerAfterAwait = store.getStore();
      yield 1;
      await tick();
      seenIn.producerLater = store.getStore();
      yield 2;
    }
    ({ server } = await serve([
      {
        enter: async (ctx: unknown) => {
          await tick();
          seenIn.enter = store.getStore();
          return ctx;
        },
        leave: async (ctx: unknown) => {
          await tick();
          seenIn.leave = store.getStore();
          return ctx;
        },
      },
      () => ({ status: 200, body: produce() }),
    ]));
    const { url } = await server.start();
    expect(store.getStore()).toBeUndefined();
    const [a, b] = await Promise.all([get(`${url}/one`), get(`${url}/two`)]);
    expect(a.body).toBe('[1,2]');
    expect(b.body).toBe('[1,2]');
    const last = await get(`${url}/three`);
    expect(last.body).toBe('[1,2]');
    expect(seenIn).toEqual({
      enter: '/three',
      leave: '/three',
      producerStart: '/three',
      producerAfterAwait: '/three',
      producerLater: '/three',
    });
  });

  it('publishes nothing and builds no message when nothing listens', async () => {
    expect(dc.channel(NODE_CHANNELS.finish).hasSubscribers).toBe(false);
    let ctxSeen: object | undefined;
    ({ server } = await serve([
      {
        leave: (ctx: object) => {
          ctxSeen = ctx;
          return ctx;
        },
      },
      () => ({ status: 200, body: 'ok' }),
    ]));
    const { url } = await server.start();
    expect((await get(url)).body).toBe('ok');
    // The exchange (the context's responder) carries no trace: nothing was built.
    const exchange = Object.getOwnPropertySymbols(ctxSeen!)
      .map((s) => (ctxSeen as Record<symbol, unknown>)[s])
      .find((v): v is { trace: unknown } => v !== null && typeof v === 'object' && 'trace' in v);
    expect(exchange).toBeDefined();
    expect(exchange!.trace).toBeUndefined();
  });
});

describe('access log', () => {
  it('logs one info line per response with status, bytes, TTFB, duration and end reason', async () => {
    const probe = await serve([() => ({ status: 200, body: 'hello' })], { accessLog: true });
    server = probe.server;
    const { url } = await server.start();
    await get(`${url}/a?b=1`);
    await waitFor(
      () => probe.logger.at('info').some((e) => e.msg === 'request completed'),
      'access log line',
    );
    const lines = probe.logger.at('info').filter((e) => e.msg === 'request completed');
    expect(lines).toHaveLength(1);
    const line = lines[0]!.obj;
    expect(line).toMatchObject({
      method: 'GET',
      url: '/a?b=1',
      status: 200,
      bytes: 5,
      end: 'FINISHED',
    });
    expect(typeof line.ttfbMs).toBe('number');
    expect(line.durationMs as number).toBeGreaterThanOrEqual(line.ttfbMs as number);
  });

  it('says CLIENT_DISCONNECT for a client that left mid-body', async () => {
    async function* forever() {
      for (let i = 0; ; i++) {
        await new Promise((resolve) => setImmediate(resolve));
        yield i;
      }
    }
    const probe = await serve([() => ({ status: 200, body: forever() })], { accessLog: true });
    server = probe.server;
    const { url } = await server.start();
    await new Promise<void>((resolve) => {
      const req = http.get(`${url}/`, { agent: false }, (res) => {
        res.once('data', () => req.destroy());
      });
      req.on('error', () => {});
      req.on('close', resolve);
    });
    await waitFor(
      () => probe.logger.at('info').some((e) => e.msg === 'request completed'),
      'access log line',
    );
    const line = probe.logger.at('info').find((e) => e.msg === 'request completed')!.obj;
    expect(line.end).toBe('CLIENT_DISCONNECT');
    expect(line.status).toBe(200);
  });

  it('is off by default and refuses a non-boolean', async () => {
    const probe = await serve([() => ({ status: 200, body: 'hello' })]);
    server = probe.server;
    const { url } = await server.start();
    await get(`${url}/`);
    expect(probe.logger.entries.filter((e) => e.msg === 'request completed')).toEqual([]);
    await expect(serve([], { accessLog: 'yes' as never })).rejects.toThrow(
      /options.accessLog must be a boolean/,
    );
  });
});
