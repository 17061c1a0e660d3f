// Scenario 7: a working server. One server process per target serves, every round,
// what a user throws at it in a row: hello-world load (autocannon -c 100 -p 10),
// then file downloads with `curl -o /dev/null`, then the sequence as a JSON array and
// as NDJSON (curl too). A fresh server is what the other scenarios measure; a real
// one has served load before, and what load leaves behind (a grown heap, connection
// state) can slow later responses. The limit row is node:http tuned by hand: 1 MiB
// reads for the file, 16 KiB batches for the sequence.
import type { Affinity } from '../harness/affinity';
import {
  type BenchContext,
  ensureLive,
  pickTargets,
  roundOrder,
  startAll,
  stopAll,
} from '../harness/context';
import { curlDownload, hasCurl } from '../harness/curl';
import { download } from '../harness/http-client';
import { AutocannonWorker } from '../harness/load';
import {
  type MetricDef,
  record,
  type ScenarioResult,
  type TargetResult,
  targetResult,
} from '../harness/results';
import type { ServerProcess } from '../harness/server-process';
import { checkJsonArray, checkNdjson } from './sequence';

const MiB = 1024 * 1024;

/** The targets of scenario 7; `node-limit` is the reference the issue measures against. @internal */
export const WORKING_TARGETS = ['node', 'node-limit', 'plinth', 'fastify'] as const;

const METRICS: readonly MetricDef[] = [
  { key: 'rps', label: 'hello req/s', better: 'higher', ratio: 'plain' },
  { key: 'mibs', label: 'file MiB/s (curl)', better: 'higher', ratio: 'plain' },
  { key: 'rssGrowth', label: 'RSS growth MiB', better: 'lower', ratio: 'none', digits: 1 },
  { key: 'json', label: 'JSON array ms', better: 'lower', ratio: 'speed' },
  { key: 'ndjson', label: 'NDJSON ms', better: 'lower', ratio: 'speed' },
];

/** The paths a target serves the scenario's steps on. @internal */
export function workingPaths(id: string): { file: string; json: string; ndjson: string } {
  return id === 'node-limit'
    ? { file: '/file-1m', json: '/seq/json-batched', ndjson: '/seq/ndjson-batched' }
    : { file: '/file', json: '/seq/json', ndjson: '/seq/ndjson' };
}

/** Downloads `url` `times` times with curl, sampling the server's RSS meanwhile. */
async function downloads(
  server: ServerProcess,
  url: string,
  times: number,
  size: number,
  affinity: Affinity,
): Promise<{ mibs: number; rssGrowth: number }> {
  const idle = server.rss() ?? Number.NaN;
  let peak = idle;
  const sampler = setInterval(() => {
    const rss = server.rss();
    if (rss !== undefined && rss > peak) peak = rss;
  }, 10);
  let seconds = 0;
  try {
    for (let i = 0; i < times; i++) {
      const d = await curlDownload(url, affinity);
      if (d.status !== 200 || d.bytes !== size) {
        throw new Error(`curl got status ${d.status} and ${d.bytes} bytes, expected ${size}`);
      }
      seconds += d.total;
    }
  } finally {
    clearInterval(sampler);
  }
  return { mibs: (times * size) / MiB / seconds, rssGrowth: (peak - idle) / MiB };
}

/** Checks a target's file length and both sequence bodies, every element. */
async function check(
  server: ServerProcess,
  id: string,
  size: number,
  n: number,
  affinity: Affinity,
): Promise<string | undefined> {
  const paths = workingPaths(id);
  const f = await curlDownload(`${server.url}${paths.file}`, affinity);
  if (f.status !== 200 || f.bytes !== size) return `file: status ${f.status}, ${f.bytes} bytes`;
  for (const [path, checkBody] of [
    [paths.json, checkJsonArray],
    [paths.ndjson, checkNdjson],
  ] as const) {
    const d = await download(server.port, path, true);
    if (d.status !== 200) return `${path}: status ${d.status}`;
    const problem = checkBody(Buffer.concat(d.chunks).toString('utf8'), n);
    if (problem) return `${path}: ${problem}`;
  }
  return undefined;
}

