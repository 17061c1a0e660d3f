// Issue 9, "Load and memory": 10,000 concurrent keep-alive connections doing
// hello-world, then 1,000 concurrent streams; no errors, and the server's RSS comes
// back near its baseline once the load has gone (bound below). The clients run in a
// child process (fixtures/load-client.mjs), so descriptors, CPU and RSS measured here
// are the server's.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ndjson } from '@plinth/body-writer';
import { router } from '@plinth/router';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  collectGarbage,
  type Holdings,
  holdings,
  openFds,
  releasedTo,
  waitFor,
} from './support/env';
import { errorLines, type Served, serve } from './support/server';

const run = promisify(execFile);
const client = fileURLToPath(new URL('./fixtures/load-client.mjs', import.meta.url));

const CONNECTIONS = Number(process.env.RELIABILITY_CONNECTIONS ?? 10_000);
const REQUESTS_EACH = 3;
const STREAMS = 1000;
const STREAM_LINES = 500;
/**
 * How far above its baseline the server's RSS may stay after the load, once the
 * connections closed and the heap was collected. 10,000 connections take the RSS
 * of the process up by several hundred MiB at their peak; what stays is V8's and the
 * allocator's retained pages, not live objects.
 */
const RSS_BOUND_MB = 80;
/** Live objects after a full collection: within this of the baseline (a leak of 1 KiB per connection would be 10 MiB). */
const HEAP_BOUND_MB = 8;

const HELLO = 'Hello, world!';
const line = (i: number): string => `line ${i} ${'x'.repeat(80)}`;
const STREAM_BYTES = Array.from(
  { length: STREAM_LINES },
  (_, i) => JSON.stringify(line(i)).length + 1,
).reduce((a, b) => a + b, 0);

const mb = (bytes: number): number => Math.round((bytes / 1024 / 1024) * 10) / 10;

async function loadClient(args: (string | number)[]): Promise<Record<string, any>> {
  const { stdout } = await run(process.execPath, [client, ...args.map(String)], {
    timeout: 120_000,
    maxBuffer: 1024 * 1024,
  });
  return JSON.parse(stdout);
}

describe('load', () => {
  let served: Served;
  let baseline: Holdings;
  let rssBaseline = 0;
  let heapBaseline = 0;
  let peakRss = 0;
  let sampler: NodeJS.Timeout | undefined;

  beforeAll(async () => {
    served = await serve([
      router([
        ['/hello', 'GET', () => ({ status: 200, body: HELLO })],
        [
          '/stream',
          'GET',
          () => ({
            status: 200,
            body: ndjson(
              (async function* () {
                for (let i = 0; i < STREAM_LINES; i++) {
                  if (i % 50 === 49) await new Promise((resolve) => setTimeout(resolve, 1));
                  yield line(i);
                }
              })(),
            ),
          }),
        ],
      ]),
    ]);
    // Warm up both routes, then measure the baseline after a full collection.
    await loadClient(['keepalive', served.port, 50, 2, HELLO.length]);
    await loadClient(['streams', served.port, 20, STREAM_BYTES]);
    await waitFor(
      async () => (await served.connections()) === 0,
      'the warm-up connections to close',
    );
    await collectGarbage();
    baseline = holdings();
    rssBaseline = process.memoryUsage().rss;
    heapBaseline = process.memoryUsage().heapUsed;
    peakRss = rssBaseline;
    sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }, 50);
  });

  afterAll(async () => {
    clearInterval(sampler);
    await served.stop();
  });

  it(`${CONNECTIONS} concurrent keep-alive connections doing hello-world: no errors`, async () => {
    const maxFds = openFds();
    let maxConnections = 0;
    const watch = setInterval(async () => {
      maxConnections = Math.max(maxConnections, await served.connections());
    }, 100);
    const result = await loadClient([
      'keepalive',
      served.port,
      CONNECTIONS,
      REQUESTS_EACH,
      HELLO.length,
    ]);
    clearInterval(watch);
    console.log(
      `keep-alive load: ${JSON.stringify(result)}; server held up to ${maxConnections} connections (fds before: ${maxFds})`,
    );
    expect(result.connectErrors).toBe(0);
    expect(result.connections).toBe(CONNECTIONS);
    // Every connection stayed open (keep-alive) until the client closed it.
    expect(result.stillOpenAtEnd).toBe(CONNECTIONS);
    expect(result.bad).toBe(0);
    expect(result.requests).toBe(CONNECTIONS * REQUESTS_EACH);
    expect(maxConnections).toBeGreaterThanOrEqual(CONNECTIONS * 0.9);
    expect(errorLines(served.logger)).toEqual([]);
  });

  it(`then ${STREAMS} concurrent streams: every one complete`, async () => {
    const result = await loadClient(['streams', served.port, STREAMS, STREAM_BYTES]);
    console.log(`stream load: ${JSON.stringify(result)}`);
    expect(result.connectErrors).toBe(0);
    expect(result.bad).toBe(0);
    expect(result.complete).toBe(STREAMS);
    expect(errorLines(served.logger)).toEqual([]);
  });

  it(`afterwards the server holds what it held before, and its RSS is back within ${RSS_BOUND_MB} MiB of the baseline`, async () => {
    await waitFor(
      async () => (await served.connections()) === 0,
      'every connection to close',
      10_000,
    );
    clearInterval(sampler); // the RSS sampler is not the server's
    expect(await releasedTo(baseline, 5000)).toEqual({});
    await collectGarbage();
    const after = process.memoryUsage().rss;
    const heapAfter = process.memoryUsage().heapUsed;
    console.log(
      `RSS: baseline ${mb(rssBaseline)} MiB, peak ${mb(peakRss)} MiB, after ${mb(after)} MiB (bound: baseline + ${RSS_BOUND_MB} MiB); heap used after GC: ${mb(heapBaseline)} -> ${mb(heapAfter)} MiB (bound: + ${HEAP_BOUND_MB} MiB) ${JSON.stringify(process.memoryUsage())}`,
    );
    expect(heapAfter - heapBaseline).toBeLessThan(HEAP_BOUND_MB * 1024 * 1024);
    expect(peakRss).toBeGreaterThan(rssBaseline);
    expect(after - rssBaseline).toBeLessThan(RSS_BOUND_MB * 1024 * 1024);
  });
});
