// Issue 9, "Faults": producers that throw at random points. Each such response is
// aborted so the client can tell (a 500 when nothing was sent yet; otherwise no
// terminating chunk on HTTP/1.1, a stream reset on h2c), its error is logged exactly
// once, and the healthy responses served at the same time arrive byte-exact.
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { file, ndjson, text } from '@plinth/body-writer';
import { type Interceptor, interceptor } from '@plinth/interceptor';
import { router } from '@plinth/router';
import { eventStream } from '@plinth/sse';
import {
  type BodySink,
  type HttpContext,
  writeResponse,
  writeResponseBody,
} from '@plinth/writeable-body';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Fetched, request } from './support/clients';
import { type Holdings, holdings, releasedTo, trackUnhandled } from './support/env';
import { random, runSeed } from './support/random';
import { PROTOCOLS, type Served, serve } from './support/server';

const FAILING = 300;
const HEALTHY = 300;
const CONCURRENCY = 30;
const seed = runSeed();
console.log(`producer failures: seed ${seed} (replay with RELIABILITY_SEED=${seed})`);

const FAILING_TYPES = [
  'generator',
  'async-generator',
  'text',
  'function',
  'readable',
  'web-stream',
  'bad-element',
  'event-stream',
  'low-level',
] as const;
type FailingType = (typeof FAILING_TYPES)[number];

const HEALTHY_TYPES = [
  'string',
  'bytes',
  'json',
  'generator',
  'ndjson',
  'readable',
  'web-stream',
  'file',
] as const;
type HealthyType = (typeof HEALTHY_TYPES)[number];

const dir = mkdtempSync(join(tmpdir(), 'plinth-failures-'));