/** Runs scenario 7. @internal */
export async function workingScenario(ctx: BenchContext): Promise<ScenarioResult> {
  const started = performance.now();
  const { options, affinity } = ctx;
  const size = options.fileMiB * MiB;
  const n = options.seqN;
  const targets = pickTargets(ctx, WORKING_TARGETS);
  const results = new Map<string, TargetResult>(
    targets.map((t) => [t.id, targetResult(t.id, t.label, t.reference)]),
  );
  const notes: string[] = [];
  if (!hasCurl()) {
    notes.push('not run: curl is not installed');
    return {
      id: 7,
      title: 'A working server',
      description: 'Needs curl.',
      tables: [],
      series: [],
      notes,
      seconds: 0,
    };
  }
  const autocannon = new AutocannonWorker(ctx.clientsDir, affinity);
  const servers = await startAll(ctx, targets, results);
  try {
    for (const target of targets) {
      const server = servers.get(target.id);
      if (!server) continue;
      const problem = await check(server, target.id, size, n, affinity);
      if (problem) {
        results.get(target.id)?.notes.push(`wrong answer, not measured: ${problem}`);
        await server.stop();
        servers.delete(target.id);
      }
    }
    for (let round = 0; round < options.rounds; round++) {
      for (const target of roundOrder(targets, round)) {
        const result = results.get(target.id)!;
        if (!servers.has(target.id)) continue;
        const server = await ensureLive(ctx, target, servers, result, round);
        if (!server) continue;
        const paths = workingPaths(target.id);
        try {
          const load = await autocannon.run(`${server.url}/`, {
            connections: 100,
            pipelining: 10,
            durationSec: options.workingSec,
          });
          record(result, 'rps', round, load.rps);
          if (load.errors > 0) result.notes.push(`round ${round + 1}: ${load.errors} errors`);
          const file = await downloads(
            server,
            `${server.url}${paths.file}`,
            options.downloads,
            size,
            affinity,
          );
          record(result, 'mibs', round, file.mibs);
          record(result, 'rssGrowth', round, file.rssGrowth);
          for (const format of ['json', 'ndjson'] as const) {
            const d = await curlDownload(`${server.url}${paths[format]}`, affinity);
            if (d.status !== 200) throw new Error(`${paths[format]}: status ${d.status}`);
            record(result, format, round, d.total * 1000);
          }
          ctx.log(
            `  round ${round + 1} ${target.label}: ${Math.round(load.rps)} req/s, ` +
              `file ${Math.round(file.mibs)} MiB/s, JSON ${Math.round(result.values.json![round]!)} ms, ` +
              `NDJSON ${Math.round(result.values.ndjson![round]!)} ms`,
          );
        } catch (error) {
          result.notes.push(`round ${round + 1}: ${String(error)}`);
        }
      }
    }
  } finally {
    await autocannon.stop();
    await stopAll(servers);
  }
  const all = [...results.values()];
  return {
    id: 7,
    title: 'A working server',
    description:
      `One server process per target, all rounds. Each round, on the same process: ${options.workingSec} s of hello-world ` +
      `load (autocannon -c 100 -p 10), then ${options.downloads} downloads of the ${options.fileMiB} MiB file with ` +
      '`curl -o /dev/null` (MiB/s over the downloads; RSS growth sampled every 10 ms), then the ' +
      `${n.toLocaleString('en-US')}-element sequence as a JSON array and as NDJSON with curl (time to last byte). ` +
      'Every target is checked first (file length, every element of both sequences). The limit row is node:http ' +
      'with pipeline(createReadStream(path, { highWaterMark: 1 MiB }), res) for the file and hand-made 16 KiB ' +
      'batches for the sequences (its hello-world is plain node:http). The second table divides by the limit.',
    tables: [
      { title: 'vs node:http', baseline: 'node', metrics: METRICS, targets: all },
      {
        title: 'vs the limit',
        baseline: 'node-limit',
        baselineLabel: 'limit',
        metrics: METRICS,
        targets: all,
      },
    ],
    series: [],
    notes,
    seconds: (performance.now() - started) / 1000,
  };
}
