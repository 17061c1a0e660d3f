// Scenario 3: a lazy sequence of n small objects sent as a JSON array and as NDJSON;
// time to first and last byte, and every byte checked afterwards.
import {
  type BenchContext,
  ensureLive,
  pickTargets,
  roundOrder,
  startAll,
  stopAll,
} from '../harness/context';
import { type Download, download, downloadPrefix } from '../harness/http-client';
import {
  type MetricDef,
  type ResultTable,
  record,
  type ScenarioResult,
  type TargetResult,
  targetResult,
} from '../harness/results';

type Format = 'json' | 'ndjson';

const METRICS: readonly MetricDef[] = [
  { key: 'ttlb', label: 'last byte ms', better: 'lower', ratio: 'speed' },
  { key: 'ttfb', label: 'first byte ms', better: 'lower', ratio: 'none', digits: 1 },
  { key: 'mibs', label: 'MiB/s', better: 'higher', ratio: 'none' },
];

/** The expected text of element i (what servers/harness.ts `item` serialises to). @internal */
export function itemJson(i: number): string {
  return `{"id":${i},"name":"item ${i}"}`;
}

/** Checks a JSON array body of n elements, every element. @internal */
export function checkJsonArray(body: string, n: number): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    return `not JSON: ${(error as Error).message}`;
  }
  if (!Array.isArray(parsed)) return 'not a JSON array';
  if (parsed.length !== n) return `${parsed.length} elements, expected ${n}`;
  for (let i = 0; i < n; i++) {
    const e = parsed[i] as { id?: unknown; name?: unknown };
    if (e?.id !== i || e.name !== `item ${i}`) return `element ${i} is ${JSON.stringify(e)}`;
  }
  return undefined;
}

/** Checks an NDJSON body of n lines, every line. @internal */
export function checkNdjson(body: string, n: number): string | undefined {
  if (n > 0 && !body.endsWith('\n')) return 'does not end with a newline';
  const lines = body.split('\n');
  lines.pop();
  if (lines.length !== n) return `${lines.length} lines, expected ${n}`;
  for (let i = 0; i < n; i++) {
    if (lines[i] !== itemJson(i)) {
      let same = false;
      try {
        const e = JSON.parse(lines[i] as string) as { id?: unknown; name?: unknown };
        same = e.id === i && e.name === `item ${i}`;
      } catch {}
      if (!same) return `line ${i} is ${JSON.stringify(lines[i]?.slice(0, 80))}`;
    }
  }
  return undefined;
}

function checkBody(d: Download, format: Format, n: number): string | undefined {
  if (d.status !== 200) return `status ${d.status}`;
  const body = Buffer.concat(d.chunks).toString('utf8');
  d.chunks.length = 0;
  return format === 'json' ? checkJsonArray(body, n) : checkNdjson(body, n);
}

/** Runs scenario 3. @internal */
export async function sequenceScenario(ctx: BenchContext): Promise<ScenarioResult> {
  const started = performance.now();
  const { options } = ctx;
  const n = options.seqN;
  const targets = pickTargets(ctx, [
    'node',
    'node-batched',
    'plinth',
    'plinth-schema',
    'fastify',
    'hono',
    'koa',
    'express',
  ]);
  const formats: Format[] = ['json', 'ndjson'];
  const results = new Map<Format, Map<string, TargetResult>>(
    formats.map((f) => [
      f,
      new Map(targets.map((t) => [t.id, targetResult(t.id, t.label, t.reference)])),
    ]),
  );
  const pathOf = (id: string, format: Format): string =>
    `/seq/${format}${id === 'node-batched' ? '-batched' : id === 'plinth-schema' ? '-schema' : ''}`;
  const servers = await startAll(ctx, targets, results.get('json')!);
  const bad = new Set<string>();
  try {
    // Warm-up: the first 4 MiB of each format (tens of thousands of elements).
    for (const target of targets) {
      const server = servers.get(target.id);
      if (!server) continue;
      for (const format of formats) {
        await downloadPrefix(server.port, pathOf(target.id, format), 4 * 1024 * 1024);
      }
    }
    for (let round = 0; round < options.rounds; round++) {
      for (const format of formats) {
        for (const target of roundOrder(targets, round)) {
          if (bad.has(`${target.id} ${format}`) || !servers.has(target.id)) continue;
          const result = results.get(format)!.get(target.id)!;
          const server = await ensureLive(ctx, target, servers, result, round);
          if (!server) continue;
          try {
            // The first round's body is also the check of every element (after timing).
            const d = await download(server.port, pathOf(target.id, format), round === 0);
            if (round === 0) {
              const problem = checkBody(d, format, n);
              if (problem) {
                result.notes.push(`wrong ${format} body, not measured: ${problem}`);
                bad.add(`${target.id} ${format}`);
                continue;
              }
              const type = String(d.headers['content-type'] ?? '');
              if (!type.includes(format === 'json' ? 'application/json' : 'ndjson')) {
                result.notes.push(`content-type ${type}`);
              }
            }
            record(result, 'ttlb', round, d.ttlb);
            record(result, 'ttfb', round, d.ttfb);
            record(result, 'mibs', round, d.bytes / (1024 * 1024) / (d.ttlb / 1000));
            ctx.log(`  round ${round + 1} ${format} ${target.label}: ${Math.round(d.ttlb)} ms`);
          } catch (error) {
            result.notes.push(`round ${round + 1}: ${String(error)}`);
          }
        }
      }
    }
  } finally {
    await stopAll(servers);
  }
  const tables: ResultTable[] = formats.map((format) => ({
    title: format === 'json' ? 'JSON array' : 'NDJSON',
    baseline: 'node',
    metrics: METRICS,
    targets: [...results.get(format)!.values()],
  }));
  return {
    id: 3,
    title: `${n.toLocaleString('en-US')}-element sequence`,
    description:
      `GET of a lazy sequence of ${n.toLocaleString('en-US')} objects {"id":i,"name":"item i"}, as a JSON array and as NDJSON, ` +
      'over one connection; time to first and last byte, after a warm-up reading the first 4 MiB. Every element of both ' +
      'bodies of the first round is checked (after timing). ' +
      'node:http writes one element per res.write (waiting for drain) — the baseline; the 16 KiB-batches row joins elements ' +
      'into ~16 KiB writes, for reference. Peers stream a Readable.from(generator) (Fastify reply.send, Koa ctx.body, ' +
      "Express pipeline) or Hono's stream() helper with one write per element; Plinth returns the generator as the body " +
      '(JSON array) or ndjson(generator); "Plinth, element schema" sends the same generator through jsonArray() and ' +
      "ndjson() with { serialize } compiled from the elements' JSON Schema (@plinth/body-writer/schema).",
    tables,
    series: [],
    notes: [],
    seconds: (performance.now() - started) / 1000,
  };
}
