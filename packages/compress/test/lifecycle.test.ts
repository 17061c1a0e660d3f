import http from 'node:http';
import zlib from 'node:zlib';
import type { PlinthServer } from '@plinth/node';
import { type Channel, eventStream } from '@plinth/sse';
import type { Request } from '@plinth/writeable-body';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openZlibStreams } from '../src/compressing-sink';
import { compress } from '../src/index';
import { openFds, serve, waitFor } from './helpers';

// Zlib streams of the server that are open (their native memory not freed yet).
const liveZlib = {
  get size(): number {
    return openZlibStreams();
  },
};

let produced = 0;
let producedBytes = 0;
let finalized = 0;
let server: PlinthServer;
let url: string;
const channels: Channel[] = [];

beforeAll(async () => {
  const events = eventStream(
    (channel) => {
      channels.push(channel);
      let i = 0;
      const timer = setInterval(
        () => void channel.send({ id: i++, data: { i, text: 'tick tock' } }),
        1,
      );
      channel.signal.addEventListener('abort', () => clearInterval(timer));
    },
    { heartbeatMs: 0 },
  );
  ({ server, url } = await serve([
    compress({ ignoreNoTransform: true }),
    {
      name: 'events',
      enter: (ctx: { request: Request }) =>
        ctx.request.path === '/events' ? events.enter!(ctx as never) : ctx,
    },
    (req: Request) => {
      if (req.path === '/sequence') {
        const n = Number(new URLSearchParams(req.queryString).get('n') ?? 1e6);
        return {
          status: 200,
          body: (function* () {
            try {
              for (let i = 0; i < n; i++) {
                produced++;
                // Hashed hex digits compress poorly, so the compressed sequence (tens of
                // MB) cannot hide in the socket buffers: the producer must wait.
                const element = {
                  i,
                  name: `element ${i}`,
                  flag: i % 3 === 0,
                  h: `${(Math.imul(i, 2654435761) >>> 0).toString(16)}${(Math.imul(i ^ 0x5bd1e995, 40503) >>> 0).toString(16)}`,
                };
                producedBytes += JSON.stringify(element).length + 1;
                yield element;
              }
            } finally {
              finalized++;
            }
          })(),
        };
      }
      return { status: 404, body: 'none' };
    },
  ]));
});

afterAll(async () => {
  await server.stop({ graceMs: 100 });
});

describe('backpressure is measured on the compressed side', () => {
  it('a slow reader of a compressed 1e6-element sequence: the producer waits, memory stays bounded, disconnect frees zlib at once', async () => {
    produced = 0;
    producedBytes = 0;
    const finalizedBefore = finalized;
    const rssBefore = process.memoryUsage().rss;
    let decodedBytes = 0;
    let wireBytes = 0;
    let peakRss = rssBefore;
    let maxAhead = 0;
    const req = http.get(`${url}/sequence`, {
      headers: { 'accept-encoding': 'gzip' },
      agent: false,
    });
    const res = await new Promise<http.IncomingMessage>((resolve) => req.once('response', resolve));
    expect(res.headers['content-encoding']).toBe('gzip');
    const inflate = zlib.createGunzip();
    inflate.on('data', (c: Buffer) => {
      decodedBytes += c.length;
    });
    inflate.on('error', () => {});
    // Read 4 KiB of compressed bytes every 5 ms: far slower than the producer.
    res.pause();
    for (let round = 0; round < 200; round++) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      const chunk = res.read(4096) ?? res.read();
      if (chunk !== null) {
        wireBytes += chunk.length;
        inflate.write(chunk);
      }
      maxAhead = Math.max(maxAhead, producedBytes - decodedBytes);
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }
    console.log(
      `slow reader: ${wireBytes} wire bytes read, ${produced} elements produced, producer ahead by at most ${(maxAhead / 1048576).toFixed(1)} MiB, RSS +${((peakRss - rssBefore) / 1048576).toFixed(1)} MiB`,
    );
    expect(wireBytes).toBeGreaterThan(100_000);
    expect(produced).toBeLessThan(1e6);
    // What the producer is ahead of the reader is what the buffers hold, bounded: the
    // kernel's socket buffers (a few MB at most on loopback) plus ours, decompressed.
    expect(maxAhead).toBeLessThan(48 * 1024 * 1024);
    expect(peakRss - rssBefore).toBeLessThan(64 * 1024 * 1024);
    const zlibBefore = liveZlib.size;
    expect(zlibBefore).toBeGreaterThan(0);
    req.destroy();
    inflate.destroy();
    await waitFor(() => finalized === finalizedBefore + 1, 'the generator finally');
    await waitFor(() => liveZlib.size === 0, 'zlib handles freed', 2000);
  });
});

describe('1,000 disconnects at random points of compressed streams', () => {
  it('leave no zlib handle, no descriptor, and RSS back near its baseline', async () => {
    // Warm up once so that lazy allocations are not counted as leaks.
    await run(200);
    await settle();
    const fdsBefore = openFds();
    const rss0 = process.memoryUsage().rss;
    const t0 = performance.now();
    // Two halves: memory the allocator keeps after the first is reused by the second,
    // so what a leak would show is growth in the second half (a leaked zlib stream
    // holds some 100 KiB: 500 of them would be 50 MiB).
    await run(500);
    await settle();
    const rss1 = process.memoryUsage().rss;
    await run(500);
    await settle();
    const rss2 = process.memoryUsage().rss;
    console.log(
      `1,000 disconnects in ${Math.round(performance.now() - t0)} ms: RSS +${((rss1 - rss0) / 1048576).toFixed(1)} MiB after the first 500, +${((rss2 - rss1) / 1048576).toFixed(1)} MiB more after the next 500`,
    );
    await waitFor(() => openFds() <= fdsBefore, 'descriptors closed', 10_000);
    expect(rss2 - rss1).toBeLessThan(16 * 1024 * 1024);
  }, 120_000);
});

/** Every stream of the last run ended, its zlib stream and descriptor freed. */
async function settle(): Promise<void> {
  await waitFor(() => liveZlib.size === 0, 'every zlib handle freed', 10_000);
  await waitFor(() => channels.every((c) => c.signal.aborted), 'every channel ended', 5000);
  channels.length = 0;
  globalThis.gc?.();
}

/** `total` requests, 40 at a time, each dropped after a random number of wire bytes. */
async function run(total: number): Promise<void> {
  let started = 0;
  const codings = ['gzip', 'br', 'deflate'];
  const one = (): Promise<void> =>
    new Promise<void>((resolve) => {
      const i = started++;
      const path =
        i % 2 === 0 ? '/events' : `/sequence?n=${1 + Math.floor(Math.random() * 50_000)}`;
      const limit = Math.floor(Math.random() * (i % 2 === 0 ? 2048 : 32_768));
      const req = http.get(`${url}${path}`, {
        headers: { 'accept-encoding': codings[i % 3]! },
        agent: false,
      });
      let seen = 0;
      req.on('response', (res) => {
        if (limit === 0) req.destroy();
        res.on('data', (c: Buffer) => {
          seen += c.length;
          if (seen >= limit) req.destroy();
        });
        res.on('end', () => req.destroy());
      });
      req.on('close', () => resolve());
      req.on('error', () => {});
    });
  const workers = Array.from({ length: 40 }, async () => {
    while (started < total) await one();
  });
  await Promise.all(workers);
}
