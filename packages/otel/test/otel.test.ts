// Issue 21, "Proof": the real OpenTelemetry SDK with in-memory exporters, over real
// sockets: spans that end at the last byte or the disconnect, errors after the head,
// children of the request span inside a generator, the HTTP metrics and the SSE
// counters.
// One file: every test shares one SDK set-up (tracer, meter and context manager are
// process-wide globals, registered once).
import http from 'node:http';
import { context, propagation, type Span, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { hrTimeToMilliseconds, W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { createServer, type PlinthServer } from '@plinth/node';
import { router } from '@plinth/router';
import { createHub, eventStream } from '@plinth/sse';
import { createParser } from 'eventsource-parser';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { instrumentPlinth, type PlinthInstrumentation } from '../src/index';

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const appTracer = provider.getTracer('app');
const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
const reader = new PeriodicExportingMetricReader({
  exporter: metricExporter,
  exportIntervalMillis: 3_600_000,
});
const meterProvider = new MeterProvider({ readers: [reader] });
const contextManager = new AsyncLocalStorageContextManager();

let instrumentation: PlinthInstrumentation | undefined;
let server: PlinthServer | undefined;

beforeAll(() => {
  context.setGlobalContextManager(contextManager.enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
});
afterAll(async () => {
  context.disable();
  propagation.disable();
  await provider.shutdown();
  await meterProvider.shutdown();
});
beforeEach(() => {
  exporter.reset();
  instrumentation = instrumentPlinth({ tracerProvider: provider, meterProvider });
});
afterEach(async () => {
  instrumentation?.disable();
  await server?.stop({ graceMs: 0 });
  server = undefined;
});

const silent = { error() {}, warn() {}, info() {}, debug() {} };

async function serve(interceptors: unknown[]): Promise<string> {
  server = createServer(interceptors as never, { port: 0, logger: silent });
  return (await server.start()).url;
}

/** performance.now() of a span's end. */
const endOf = (span: ReadableSpan) => hrTimeToMilliseconds(span.endTime) - performance.timeOrigin;

async function waitFor<T>(get: () => T | undefined, what: string, timeoutMs = 5000): Promise<T> {
  const start = performance.now();
  for (;;) {
    const value = get();
    if (value !== undefined) return value;
    if (performance.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

const serverSpan = () => exporter.getFinishedSpans().find((s) => s.kind === 1 /* SERVER */);

function get(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; bytes: number; lastByteAt: number }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false, headers }, (res) => {
        let bytes = 0;
        res.on('data', (chunk: Buffer) => (bytes += chunk.length));
        res.on('end', () =>
          resolve({ status: res.statusCode!, bytes, lastByteAt: performance.now() }),
        );
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

describe('server spans', () => {
  it('names the span by route template and ends a streamed 1e6-element response after its last byte', {
    timeout: 60_000,
  }, async () => {
    async function* sequence() {
      for (let i = 0; i < 1_000_000; i++) yield i;
    }
    let chainLeftAt = 0;
    const url = await serve([
      {
        leave: (ctx: unknown) => {
          chainLeftAt = performance.now();
          return ctx;
        },
      },
      router([['/users/:id/seq', 'GET', () => ({ status: 200, body: sequence() })]]),
    ]);
    const response = await get(`${url}/users/42/seq?x=1`);
    const span = await waitFor(serverSpan, 'the server span');
    expect(span.name).toBe('GET /users/:id/seq');
    expect(span.attributes).toMatchObject({
      'http.request.method': 'GET',
      'http.route': '/users/:id/seq',
      'http.response.status_code': 200,
      'url.path': '/users/42/seq',
      'url.query': 'x=1',
      'url.scheme': 'http',
      'network.protocol.version': '1.1',
      'http.response.body.size': response.bytes,
    });
    expect(response.bytes).toBeGreaterThan(6_000_000);
    // The chain left long before the body's last byte: the span ends with the body.
    expect(endOf(span) - chainLeftAt).toBeGreaterThan(10);
    expect(endOf(span)).toBeLessThanOrEqual(response.lastByteAt + 1);
    expect(span.status.code).toBe(0);
  });

  it('ends the span at the disconnect, with the reason, when the client leaves', async () => {
    async function* forever() {
      for (let i = 0; ; i++) {
        await new Promise((resolve) => setImmediate(resolve));
        yield i;
      }
    }
    const url = await serve([() => ({ status: 200, body: forever() })]);
    let leftAt = 0;
    await new Promise<void>((resolve) => {
      const req = http.get(`${url}/forever`, { agent: false }, (res) => {
        res.once('data', () => {
          leftAt = performance.now();
          req.destroy();
        });
      });
      req.on('error', () => {});
      req.on('close', resolve);
    });
    const span = await waitFor(serverSpan, 'the server span');
    expect(span.attributes['plinth.abort.reason']).toBe('CLIENT_DISCONNECT');
    expect(span.attributes['error.type']).toBe('CLIENT_DISCONNECT');
    expect(endOf(span)).toBeGreaterThanOrEqual(leftAt);
    // A client leaving is not the server's failure.
    expect(span.status.code).toBe(0);
  });

  it('marks an error after the head as an error span', async () => {
    const url = await serve([
      () => ({
        status: 200,
        body: async (sink: { write(s: string): unknown; flush(): void }) => {
          sink.write('[1');
          sink.flush();
          await new Promise((resolve) => setImmediate(resolve));
          throw new Error('the database went away');
        },
      }),
    ]);
    await expect(get(`${url}/fail`)).rejects.toThrow();
    const span = await waitFor(serverSpan, 'the server span');
    expect(span.status).toEqual({ code: 2, message: 'the database went away' });
    expect(span.attributes['plinth.abort.reason']).toBe('BODY_ERROR');
    expect(span.attributes['error.type']).toBe('BODY_ERROR');
    expect(span.attributes['http.response.status_code']).toBe(200);
    expect(span.events.map((e) => e.name)).toContain('exception');
  });

  it('continues the caller trace and parents spans made in interceptors and inside a generator', async () => {
    const tick = () => new Promise((resolve) => setTimeout(resolve, 1));
    async function* rows() {
      await tick();
      yield 1;
      await tick();
      // A database call made while streaming.
      await appTracer.startActiveSpan('db.query', async (span: Span) => {
        await tick();
        span.end();
      });
      yield 2;
    }
    const url = await serve([
      {
        enter: async (ctx: unknown) => {
          await tick();
          appTracer.startSpan('auth').end();
          return ctx;
        },
      },
      () => ({ status: 200, body: rows() }),
    ]);
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const callerSpanId = 'b7ad6b7169203331';
    await get(`${url}/rows`, { traceparent: `00-${traceId}-${callerSpanId}-01` });
    const request = await waitFor(serverSpan, 'the server span');
    const spans = exporter.getFinishedSpans();
    const db = spans.find((s) => s.name === 'db.query')!;
    const auth = spans.find((s) => s.name === 'auth')!;
    expect(request.spanContext().traceId).toBe(traceId);
    expect(request.parentSpanContext?.spanId).toBe(callerSpanId);
    for (const child of [db, auth]) {
      expect(child.spanContext().traceId).toBe(traceId);
      expect(child.parentSpanContext?.spanId).toBe(request.spanContext().spanId);
    }
    // Nothing leaked out of the request.
    expect(trace.getActiveSpan()).toBeUndefined();
  });
});

async function collect(): Promise<Map<string, { attributes: object; value: unknown }[]>> {
  const { resourceMetrics } = await reader.collect();
  const out = new Map<string, { attributes: object; value: unknown }[]>();
  for (const scope of resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics) {
      out.set(
        metric.descriptor.name,
        metric.dataPoints.map((p) => ({ attributes: p.attributes, value: p.value })),
      );
    }
  }
  return out;
}

function sum(points: { value: unknown }[] | undefined): number {
  return (points ?? []).reduce((n, p) => n + (p.value as number), 0);
}

describe('metrics', () => {
  it('records http.server.request.duration to the last byte, by route, and active requests', async () => {
    const before = await collect();
    const url = await serve([router([['/items/:id', 'GET', () => ({ status: 200, body: 'x' })]])]);
    await get(`${url}/items/1`);
    await get(`${url}/items/2`);
    await waitFor(() => (exporter.getFinishedSpans().length >= 2 ? true : undefined), 'two spans');
    const after = await collect();
    const points = after
      .get('http.server.request.duration')!
      .filter((p) => (p.attributes as Record<string, unknown>)['http.route'] === '/items/:id');
    expect(points).toHaveLength(1);
    expect(points[0]!.attributes).toMatchObject({
      'http.request.method': 'GET',
      'http.response.status_code': 200,
      'url.scheme': 'http',
    });
    expect((points[0]!.value as { count: number }).count).toBe(2);
    expect(sum(after.get('http.server.active_requests'))).toBe(
      sum(before.get('http.server.active_requests')),
    );
  });

  it('moves the SSE counters as events are sent, dropped and clients evicted', async () => {
    const hub = createHub({ evictAfterMs: 1 });
    const count = async (name: string) => sum((await collect()).get(name));
    const base = {
      sent: await count('plinth.sse.events.sent'),
      dropped: await count('plinth.sse.events.dropped'),
      evicted: await count('plinth.sse.clients.evicted'),
      active: await count('plinth.sse.streams.active'),
    };
    const url = await serve([
      eventStream((channel) => hub.subscribe(channel), {
        heartbeatMs: 0,
        buffer: { size: 64 * 1024, policy: 'drop-newest' },
      }),
    ]);
    // A client that reads every event, and one that reads nothing.
    const events: string[] = [];
    const parser = createParser({ onEvent: (event) => events.push(event.data) });
    const reading = new AbortController();
    const fetched = await fetch(url, { signal: reading.signal });
    const readAll = (async () => {
      const decoder = new TextDecoder();
      const body = fetched.body!.getReader();
      try {
        for (let read = await body.read(); !read.done; read = await body.read()) {
          parser.feed(decoder.decode(read.value, { stream: true }));
        }
      } catch {
        // aborted at the end of the test
      }
    })();
    const stalled = http.get(url, { agent: false });
    stalled.on('response', (res) => res.pause());
    stalled.on('error', () => {});
    await waitFor(() => (hub.size === 2 ? true : undefined), 'two subscribers');
    expect((await count('plinth.sse.streams.active')) - base.active).toBe(2);

    const payload = 'p'.repeat(32 * 1024);
    for (let i = 0; i < 400 && hub.size === 2; i++) {
      await hub.publish({ data: payload });
      await new Promise((resolve) => setImmediate(resolve));
    }
    await waitFor(() => (hub.size === 1 ? true : undefined), 'the stalled client evicted');
    expect((await count('plinth.sse.clients.evicted')) - base.evicted).toBe(1);
    expect((await count('plinth.sse.events.dropped')) - base.dropped).toBeGreaterThan(0);
    await hub.publish({ data: 'last' });
    await waitFor(() => (events.at(-1) === 'last' ? true : undefined), 'the last event read');
    // Every event the reading client got was counted as sent (and the stalled one's too).
    expect((await count('plinth.sse.events.sent')) - base.sent).toBeGreaterThan(events.length);
    expect((await count('plinth.sse.streams.active')) - base.active).toBe(1);
    reading.abort();
    await readAll;
    stalled.destroy();
  });
});

describe('instrumentPlinth', () => {
  it('stops observing on disable()', async () => {
    instrumentation!.disable();
    const url = await serve([() => ({ status: 200, body: 'ok' })]);
    await get(url);
    expect(exporter.getFinishedSpans()).toEqual([]);
  });
});
