// Scenario 5: a slow reader. One client per target reads an endless stream at a
// trickle (a few KiB per second, paused in between) for a while; the server's RSS,
// its sockets' user-space buffers and how far the producer ran ahead are sampled.
// A bounded server stops producing once the socket buffers are full.
import { connect, type Socket } from 'node:net';
import {
  type BenchContext,
  delay,
  ensureLive,
  pickTargets,
  startAll,
  stopAll,
} from '../harness/context';
import {
  type MetricDef,
  record,
  type ScenarioResult,
  type SeriesTable,
  type TargetResult,
  targetResult,
} from '../harness/results';
import type { ServerProcess } from '../harness/server-process';
import { median } from '../harness/stats';

const MiB = 1024 * 1024;

/** A raw-socket client that reads at most `rate` bytes per second. @internal */
class SlowReader {
  received = 0;
  #allowance: number;
  readonly socket: Socket;
  readonly #timer: NodeJS.Timeout;

  constructor(port: number, rate: number) {
    this.#allowance = rate;
    this.socket = connect({ host: '127.0.0.1', port });
    this.socket.on('data', (data: Buffer) => {
      this.received += data.length;
      if (this.received >= this.#allowance) this.socket.pause();
    });
    this.socket.on('error', () => {});
    this.socket.write(`GET /stream HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
    this.#timer = setInterval(() => {
      this.#allowance += rate;
      this.socket.resume();
    }, 1000);
  }

  close(): void {
    clearInterval(this.#timer);
    this.socket.destroy();
  }
}

const METRICS: readonly MetricDef[] = [
  {
    key: 'inflight',
    label: 'produced − received MiB (end)',
    better: 'lower',
    ratio: 'none',
    digits: 1,
  },
  { key: 'lateGrowth', label: 'growth in 2nd half MiB', better: 'lower', ratio: 'none', digits: 1 },
  { key: 'userland', label: 'socket buffers MiB (end)', better: 'lower', ratio: 'none', digits: 2 },
  { key: 'rssGrowth', label: 'RSS growth MiB', better: 'lower', ratio: 'none', digits: 1 },
  { key: 'rssMax', label: 'peak RSS MiB', better: 'lower', ratio: 'none' },
];

interface Sample {
  t: number;
  rss: number;
  inflight: number;
}

/** Runs scenario 5. @internal */
export async function slowReaderScenario(ctx: BenchContext): Promise<ScenarioResult> {
  const started = performance.now();
  const { options } = ctx;
  const targets = pickTargets(ctx, ['node', 'plinth', 'fastify', 'hono', 'koa', 'express']);
  const results = new Map<string, TargetResult>(
    targets.map((t) => [t.id, targetResult(t.id, t.label)]),
  );
  const seconds = options.slowSeconds;
  const every = seconds >= 20 ? 2 : 1;
  const times: number[] = [];
  for (let t = 0; t <= seconds; t += every) times.push(t);
  // samples[target][round][k]
  const samples = new Map<string, Sample[][]>(targets.map((t) => [t.id, []]));
  for (let round = 0; round < options.rounds; round++) {
    // All targets at once (fresh servers): the readers are idle by design, and a
    // server that keeps producing shows it in its own counters whatever the others do.
    const servers = await startAll(ctx, targets, results);
    for (const target of targets) {
      if (servers.has(target.id))
        await ensureLive(ctx, target, servers, results.get(target.id)!, round);
    }
    const readers = new Map<string, SlowReader>();
    const base = new Map<string, { rss: number; produced: number }>();
    try {
      for (const [id, server] of servers) {
        const s = await server.stats(true);
        base.set(id, { rss: s.rss, produced: s.produced });
      }
      for (const [id, server] of servers)
        readers.set(id, new SlowReader(server.port, options.slowRate));
      const t0 = performance.now();
      for (const t of times) {
        const wait = t0 + t * 1000 - performance.now();
        if (wait > 0) await delay(wait);
        for (const [id, server] of servers) {
          const s = await sample(server, readers.get(id)!, base.get(id)!);
          let perRound = samples.get(id)![round];
          if (!perRound) {
            perRound = [];
            samples.get(id)![round] = perRound;
          }
          perRound.push({ t, ...s });
        }
      }
      for (const [id, server] of servers) {
        const result = results.get(id)!;
        const list = samples.get(id)![round] ?? [];
        const end = list[list.length - 1];
        const mid = list[Math.floor((list.length - 1) / 2)];
        if (!end || !mid) continue;
        const last = await server.stats();
        record(result, 'inflight', round, end.inflight / MiB);
        record(result, 'lateGrowth', round, (end.inflight - mid.inflight) / MiB);
        record(result, 'userland', round, last.socketBuffered / MiB);
        record(result, 'rssGrowth', round, (end.rss - base.get(id)!.rss) / MiB);
        record(result, 'rssMax', round, Math.max(...list.map((s) => s.rss)) / MiB);
        ctx.log(
          `  round ${round + 1} ${result.label}: in flight ${(end.inflight / MiB).toFixed(1)} MiB, RSS ${(end.rss / MiB).toFixed(0)} MiB`,
        );
      }
    } finally {
      for (const reader of readers.values()) reader.close();
      await stopAll(servers);
    }
  }
  const series = (title: string, unit: string, pick: (s: Sample) => number): SeriesTable => ({
    title,
    unit,
    times,
    rows: targets.map((t) => ({
      label: t.label,
      values: times.map((_, k) =>
        median((samples.get(t.id) ?? []).map((round) => (round[k] ? pick(round[k]) : Number.NaN))),
      ),
    })),
  });
  return {
    id: 5,
    title: 'Slow reader',
    description:
      `One client per target requests an endless stream of 64 KiB chunks (fresh buffers, from a generator) and reads at most ` +
      `${options.slowRate / 1024} KiB per second for ${seconds} s, paused in between; all targets at once, fresh servers each ` +
      `round, ${options.rounds} rounds. "Produced − received" is what the generator made minus what the client read: the bytes ` +
      "held anywhere between them (server buffers, both kernels' socket buffers). Idioms: node:http and Express " +
      'pipeline(Readable.from(gen), res), Plinth a generator body in text(), Fastify reply.send(Readable.from(gen)), ' +
      'Koa ctx.body = Readable.from(gen), Hono stream() with await write per chunk. Series: median over rounds.',
    tables: [
      { title: 'slow reader', baseline: 'node', metrics: METRICS, targets: [...results.values()] },
    ],
    series: [
      series('produced − received over time', 'MiB', (s) => s.inflight / MiB),
      series('server RSS over time', 'MiB', (s) => s.rss / MiB),
    ],
    notes: [],
    seconds: (performance.now() - started) / 1000,
  };
}

async function sample(
  server: ServerProcess,
  reader: SlowReader,
  base: { produced: number },
): Promise<{ rss: number; inflight: number }> {
  const s = await server.stats();
  return { rss: s.rss, inflight: s.produced - base.produced - reader.received };
}
