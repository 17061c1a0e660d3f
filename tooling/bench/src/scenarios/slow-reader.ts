// Scenario 5: slow readers. Per target, one client reads an endless byte stream at
// a trickle (paused in between), and another reads an SSE stream at the same
// trickle while the server broadcasts large events to it. The server's RSS, its
// sockets' user-space buffers and how far production ran ahead of the client are
// sampled over time. A bounded server stops producing (or drops, or lets go of the
// client) once the buffers are full.
import { connect, type Socket } from 'node:net';
import {
  type BenchContext,
  delay,
  ensureLive,
  pickTargets,
  startAll,
  stopAll,
  type Target,
} from '../harness/context';
import {
  type MetricDef,
  type ResultTable,
  record,
  type ScenarioResult,
  type SeriesTable,
  type TargetResult,
  targetResult,
} from '../harness/results';
import type { ServerProcess } from '../harness/server-process';
import { median } from '../harness/stats';

const MiB = 1024 * 1024;
/** SSE events of scenario 5b: this many filler bytes, every BROADCAST_MS. */
const EVENT_PAD = 16 * 1024;
const BROADCAST_MS = 10;

type Kind = 'stream' | 'sse';

/** A raw-socket client that reads at most `rate` bytes per second. @internal */
class SlowReader {
  received = 0;
  #allowance: number;
  readonly socket: Socket;
  readonly #timer: NodeJS.Timeout;

