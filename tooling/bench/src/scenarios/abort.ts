// Scenario 6: clients that abort mid-stream. Each round opens many requests, in
// turn for an endless generated stream, the big file and an SSE stream, reads a
// little of each and destroys the socket; then the server's descriptors, active
// handles, still-running producers and SSE registrations are compared with before.
import { connect } from 'node:net';
import {
  type BenchContext,
  ensureLive,
  pickTargets,
  roundOrder,
  startAll,
  stopAll,
  waitFor,
} from '../harness/context';
import { type MetricDef, record, type ScenarioResult, targetResult } from '../harness/results';
import type { ServerProcess } from '../harness/server-process';

const METRICS: readonly MetricDef[] = [
  { key: 'fds', label: 'Δ fds', better: 'lower', ratio: 'none' },
  { key: 'handles', label: 'Δ active handles', better: 'lower', ratio: 'none' },
  { key: 'producers', label: 'Δ producers running', better: 'lower', ratio: 'none' },
  { key: 'sse', label: 'Δ SSE clients registered', better: 'lower', ratio: 'none' },
  { key: 'sockets', label: 'sockets still open', better: 'lower', ratio: 'none' },
  { key: 'rss', label: 'Δ RSS MiB', better: 'lower', ratio: 'none', digits: 1 },
  { key: 'ms', label: 'ms per abort', better: 'lower', ratio: 'none', digits: 2 },
];

/** What the aborted requests ask for, in turn, and how much is read before the abort. */
const KINDS: readonly { path: string; bytes: number }[] = [
  { path: '/stream', bytes: 32 * 1024 },
  { path: '/file', bytes: 32 * 1024 },
  // The head is enough: the stream is open and registered.
  { path: '/sse', bytes: 1 },
];

/** Requests `path`, waits for `bytes` of the answer, then destroys the socket. @internal */
function abortOne(port: number, path: string, bytes: number, timeoutMs = 5000): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let received = 0;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no ${bytes} bytes within ${timeoutMs} ms (got ${received})`));
    }, timeoutMs);
    socket.on('data', (data: Buffer) => {
      received += data.length;
      if (received >= bytes) {
        clearTimeout(timer);
        socket.destroy();
        resolve();
      }
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    const accept = path === '/sse' ? 'Accept: text/event-stream\r\n' : '';
    socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${accept}\r\n`);
  });
}

async function abortMany(port: number, count: number, concurrency = 25): Promise<number> {
  let next = 0;
  let failed = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const kind = KINDS[next++ % KINDS.length]!;
      await abortOne(port, kind.path, kind.bytes).catch(() => {
        failed++;
      });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return failed;
}

/** Waits (bounded) until the server closed every socket and stopped every producer, then reads its stats after a GC. */
async function settled(server: ServerProcess) {
  await waitFor(
    async () => {
      const s = await server.stats();
      return (
        s.sockets === 0 && s.producersStarted === s.producersFinished && (s.sseClients ?? 0) === 0
      );
    },
    3000,
    50,
  );
  return server.stats(true);
}

/** Runs scenario 6. @internal */
export async function abortScenario(ctx: BenchContext): Promise<ScenarioResult> {
  const started = performance.now();
  const { options } = ctx;
  const targets = pickTargets(ctx, ['node', 'plinth', 'fastify', 'hono', 'koa', 'express']);
  const results = new Map(targets.map((t) => [t.id, targetResult(t.id, t.label)]));
  const servers = await startAll(ctx, targets, results);
  try {
    // Warm-up: a few aborts, so lazily created handles exist before "before".
    for (const target of targets) {
      const server = servers.get(target.id);
      if (server) await abortMany(server.port, 20, 5);
    }
    for (let round = 0; round < options.rounds; round++) {
      for (const target of roundOrder(targets, round)) {
        const result = results.get(target.id)!;
        if (!servers.has(target.id)) continue;
        const server = await ensureLive(ctx, target, servers, result, round);
        if (!server) continue;
        const before = await settled(server);
        const t0 = performance.now();
        const failed = await abortMany(server.port, options.aborts);
        const ms = (performance.now() - t0) / options.aborts;
        const after = await settled(server);
        if (failed > 0)
          result.notes.push(`round ${round + 1}: ${failed} requests failed before any data`);
        record(result, 'fds', round, (after.fds ?? Number.NaN) - (before.fds ?? Number.NaN));
        record(result, 'handles', round, after.handles - before.handles);
        record(
          result,
          'producers',
          round,
          after.producersStarted -
            after.producersFinished -
            (before.producersStarted - before.producersFinished),
        );
        record(result, 'sse', round, (after.sseClients ?? 0) - (before.sseClients ?? 0));
        record(result, 'sockets', round, after.sockets);
        record(result, 'rss', round, (after.rss - before.rss) / (1024 * 1024));
        record(result, 'ms', round, ms);
        ctx.log(
          `  round ${round + 1} ${target.label}: Δfds ${(after.fds ?? 0) - (before.fds ?? 0)}, Δhandles ${after.handles - before.handles}, producers running ${after.producersStarted - after.producersFinished}`,
        );
      }
    }
  } finally {
    await stopAll(servers);
  }
  return {
    id: 6,
    title: `Client abort mid-stream x${options.aborts.toLocaleString('en-US')}`,
    description:
      `Per round and target, ${options.aborts.toLocaleString('en-US')} requests (25 at a time), in turn for the endless ` +
      'stream of scenario 5a, the file of scenario 2 and the SSE stream of scenario 4, each destroyed by the client after ' +
      '32 KiB (SSE: after the response head). Before and after: open descriptors (/proc/self/fd: sockets and files), ' +
      'active handles (process.getActiveResourcesInfo()), sockets the server still holds, generators not yet finished ' +
      '(their finally block counts them) and SSE clients still registered, read after waiting up to 3 s for things to ' +
      'settle and a GC. Deltas per round; the server runs through all rounds, so a leak shows in every round.',
    tables: [
      { title: 'aborts', baseline: 'node', metrics: METRICS, targets: [...results.values()] },
    ],
    series: [],
    notes: [],
    seconds: (performance.now() - started) / 1000,
  };
}
