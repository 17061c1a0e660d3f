// Scenario 2: a large file. One connection: MiB/s (time to last byte). Ten
// connections at once: the server's RSS, sampled from /proc while they download.
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import {
  type BenchContext,
  ensureLive,
  pickTargets,
  roundOrder,
  startAll,
  stopAll,
} from '../harness/context';
import { download } from '../harness/http-client';
import { type MetricDef, record, type ScenarioResult, targetResult } from '../harness/results';
import type { ServerProcess } from '../harness/server-process';

const MiB = 1024 * 1024;

/** The file's content at byte i, so a check needs no second copy. @internal */
export function patternByte(i: number): number {
  return (i * 7 + (i >>> 20)) & 0xff;
}

function patternChunk(offset: number, length: number): Buffer {
  const b = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) b[i] = patternByte(offset + i);
  return b;
}

/** Writes the scenario's file (`mib` MiB) into `dir`; returns its path. @internal */
export function createBigFile(dir: string, mib: number): string {
  const path = join(dir, 'big.bin');
  const fd = openSync(path, 'w');
  try {
    for (let i = 0; i < mib; i++) writeSync(fd, patternChunk(i * MiB, MiB));
  } finally {
    closeSync(fd);
  }
  return path;
}

/** Compares downloaded chunks with the file, every byte; returns a problem or undefined. @internal */
function checkFile(chunks: readonly Buffer[], expected: Buffer): string | undefined {
  let offset = 0;
  for (const chunk of chunks) {
    if (!expected.subarray(offset, offset + chunk.length).equals(chunk)) {
      return `the bytes at ${offset}..${offset + chunk.length} differ from the file`;
    }
    offset += chunk.length;
  }
  return offset === expected.length
    ? undefined
    : `got ${offset} bytes, expected ${expected.length}`;
}

const METRICS: readonly MetricDef[] = [
  { key: 'mibs', label: '1 conn MiB/s', better: 'higher', ratio: 'plain' },
  { key: 'rss10', label: '10 conns peak RSS MiB', better: 'lower', ratio: 'plain' },
  { key: 'rssGrowth10', label: 'RSS growth MiB', better: 'lower', ratio: 'none', digits: 1 },
  { key: 'mibs10', label: '10 conns MiB/s', better: 'higher', ratio: 'none' },
];

async function tenConnections(server: ServerProcess, path: string, size: number) {
  const idle = server.rss() ?? Number.NaN;
  let peak = idle;
  const sampler = setInterval(() => {
    const rss = server.rss();
    if (rss !== undefined && rss > peak) peak = rss;
  }, 10);
  const t0 = performance.now();
  try {
    const downloads = await Promise.all(
      Array.from({ length: 10 }, () => download(server.port, path, false)),
    );
    const bad = downloads.find((d) => d.bytes !== size || d.status !== 200);
    if (bad)
      throw new Error(
        `a download got status ${bad.status} and ${bad.bytes} bytes, expected ${size}`,
      );
  } finally {
    clearInterval(sampler);
  }
  const seconds = (performance.now() - t0) / 1000;
  const last = server.rss();
  if (last !== undefined && last > peak) peak = last;
  return { idle, peak, mibs: (10 * size) / MiB / seconds };
}

/** Runs scenario 2. @internal */
export async function fileScenario(ctx: BenchContext): Promise<ScenarioResult> {
  const started = performance.now();
  const { options } = ctx;
  const size = options.fileMiB * MiB;
  const targets = pickTargets(ctx, [
    'node',
    'node-1m',
    'plinth',
    'fastify',
    'hono',
    'koa',
    'express',
  ]);
  const results = new Map(targets.map((t) => [t.id, targetResult(t.id, t.label, t.reference)]));
  const pathOf = (id: string): string => (id === 'node-1m' ? '/file-1m' : '/file');
  const servers = await startAll(ctx, targets, results);
  const expected = readFileSync(ctx.serverEnv.BENCH_FILE!);
  try {
    for (const target of targets) {
      const server = servers.get(target.id);
      if (!server) continue;
      // Warm-up, and the check of every byte.
      const d = await download(server.port, pathOf(target.id), true);
      const problem = d.status !== 200 ? `status ${d.status}` : checkFile(d.chunks, expected);
      if (problem) {
        results.get(target.id)?.notes.push(`wrong file, not measured: ${problem}`);
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
        try {
          // Two single-connection downloads per round: one is too short to time well.
          let ms = 0;
          for (let i = 0; i < 2; i++) {
            const d = await download(server.port, pathOf(target.id), false);
            if (d.bytes !== size) throw new Error(`got ${d.bytes} bytes, expected ${size}`);
            ms += d.ttlb;
          }
          record(result, 'mibs', round, (2 * size) / MiB / (ms / 1000));
          const ten = await tenConnections(server, pathOf(target.id), size);
          record(result, 'rss10', round, ten.peak / MiB);
          record(result, 'rssGrowth10', round, (ten.peak - ten.idle) / MiB);
          record(result, 'mibs10', round, ten.mibs);
          ctx.log(
            `  round ${round + 1} ${target.label}: ${Math.round((2 * size) / MiB / (ms / 1000))} MiB/s, 10 conns peak RSS ${Math.round(ten.peak / MiB)} MiB`,
          );
        } catch (error) {
          result.notes.push(`round ${round + 1}: ${String(error)}`);
        }
      }
    }
  } finally {
    await stopAll(servers);
  }
  return {
    id: 2,
    title: `${options.fileMiB} MiB file`,
    description:
      `GET of a ${options.fileMiB} MiB file: throughput over one connection (two downloads per round, time to last byte), ` +
      'then ten connections at once while the server RSS is sampled from /proc every 10 ms. ' +
      "Each framework's file idiom: node:http fs.createReadStream + pipeline (64 KiB reads), Plinth file(), " +
      'Fastify @fastify/static sendFile, Hono serveStatic, Koa ctx.body = createReadStream, Express res.sendFile. ' +
      'The 1 MiB-reads row is node:http with createReadStream({ highWaterMark: 1 MiB }), for reference.',
    tables: [{ title: 'file', baseline: 'node', metrics: METRICS, targets: [...results.values()] }],
    series: [],
    notes: [],
    seconds: (performance.now() - started) / 1000,
  };
}
