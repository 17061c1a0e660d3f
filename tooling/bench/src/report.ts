// The issue's targets for Plinth, judged from the results: met or missed, by how much.
import {
  fmt,
  type ResultTable,
  ratioSummary,
  type ScenarioResult,
  type TargetResult,
} from './harness/results';
import { summarise } from './harness/stats';

/** One target of the issue and what the run says about it. @internal */
export interface Verdict {
  readonly scenario: number;
  readonly target: string;
  readonly measured: string;
  /** undefined when it could not be judged (a target did not run). */
  readonly met: boolean | undefined;
}

function find(table: ResultTable | undefined, id: string): TargetResult | undefined {
  return table?.targets.find((t) => t.id === id);
}

function med(target: TargetResult | undefined, key: string): number {
  return summarise(target?.values[key] ?? []).median;
}

function ratio(
  table: ResultTable,
  id: string,
  key: string,
): ReturnType<typeof summarise> | undefined {
  const target = find(table, id);
  const metric = table.metrics.find((m) => m.key === key);
  return target && metric ? ratioSummary(table, target, metric) : undefined;
}

function x(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(2)}x` : '–';
}

function helloVerdicts(result: ScenarioResult): Verdict[] {
  const out: Verdict[] = [];
  for (const table of result.tables) {
    for (const id of ['plinth', 'plinth-10']) {
      const r = ratio(table, id, 'rps');
      const plinth = find(table, id)?.values.rps ?? [];
      const fastify = find(table, 'fastify')?.values.rps ?? [];
      let rounds = 0;
      let wins = 0;
      plinth.forEach((v, i) => {
        const f = fastify[i];
        if (Number.isFinite(v) && f !== undefined && Number.isFinite(f)) {
          rounds++;
          if (v >= f) wins++;
        }
      });
      if (!r || r.n === 0) {
        out.push({
          scenario: 1,
          target: `${table.title}: ${id} >= 0.95x node:http and >= Fastify`,
          measured: 'not run',
          met: undefined,
        });
        continue;
      }
      const vsFastify = summarise(plinth.map((v, i) => v / (fastify[i] ?? Number.NaN))).median;
      out.push({
        scenario: 1,
        target: `${table.title}: ${id === 'plinth' ? 'Plinth' : 'Plinth + 10 interceptors'} >= 0.95x node:http and >= Fastify in the same round`,
        measured: `${x(r.median)} node:http (${x(r.min)}–${x(r.max)}); ${x(vsFastify)} Fastify, ahead in ${wins} of ${rounds} rounds`,
        // Both ratios are medians of per-round ratios: node:http and Fastify of the same round.
        met: r.median >= 0.95 && rounds > 0 && vsFastify >= 1,
      });
    }
  }
  return out;
}

function fileVerdicts(result: ScenarioResult): Verdict[] {
  const table = result.tables[0];
  const r = table && ratio(table, 'plinth', 'mibs');
  const ref = table && ratio(table, 'node-1m', 'mibs');
  if (!r || r.n === 0)
    return [
      {
        scenario: 2,
        target: '1 connection >= 2x node:http pipeline',
        measured: 'not run',
        met: undefined,
      },
    ];
  return [
    {
      scenario: 2,
      target: '1 connection MiB/s >= 2x node:http default pipeline',
      measured: `${x(r.median)} (${x(r.min)}–${x(r.max)}); node:http with 1 MiB reads ${x(ref?.median ?? Number.NaN)}`,
      met: r.median >= 2,
    },
  ];
}

/** Median over rounds of `ref`'s time / `id`'s time (speed of `id` as a multiple of `ref`'s). */
function speedVs(table: ResultTable, id: string, ref: string, key: string): number {
  const a = find(table, id)?.values[key] ?? [];
  const b = find(table, ref)?.values[key] ?? [];
  return summarise(a.map((v, i) => (b[i] ?? Number.NaN) / v)).median;
}

function sequenceVerdicts(result: ScenarioResult): Verdict[] {
  return result.tables.flatMap((table): Verdict[] => {
    const r = ratio(table, 'plinth', 'ttlb');
    const ref = ratio(table, 'node-batched', 'ttlb');
    if (!r || r.n === 0)
      return [
        { scenario: 3, target: `${table.title} >= 10x`, measured: 'not run', met: undefined },
      ];
    const out: Verdict[] = [
      {
        scenario: 3,
        target: `${table.title}: >= 10x node:http writing one element at a time`,
        measured: `${x(r.median)} (${x(r.min)}–${x(r.max)}); node:http 16 KiB batches ${x(ref?.median ?? Number.NaN)}`,
        met: r.median >= 10,
      },
    ];
    // Issue 22: the object sequence at least 0.9x of its ceiling (the 16 KiB batches,
    // same objects, same JSON.stringify); the element schema faster than without it.
    const ceiling = speedVs(table, 'plinth', 'node-batched', 'ttlb');
    if (Number.isFinite(ceiling)) {
      out.push({
        scenario: 3,
        target: `${table.title}: Plinth >= 0.9x the 16 KiB batches (speed)`,
        measured: x(ceiling),
        met: ceiling >= 0.9,
      });
    }
    const schema = speedVs(table, 'plinth-schema', 'plinth', 'ttlb');
    if (Number.isFinite(schema)) {
      out.push({
        scenario: 3,
        target: `${table.title}: Plinth with an element schema faster than without (speed)`,
        measured: `${x(schema)} Plinth without; ${x(speedVs(table, 'plinth-schema', 'node-batched', 'ttlb'))} the 16 KiB batches`,
        met: schema > 1,
      });
    }
    return out;
  });
}

const PEERS: readonly string[] = ['fastify', 'hono', 'koa', 'express'];

function sseVerdicts(result: ScenarioResult): Verdict[] {
  const table = result.tables[0];
  const plinth = med(find(table, 'plinth'), 'p99');
  if (!Number.isFinite(plinth)) {
    return [{ scenario: 4, target: 'p99 <= best peer', measured: 'not run', met: undefined }];
  }
  // The peers are the frameworks; node:http (no framework) is shown beside them.
  const peers = (table?.targets ?? [])
    .filter((t) => PEERS.includes(t.id) && Number.isFinite(med(t, 'p99')))
    .sort((a, b) => med(a, 'p99') - med(b, 'p99'));
  const best = peers[0];
  const bestP99 = med(best, 'p99');
  const by = best
    ? ` (${((plinth / bestP99 - 1) * 100).toFixed(0)}% ${plinth > bestP99 ? 'slower' : 'faster'})`
    : '';
  return [
    {
      scenario: 4,
      target: 'delivery p99 no worse than the best peer',
      measured:
        `Plinth ${fmt(plinth, 1)} ms; best peer ${best?.label ?? '–'} ${fmt(bestP99, 1)} ms${by}; ` +
        `node:http ${fmt(med(find(table, 'node'), 'p99'), 1)} ms`,
      met: best ? plinth <= bestP99 : undefined,
    },
  ];
}

/**
 * Bounded: the server stopped holding more (under 3 MiB more over the last third of
 * the run; kernel buffer autotuning can add a step of ~1.5 MiB) and holds less than
 * 32 MiB.
 * 5a counts produced − received bytes; 5b the server's heap + buffers after a GC.
 */
function bounded(t: TargetResult | undefined, key: 'inflight' | 'held'): boolean {
  return med(t, 'lateGrowth') < 3 && med(t, key) < 32;
}

function slowVerdicts(result: ScenarioResult): Verdict[] {
  return result.tables.map((table, i) => {
    const key = i === 0 ? 'inflight' : 'held';
    const plinth = find(table, 'plinth');
    if (!plinth || !Number.isFinite(med(plinth, key))) {
      return {
        scenario: 5,
        target: `${table.title}: bounded`,
        measured: 'not run',
        met: undefined,
      };
    }
    const unbounded = table.targets.filter(
      (t) => t.id !== 'plinth' && Number.isFinite(med(t, key)) && !bounded(t, key),
    );
    return {
      scenario: 5,
      target: `${table.title}: slow reader bounded (where any peer is not)`,
      measured:
        `Plinth ${fmt(med(plinth, key), 1)} MiB ${i === 0 ? 'in flight' : 'held'}, ${fmt(med(plinth, 'lateGrowth'), 1)} MiB more over the last third; ` +
        `unbounded: ${unbounded.map((t) => `${t.label} (${fmt(med(t, key), 1)} MiB)`).join(', ') || 'none'}`,
      met: bounded(plinth, key),
    };
  });
}

function leakFree(t: TargetResult | undefined): boolean {
  const max = (key: string): number => summarise(t?.values[key] ?? []).max;
  return (
    max('fds') <= 2 &&
    max('handles') <= 2 &&
    max('producers') === 0 &&
    max('sse') === 0 &&
    max('sockets') === 0
  );
}

function abortVerdicts(result: ScenarioResult): Verdict[] {
  const table = result.tables[0];
  const plinth = find(table, 'plinth');
  if (!plinth || summarise(plinth.values.fds ?? []).n === 0) {
    return [{ scenario: 6, target: 'leak-free', measured: 'not run', met: undefined }];
  }
  const leaking = (table?.targets ?? []).filter(
    (t) => t.id !== 'plinth' && summarise(t.values.producers ?? []).n > 0 && !leakFree(t),
  );
  return [
    {
      scenario: 6,
      target: 'aborts: leak-free (where any peer is not)',
      measured:
        `Plinth Δfds ${fmt(med(plinth, 'fds'))}, Δhandles ${fmt(med(plinth, 'handles'))}, producers left ${fmt(med(plinth, 'producers'))}, SSE clients left ${fmt(med(plinth, 'sse'))}; ` +
        `leaking: ${leaking.map((t) => t.label).join(', ') || 'none'}`,
      met: leakFree(plinth),
    },
  ];
}

/**
 * Scenario 7 (issue 22): on a server that has served load, `file()` at least 0.9x
 * of node:http with 1 MiB reads, and each sequence at least 0.7x of the hand-made
 * 16 KiB batches (speed).
 */
function workingVerdicts(result: ScenarioResult): Verdict[] {
  const table = result.tables.find((t) => t.baseline === 'node-limit');
  const goals = [
    {
      key: 'mibs',
      goal: 0.9,
      what: 'file MiB/s with curl after load >= 0.9x node:http with 1 MiB reads',
    },
    { key: 'json', goal: 0.7, what: 'JSON array after load >= 0.7x the 16 KiB batches (speed)' },
    { key: 'ndjson', goal: 0.7, what: 'NDJSON after load >= 0.7x the 16 KiB batches (speed)' },
  ];
  return goals.map(({ key, goal, what }) => {
    const r = table && ratio(table, 'plinth', key);
    if (!r || r.n === 0) return { scenario: 7, target: what, measured: 'not run', met: undefined };
    const fastify = ratio(table, 'fastify', key);
    return {
      scenario: 7,
      target: what,
      measured: `${x(r.median)} (${x(r.min)}–${x(r.max)}); Fastify ${x(fastify?.median ?? Number.NaN)}`,
      met: r.median >= goal,
    };
  });
}

/** Judges every target of the issue that the run covers. @internal */
export function verdicts(results: readonly ScenarioResult[]): Verdict[] {
  const judge: Record<number, (r: ScenarioResult) => Verdict[]> = {
    1: helloVerdicts,
    2: fileVerdicts,
    3: sequenceVerdicts,
    4: sseVerdicts,
    5: slowVerdicts,
    6: abortVerdicts,
    7: workingVerdicts,
  };
  return results.flatMap((r) => judge[r.id]?.(r) ?? []);
}

/** The verdicts as a markdown table. @internal */
export function verdictsMarkdown(results: readonly ScenarioResult[]): string {
  const rows = verdicts(results).map(
    (v) =>
      `| ${v.scenario} | ${v.target} | ${v.measured} | ${v.met === undefined ? 'not judged' : v.met ? 'met' : '**missed**'} |`,
  );
  return ['| # | target | measured | verdict |', '|---|---|---|---|', ...rows].join('\n');
}

interface SummaryRow {
  readonly label: string;
  readonly scenario: number;
  /** Picks the table among the scenario's. */
  readonly table: (tables: readonly ResultTable[]) => ResultTable | undefined;
  readonly metric: string;
  /** 'ratio': median of per-round ratios to node:http; 'value': median value. */
  readonly show: 'ratio' | 'value';
  readonly digits?: number;
}

const byTitle =
  (...parts: string[]) =>
  (tables: readonly ResultTable[]): ResultTable | undefined =>
    // wrk first (autocannon can saturate before the servers on 2 cores), else autocannon.
    tables.find((t) => parts.every((p) => t.title.includes(p)) && t.title.includes('wrk')) ??
    tables.find((t) => parts.every((p) => t.title.includes(p)));

const SUMMARY: readonly SummaryRow[] = [
  {
    label: '1 JSON req/s, pipelined',
    scenario: 1,
    table: byTitle('pipelined, -c 100 -p 10'),
    metric: 'rps',
    show: 'ratio',
  },
  {
    label: '1 JSON req/s, not pipelined',
    scenario: 1,
    table: byTitle('not pipelined'),
    metric: 'rps',
    show: 'ratio',
  },
  {
    label: '2 file MiB/s, 1 connection',
    scenario: 2,
    table: (t) => t[0],
    metric: 'mibs',
    show: 'ratio',
  },
  {
    label: '2 file, peak RSS with 10 connections',
    scenario: 2,
    table: (t) => t[0],
    metric: 'rss10',
    show: 'ratio',
  },
  {
    label: '3 sequence as JSON array, speed',
    scenario: 3,
    table: (t) => t[0],
    metric: 'ttlb',
    show: 'ratio',
  },
  {
    label: '3 sequence as NDJSON, speed',
    scenario: 3,
    table: (t) => t[1],
    metric: 'ttlb',
    show: 'ratio',
  },
  {
    label: '4 SSE fan-out p99 latency',
    scenario: 4,
    table: (t) => t[0],
    metric: 'p99',
    show: 'ratio',
  },
  {
    label: '4 SSE RSS per connection',
    scenario: 4,
    table: (t) => t[0],
    metric: 'rssPerConn',
    show: 'ratio',
  },
  {
    label: '5a slow reader, MiB in flight',
    scenario: 5,
    table: (t) => t[0],
    metric: 'inflight',
    show: 'value',
    digits: 1,
  },
  {
    label: '5b slow SSE client, MiB held',
    scenario: 5,
    table: (t) => t[1],
    metric: 'held',
    show: 'value',
    digits: 1,
  },
  {
    label: '6 leaks after aborts',
    scenario: 6,
    table: (t) => t[0],
    metric: 'leaks',
    show: 'value',
  },
];

const SUMMARY_TARGETS = ['node', 'plinth', 'fastify', 'hono', 'koa', 'express'];

/** What a target left behind, as {@link leakFree} judges it (up to 2 descriptors or handles are noise). */
function leakCount(t: TargetResult): number {
  const max = (key: string): number => Math.max(0, summarise(t.values[key] ?? []).max);
  const beyond = (key: string): number => (max(key) <= 2 ? 0 : max(key));
  return beyond('fds') + beyond('handles') + max('producers') + max('sse') + max('sockets');
}

/**
 * One table for a README: for each scenario's headline figure, every framework as a
 * ratio to node:http (median of per-round ratios; speed for times) or as a value.
 * @internal
 */
export function summaryMarkdown(results: readonly ScenarioResult[]): string {
  const labels: Record<string, string> = {
    node: 'node:http',
    plinth: 'Plinth',
    fastify: 'Fastify',
    hono: 'Hono',
    koa: 'Koa',
    express: 'Express',
  };
  const lines = [
    `| scenario | ${SUMMARY_TARGETS.map((id) => labels[id]).join(' | ')} |`,
    `|---|${SUMMARY_TARGETS.map(() => '---:').join('|')}|`,
  ];
  for (const row of SUMMARY) {
    const result = results.find((r) => r.id === row.scenario);
    const table = result && row.table(result.tables);
    if (!table) continue;
    const cells = SUMMARY_TARGETS.map((id) => {
      const target = find(table, id);
      if (!target) return '–';
      if (row.metric === 'leaks') {
        if (summarise(target.values.fds ?? []).n === 0) return '–';
        const n = leakCount(target);
        return n === 0 ? 'none' : fmt(n);
      }
      if (row.show === 'value') return fmt(med(target, row.metric), row.digits ?? 0);
      if (id === table.baseline) return '1x';
      const r = ratio(table, id, row.metric);
      return r && r.n > 0 ? x(r.median) : '–';
    });
    lines.push(`| ${row.label} | ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}