  constructor(port: number, path: string, rate: number) {
    this.#allowance = rate;
    this.socket = connect({ host: '127.0.0.1', port });
    this.socket.on('data', (data: Buffer) => {
      this.received += data.length;
      if (this.received >= this.#allowance) this.socket.pause();
    });
    this.socket.on('error', () => {});
    const accept = path === '/sse' ? 'Accept: text/event-stream\r\n' : '';
    this.socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${accept}\r\n`);
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

const STREAM_METRICS: readonly MetricDef[] = [
  {
    key: 'inflight',
    label: 'produced − received MiB (end)',
    better: 'lower',
    ratio: 'none',
    digits: 1,
  },
  {
    key: 'lateGrowth',
    label: 'growth in last third MiB',
    better: 'lower',
    ratio: 'none',
    digits: 1,
  },
  { key: 'userland', label: 'socket buffers MiB (end)', better: 'lower', ratio: 'none', digits: 2 },
  { key: 'rssGrowth', label: 'RSS growth MiB', better: 'lower', ratio: 'none', digits: 1 },
  { key: 'rssMax', label: 'peak RSS MiB', better: 'lower', ratio: 'none' },
];

const SSE_METRICS: readonly MetricDef[] = [
  {
    key: 'held',
    label: 'heap + buffers growth MiB (end)',
    better: 'lower',
    ratio: 'none',
    digits: 1,
  },
  {
    key: 'lateGrowth',
    label: 'growth in last third MiB',
    better: 'lower',
    ratio: 'none',
    digits: 1,
  },
  { key: 'userland', label: 'socket buffers MiB (end)', better: 'lower', ratio: 'none', digits: 2 },
  { key: 'rssGrowth', label: 'RSS growth MiB', better: 'lower', ratio: 'none', digits: 1 },
  { key: 'subscribed', label: 'still subscribed', better: 'none', ratio: 'none' },
  { key: 'delivered', label: 'client read MiB', better: 'none', ratio: 'none', digits: 1 },
  { key: 'events', label: 'broadcasts done', better: 'none', ratio: 'none' },
];

interface Sample {
  t: number;
  rss: number;
  /** 5a: produced − received bytes; 5b: heap + array buffers held since the start, after a GC. */
  inflight: number;
}

interface Session {
  readonly kind: Kind;
  readonly target: Target;
  readonly server: ServerProcess;
  readonly reader: SlowReader;
  readonly base: { rss: number; heap: number; produced: number };
  readonly samples: Sample[];
  /** SSE: whether a broadcast is under way, and how many completed. */
  busy: boolean;
  broadcasts: number;
}

/** Runs scenario 5. @internal */
export async function slowReaderScenario(ctx: BenchContext): Promise<ScenarioResult> {
  const started = performance.now();
  const { options } = ctx;
  const targets = pickTargets(ctx, ['node', 'plinth', 'fastify', 'hono', 'koa', 'express']);
  const kinds: Kind[] = ['stream', 'sse'];
  const results = new Map<Kind, Map<string, TargetResult>>(
    kinds.map((k) => [k, new Map(targets.map((t) => [t.id, targetResult(t.id, t.label)]))]),
  );
  const seconds = options.slowSeconds;
  const every = seconds >= 20 ? 2 : 1;
  const times: number[] = [];
  for (let t = 0; t <= seconds; t += every) times.push(t);
  // samples.get(kind).get(target)[round] = the round's samples
  const samples = new Map<Kind, Map<string, Sample[][]>>(
    kinds.map((k) => [k, new Map(targets.map((t) => [t.id, []]))]),
  );
  // Every target and both kinds at once, each in its own server: the readers are
  // idle by design, and a server that keeps producing shows it in its own counters
  // whatever the others do. The servers serve every round (a round's client leaves
  // before the next; what it held is freed, and growth is taken from each round's
  // start).
  const servers = new Map<Kind, Map<string, ServerProcess>>();
  for (const kind of kinds) servers.set(kind, await startAll(ctx, targets, results.get(kind)!));
  try {
    for (let round = 0; round < options.rounds; round++) {
      const sessions: Session[] = [];
      let seq = 0;
      let broadcaster: NodeJS.Timeout | undefined;
      try {
        for (const kind of kinds) {
          const running = servers.get(kind)!;
          for (const target of targets) {
            if (running.has(target.id)) {
              await ensureLive(ctx, target, running, results.get(kind)!.get(target.id)!, round);
            }
          }
        }
        for (const kind of kinds) {
          for (const target of targets) {
            const server = servers.get(kind)?.get(target.id);
            if (!server) continue;
            const s = await server.stats(true);
            const reader = new SlowReader(
              server.port,
              kind === 'sse' ? '/sse' : '/stream',
              options.slowRate,
            );
            sessions.push({
              kind,
              target,
              server,
              reader,
              base: { rss: s.rss, heap: s.heapUsed + s.arrayBuffers, produced: s.produced },
              samples: [],
              busy: false,
              broadcasts: 0,
            });
          }
        }
        // Let the SSE clients connect before the first event.
        await delay(300);
        broadcaster = setInterval(() => {
          seq++;
          for (const session of sessions) {
            if (session.kind !== 'sse' || session.busy || !session.server.alive) continue;
            session.busy = true;
            session.server.broadcast(seq, EVENT_PAD).then(
              () => {
                session.busy = false;
                session.broadcasts++;
              },
              () => {
                session.busy = false;
              },
            );
          }
        }, BROADCAST_MS);
        const t0 = performance.now();
        for (const t of times) {
          const wait = t0 + t * 1000 - performance.now();
          if (wait > 0) await delay(wait);
          for (const session of sessions) {
            if (!session.server.alive) continue;
            if (session.kind === 'sse') {
              // After a GC: what the server really holds for the slow client.
              const s = await session.server.stats(true);
              session.samples.push({
                t,
                rss: s.rss,
                inflight: s.heapUsed + s.arrayBuffers - session.base.heap,
              });
            } else {
              const s = await session.server.stats();
              const made = s.produced - session.base.produced;
              session.samples.push({ t, rss: s.rss, inflight: made - session.reader.received });
            }
          }
        }
        clearInterval(broadcaster);
        broadcaster = undefined;
        for (const session of sessions) {
          const result = results.get(session.kind)!.get(session.target.id)!;
          samples.get(session.kind)!.get(session.target.id)![round] = session.samples;
          const list = session.samples;
          const end = list[list.length - 1];
          // Growth over the last third tells a bound (flat by then) from a leak (still rising).
          const mid = list[Math.floor(((list.length - 1) * 2) / 3)];
          if (!end || !mid || !session.server.alive) {
            result.notes.push(`round ${round + 1}: the server died`);
            continue;
          }
          const last = await session.server.stats();
          record(result, session.kind === 'sse' ? 'held' : 'inflight', round, end.inflight / MiB);
          record(result, 'lateGrowth', round, (end.inflight - mid.inflight) / MiB);
          record(result, 'userland', round, last.socketBuffered / MiB);
          record(result, 'rssGrowth', round, (end.rss - session.base.rss) / MiB);
          record(result, 'rssMax', round, Math.max(...list.map((s) => s.rss)) / MiB);
          record(result, 'subscribed', round, last.sseClients ?? Number.NaN);
          record(result, 'delivered', round, session.reader.received / MiB);
          record(result, 'events', round, session.broadcasts);
          ctx.log(
            `  round ${round + 1} ${session.kind} ${result.label}: in flight ${(end.inflight / MiB).toFixed(1)} MiB, RSS ${(end.rss / MiB).toFixed(0)} MiB`,
          );
        }
      } finally {
        if (broadcaster) clearInterval(broadcaster);
        for (const session of sessions) session.reader.close();
      }
      // Let the servers notice the readers left and free what they held.
      await delay(300);
    }
  } finally {
    for (const running of servers.values()) await stopAll(running);
  }
  const series = (kind: Kind, title: string, pick: (s: Sample) => number): SeriesTable => ({
    title,
    unit: 'MiB',
    times,
    rows: targets.map((t) => ({
      label: t.label,
      values: times.map((_, k) =>
        median(
          (samples.get(kind)!.get(t.id) ?? []).map((round) =>
            round?.[k] ? pick(round[k]) : Number.NaN,
          ),
        ),
      ),
    })),
  });
  const tables: ResultTable[] = [
    {
      title: '5a. endless byte stream',
      baseline: 'node',
      metrics: STREAM_METRICS,
      targets: [...results.get('stream')!.values()],
    },
    {
      title: `5b. SSE, ${EVENT_PAD / 1024} KiB events every ${BROADCAST_MS} ms`,
      baseline: 'node',
      metrics: SSE_METRICS,
      targets: [...results.get('sse')!.values()],
    },
  ];
  return {
    id: 5,
    title: 'Slow reader',
    description:
      `Each client reads at most ${options.slowRate / 1024} KiB per second for ${seconds} s, paused in between; every ` +
      `target and both variants at once (one server each, serving every round), ${options.rounds} rounds; series are medians over rounds. ` +
      '5a: an endless stream of 64 KiB chunks (fresh buffers, from a generator). "Produced − received" is what the ' +
      "generator made minus what the client read: the bytes held anywhere between them (server buffers, both kernels' " +
      'socket buffers, ~4-6 MiB on loopback). Idioms: node:http and Express pipeline(Readable.from(gen), res), Plinth ' +
      'text(gen), Fastify reply.send(Readable.from(gen)), Koa ctx.body = Readable.from(gen), Hono stream() with await ' +
      `write per chunk. 5b: the SSE endpoint of scenario 4 while the server broadcasts a ${EVENT_PAD / 1024} KiB event ` +
      `every ${BROADCAST_MS} ms (~${((EVENT_PAD * 1000) / BROADCAST_MS / MiB).toFixed(1)} MiB/s) to this one slow client; ` +
      "the server's heap + array buffers are read after a GC at each sample. A server may bound memory by dropping " +
      'events or by letting the client go (see "still subscribed": the server\'s own count of SSE clients at the end).',
    tables,
    series: [
      series('stream', '5a. produced − received over time', (s) => s.inflight / MiB),
      series('stream', '5a. server RSS over time', (s) => s.rss / MiB),
      series(
        'sse',
        '5b. server heap + buffers growth (after GC) over time',
        (s) => s.inflight / MiB,
      ),
      series('sse', '5b. server RSS over time', (s) => s.rss / MiB),
    ],
    notes: [],
    seconds: (performance.now() - started) / 1000,
  };
}