/** The deterministic content of healthy response `n`: `size` bytes from a hash chain. */
function content(n: number, size: number): Buffer {
  const parts: Buffer[] = [];
  let block = createHash('sha256').update(`healthy ${n}`).digest();
  let total = 0;
  while (total < size) {
    parts.push(block);
    total += block.byteLength;
    block = createHash('sha256').update(block).digest();
  }
  // Printable, so it can travel as text and JSON too.
  return Buffer.from(Buffer.concat(parts).subarray(0, size).toString('base64').slice(0, size));
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A producer's failure, naming the request so the log line can be matched to it. */
class ProducerFailure extends Error {
  override readonly name = 'ProducerFailure';
}

function failingBody(type: FailingType, id: string, at: number): unknown {
  const boom = () => new ProducerFailure(`producer ${id} failed at ${at}`);
  const chunk = `${'z'.repeat(900)}\n`;
  switch (type) {
    case 'generator':
      return (function* () {
        for (let i = 0; ; i++) {
          if (i === at) throw boom();
          yield chunk;
        }
      })();
    case 'async-generator':
      return ndjson(
        (async function* () {
          for (let i = 0; ; i++) {
            if (i === at) throw boom();
            if (i % 8 === 7) await tick();
            yield { i, chunk };
          }
        })(),
      );
    case 'text':
      return text(
        (async function* () {
          for (let i = 0; ; i++) {
            if (i === at) throw boom();
            if (i % 8 === 7) await tick();
            yield chunk;
          }
        })(),
      );
    case 'function':
      return async (sink: BodySink) => {
        for (let i = 0; ; i++) {
          if (i === at) throw boom();
          const pending = sink.write(chunk);
          if (pending !== undefined) await pending;
          if (i % 8 === 7) await tick();
        }
      };
    case 'readable': {
      let i = 0;
      return new Readable({
        read() {
          if (i++ === at) this.destroy(boom());
          else if (i % 8 === 0) setImmediate(() => this.push(chunk));
          else this.push(chunk);
        },
      });
    }
    case 'web-stream': {
      let i = 0;
      return new ReadableStream<Uint8Array>({
        async pull(controller) {
          if (i % 8 === 7) await tick();
          if (i++ === at) controller.error(boom());
          else controller.enqueue(Buffer.from(chunk));
        },
      });
    }
    case 'bad-element':
      // An element with no JSON form, found only when reached.
      return (function* () {
        for (let i = 0; ; i++) yield i === at ? { id, big: BigInt(at) } : { i, chunk };
      })();
    default:
      throw new Error(`${type} is answered by an interceptor`);
  }
}

function healthyBody(
  type: HealthyType,
  n: number,
  size: number,
): { body: unknown; expected: Buffer } {
  const data = content(n, size);
  const lines = data.toString('latin1').match(/.{1,2000}/g) ?? [];
  switch (type) {
    case 'string':
      return { body: data.toString('latin1'), expected: data };
    case 'bytes':
      return { body: data, expected: data };
    case 'json':
      return { body: { n, lines }, expected: Buffer.from(JSON.stringify({ n, lines })) };
    case 'generator':
      return {
        body: (function* () {
          yield* lines;
        })(),
        expected: Buffer.from(JSON.stringify(lines)),
      };
    case 'ndjson':
      return {
        body: ndjson(
          (async function* () {
            for (const [i, line] of lines.entries()) {
              if (i % 4 === 3) await tick();
              yield line;
            }
          })(),
        ),
        expected: Buffer.from(lines.map((l) => `${JSON.stringify(l)}\n`).join('')),
      };
    case 'readable':
      return {
        body: Readable.from(lines.map((l) => Buffer.from(l))),
        expected: Buffer.from(lines.join('')),
      };
    case 'web-stream': {
      const queue = [...lines];
      return {
        body: new ReadableStream<Uint8Array>({
          async pull(controller) {
            await tick();
            const next = queue.shift();
            if (next === undefined) controller.close();
            else controller.enqueue(Buffer.from(next));
          },
        }),
        expected: Buffer.from(lines.join('')),
      };
    }
    case 'file': {
      const path = join(dir, `healthy-${n}.bin`);
      writeFileSync(path, data);
      return { body: file(path), expected: data };
    }
  }
}

const expectedBodies = new Map<string, Buffer>();

const failing: Interceptor<HttpContext> = interceptor<HttpContext>({
  name: 'failing',
  async enter(ctx) {
    const { type, id } = ctx.request.pathParams as { type: FailingType; id: string };
    const at = Number(ctx.request.queryString?.slice(3));
    if (type === 'event-stream') return ctx; // the next interceptor
    if (type === 'low-level') {
      await writeResponse(ctx, { status: 200, headers: { 'content-type': 'text/plain' } });
      for (let i = 0; i < at; i++) await writeResponseBody(ctx, `${'l'.repeat(500)}\n`);
      throw new ProducerFailure(`producer ${id} failed at ${at}`);
    }
    ctx.response = { status: 200, body: failingBody(type, id, at) };
    return ctx;
  },
});

const failingStream = eventStream(
  async (channel, ctx) => {
    const { id } = ctx.request.pathParams as { id: string };
    const at = Number(ctx.request.queryString?.slice(3));
    for (let i = 0; i < at; i++) await channel.send({ id: i, data: { i } });
    throw new ProducerFailure(`producer ${id} failed at ${at}`);
  },
  { heartbeatMs: 0 },
);

const healthy: Interceptor<HttpContext> = interceptor<HttpContext>({
  name: 'healthy',
  enter(ctx) {
    const { type, n } = ctx.request.pathParams as { type: HealthyType; n: string };
    const size = Number(ctx.request.queryString?.slice(5));
    const { body, expected } = healthyBody(type, Number(n), size);
    expectedBodies.set(`${type}/${n}`, expected);
    ctx.response = { status: 200, body };
    return ctx;
  },
});

function service(): Interceptor<any>[] {
  return [
    router([
      ['/fail/:type/:id', 'GET', [failing, failingStream]],
      ['/ok/:type/:n', 'GET', healthy],
    ]),
  ];
}

describe.each(PROTOCOLS)('producers failing at random points over $name', ({ http2 }) => {
  let served: Served;
  let baseline: Holdings;
  const unhandled = trackUnhandled();

  beforeAll(async () => {
    served = await serve(service(), { http2 });
    baseline = holdings();
  });
  afterAll(async () => {
    unhandled.stop();
    await served.stop();
  });

  it(`${FAILING} failing producers among ${HEALTHY} healthy responses`, async () => {
    const rnd = random(seed ^ (http2 ? 2 : 1));
    const jobs: { kind: 'fail' | 'ok'; path: string; key: string; failingType?: FailingType }[] =
      [];
    for (let i = 0; i < FAILING; i++) {
      const type = FAILING_TYPES[i % FAILING_TYPES.length]!;
      const id = `${http2 ? 'h2' : 'h1'}-${type}-${i}`;
      // Mostly early (before or just after the first bytes), sometimes deep into the body.
      const at = rnd.chance(0.7) ? rnd.int(0, 4) : rnd.int(5, 400);
      jobs.push({ kind: 'fail', path: `/fail/${type}/${id}?at=${at}`, key: id, failingType: type });
    }
    for (let n = 0; n < HEALTHY; n++) {
      const type = HEALTHY_TYPES[n % HEALTHY_TYPES.length]!;
      const size = rnd.int(0, 300_000);
      jobs.push({ kind: 'ok', path: `/ok/${type}/${n}?size=${size}`, key: `${type}/${n}` });
    }
    // Interleaved at random.
    for (let i = jobs.length - 1; i > 0; i--) {
      const j = rnd.int(0, i);
      [jobs[i], jobs[j]] = [jobs[j]!, jobs[i]!];
    }
    const results = new Map<string, Fetched>();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < jobs.length) {
          const job = jobs[next++]!;
          results.set(job.key, await request(http2, served.port, job.path));
        }
      }),
    );

    // Every failing response is visibly broken: a 500, or cut short (a connection
    // destroyed before even the head left Node's buffers counts: no response at all).
    const told = { status500: 0, aborted: 0, noHead: 0 };
    for (const job of jobs.filter((j) => j.kind === 'fail')) {
      const r = results.get(job.key)!;
      if (r.status === 500) {
        expect(r.complete, `${job.path}: a complete 500`).toBe(true);
        expect(r.body.toString()).toBe('Internal server error');
        told.status500++;
      } else if (r.status === 0) {
        expect(r.complete, `${job.path}: no head, not complete`).toBe(false);
        told.noHead++;
      } else {
        expect(r.status, job.path).toBe(200);
        expect(r.complete, `${job.path}: must not look complete`).toBe(false);
        told.aborted++;
      }
    }
    // Every healthy response arrived whole and byte-exact.
    for (const job of jobs.filter((j) => j.kind === 'ok')) {
      const r = results.get(job.key)!;
      expect(r.status, job.path).toBe(200);
      expect(r.complete, `${job.path}: complete`).toBe(true);
      expect(r.body.equals(expectedBodies.get(job.key)!), `${job.path}: byte-exact`).toBe(true);
    }
    // Each failure is logged once, at error level, and nothing else is.
    const errors = served.logger.at('error');
    const perFailure = new Map<string, number>();
    for (const entry of errors) {
      const url = String(entry.obj.url ?? '');
      const id = /^\/fail\/[^/]+\/([^?]+)/.exec(url)?.[1];
      expect(id, `an error log line that is not a producer failure: ${entry.msg}`).toBeDefined();
      perFailure.set(id!, (perFailure.get(id!) ?? 0) + 1);
    }
    for (const job of jobs.filter((j) => j.kind === 'fail')) {
      expect(perFailure.get(job.key), `${job.path} logged once`).toBe(1);
    }
    expect(errors.length).toBe(FAILING);
    expect(unhandled.seen).toEqual([]);
    // Nothing held after.
    expect(await releasedTo(baseline, 5000)).toEqual({});
    console.log(
      `${http2 ? 'h2c' : 'HTTP/1.1'}: ${FAILING} producer failures (${told.status500} answered 500, ${told.aborted} aborted mid-body, ${told.noHead} connections closed before the head went out), ${HEALTHY} healthy responses byte-exact`,
    );
  });
});
