// Scenario 4: SSE fan-out. Many raw-socket clients (another process, load cores)
// connect; the server broadcasts timestamped events; clients time each delivery.
// A fresh server per target and round, so that RSS per connection is measured from
// a clean start.
import { join } from 'node:path';
import { ClientProcess } from '../harness/child';
import {
  type BenchContext,
  delay,
  firstLine,
  pickTargets,
  roundOrder,
  startTarget,
  waitFor,
} from '../harness/context';
import { type MetricDef, record, type ScenarioResult, targetResult } from '../harness/results';
import type { ServerProcess } from '../harness/server-process';
import { quantileSorted } from '../harness/stats';

const METRICS: readonly MetricDef[] = [
  { key: 'p50', label: 'p50 ms', better: 'lower', ratio: 'plain', digits: 1 },
  { key: 'p99', label: 'p99 ms', better: 'lower', ratio: 'plain', digits: 1 },
  { key: 'rssPerConn', label: 'RSS/conn KiB', better: 'lower', ratio: 'plain', digits: 1 },
  { key: 'heapPerConn', label: 'heap/conn KiB', better: 'lower', ratio: 'none', digits: 1 },
  { key: 'broadcastMs', label: 'broadcast call ms', better: 'lower', ratio: 'none', digits: 1 },
];

const WARMUP_BROADCASTS = 3;

async function oneRun(ctx: BenchContext, server: ServerProcess, client: ClientProcess) {
  const { sseClients: count, broadcasts } = ctx.options;
  const before = await server.stats(true);
  try {
    client.send({ type: 'connect', port: server.port, path: '/sse', count });
    const connected = await client.next<{ ok: number; failed: number; firstError?: string }>(
      'connected',
      60_000,
    );
    if (connected.failed > 0) {
      throw new Error(
        `${connected.failed} of ${count} clients failed to connect: ${connected.firstError}`,
      );
    }
    // The server registers a client a little after its headers went out.
    const registered = await waitFor(async () => (await server.stats()).sseClients === count, 5000);
    if (!registered) {
      const s = await server.stats();
      throw new Error(`the server knows ${s.sseClients} SSE clients, expected ${count}`);
    }
    const withClients = await server.stats(true);
    let broadcastMs = 0;
    const total = WARMUP_BROADCASTS + broadcasts;
    for (let seq = 0; seq < total; seq++) {
      const delivered = client.next<{ seq: number }>('delivered', 10_000, (m) => m.seq === seq);
      const ms = await server.broadcast(seq);
      if (seq >= WARMUP_BROADCASTS) broadcastMs += ms;
      try {
        await delivered;
      } catch {
        client.send({ type: 'count', seq });
        const { count: got } = await client.next<{ count: number }>('count', 5000);
        throw new Error(`broadcast ${seq} reached ${got} of ${count} clients within 10 s`);
      }
      // A pause between broadcasts, so each one is timed on its own.
      await delay(20);
    }
    client.send({ type: 'latencies', fromSeq: WARMUP_BROADCASTS });
    const { values } = await client.next<{ values: number[] }>('latencies', 10_000);
    values.sort((a, b) => a - b);
    return {
      p50: quantileSorted(values, 0.5),
      p99: quantileSorted(values, 0.99),
      rssPerConn: (withClients.rss - before.rss) / count / 1024,
      heapPerConn:
        (withClients.heapUsed + withClients.arrayBuffers - before.heapUsed - before.arrayBuffers) /
        count /
        1024,
      broadcastMs: broadcastMs / broadcasts,
    };
  } finally {
    // Drop this run's connections; the client process serves the next run.
    client.send({ type: 'close' });
    await client.next('closed', 10_000).catch(() => {});
  }
}

/** Runs scenario 4. @internal */
export async function sseScenario(ctx: BenchContext): Promise<ScenarioResult> {
  const started = performance.now();
  const { options } = ctx;
  const targets = pickTargets(ctx, ['node', 'plinth', 'fastify', 'hono', 'koa', 'express']);
  const results = new Map(targets.map((t) => [t.id, targetResult(t.id, t.label)]));
  const newClient = async (): Promise<ClientProcess> => {
    const c = new ClientProcess(join(ctx.clientsDir, 'sse-fanout.mjs'), ctx.affinity);
    await c.next('ready', 20_000);
    return c;
  };
  let client = await newClient();
  for (let round = 0; round < options.rounds; round++) {
    for (const target of roundOrder(targets, round)) {
      const result = results.get(target.id)!;
      let server: ServerProcess | undefined;
      try {
        server = await startTarget(ctx, target);
        await server.checkLive();
        if (!client.alive) client = await newClient();
        const r = await oneRun(ctx, server, client);
        for (const [key, value] of Object.entries(r)) record(result, key, round, value);
        ctx.log(
          `  round ${round + 1} ${target.label}: p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, ${r.rssPerConn.toFixed(1)} KiB/conn`,
        );
      } catch (error) {
        result.notes.push(`round ${round + 1}: ${firstLine(error)}`);
        ctx.log(`  round ${round + 1} ${target.label}: ${String(error)}`);
      } finally {
        await server?.stop();
      }
    }
  }
  await client.stop();
  return {
    id: 4,
    title: `SSE fan-out to ${options.sseClients.toLocaleString('en-US')} clients`,
    description:
      `${options.sseClients.toLocaleString('en-US')} raw-socket SSE clients in another process; the server broadcasts ` +
      `${WARMUP_BROADCASTS} warm-up and ${options.broadcasts} timed events (each once every client got the previous one), ` +
      'each stamped with the monotonic clock; latency is taken per client and event at the client. RSS and heap per ' +
      'connection: (with clients − before) / clients, after a GC. Fresh server per target and round. Idioms: node:http a ' +
      'Set of responses, Plinth @plinth/sse, Fastify @fastify/sse, Hono streamSSE, Koa a PassThrough as ctx.body, ' +
      'Express better-sse sessions on a channel.',
    tables: [{ title: 'SSE', baseline: 'node', metrics: METRICS, targets: [...results.values()] }],
    series: [],
    notes: [],
    seconds: (performance.now() - started) / 1000,
  };
}
