// Scenario 1: hello-world JSON under load, pipelined (-c 100 -p 10, as
// fastify/benchmarks) and not (-c 100), with autocannon and (when installed) wrk.
import {
  type BenchContext,
  ensureLive,
  pickTargets,
  roundOrder,
  startAll,
  stopAll,
} from '../harness/context';
import {
  AutocannonWorker,
  type LoadOptions,
  type LoadResult,
  writeWrkPipelineScript,
  wrk,
} from '../harness/load';
import {
  type MetricDef,
  type ResultTable,
  record,
  type ScenarioResult,
  type TargetResult,
  targetResult,
} from '../harness/results';
import { httpGet } from '../harness/server-process';

interface Step {
  readonly key: string;
  readonly title: string;
  readonly tool: 'autocannon' | 'wrk';
  readonly load: LoadOptions;
}

const METRICS: readonly MetricDef[] = [
  { key: 'rps', label: 'req/s', better: 'higher', ratio: 'plain' },
  { key: 'p99', label: 'p99 ms', better: 'lower', ratio: 'none', digits: 1 },
];

/** The servers of scenario 1 (and of its `--instructions` count). @internal */
export const HELLO_TARGETS = [
  'node',
  'plinth',
  'plinth-10',
  'fastify',
  'hono',
  'koa',
  'express',
] as const;

/** Checks the body a target answers before loading it. @internal */
export async function checkHello(port: number): Promise<string | undefined> {
  const { status, headers, body } = await httpGet(port, '/');
  const type = String(headers['content-type'] ?? '');
  if (status !== 200) return `GET / answered ${status}`;
  if (!type.startsWith('application/json')) return `GET / answered content-type ${type}`;
  const text = body.toString('utf8');
  if (text !== '{"hello":"world"}') return `GET / answered ${JSON.stringify(text)}`;
  return undefined;
}

/** Runs scenario 1. @internal */
export async function helloScenario(ctx: BenchContext): Promise<ScenarioResult> {
  const started = performance.now();
  const { options } = ctx;
  const targets = pickTargets(ctx, HELLO_TARGETS);
  const pipelined: LoadOptions = {
    connections: 100,
    pipelining: 10,
    durationSec: options.durationSec,
  };
  const plain: LoadOptions = { connections: 100, pipelining: 1, durationSec: options.durationSec };
  const steps: Step[] = [
    {
      key: 'ac-p10',
      title: 'pipelined, -c 100 -p 10, autocannon',
      tool: 'autocannon',
      load: pipelined,
    },
    { key: 'ac-p1', title: 'not pipelined, -c 100, autocannon', tool: 'autocannon', load: plain },
  ];
  if (ctx.wrk) {
    steps.push(
      { key: 'wrk-p10', title: 'pipelined, -c 100 -p 10, wrk', tool: 'wrk', load: pipelined },
      { key: 'wrk-p1', title: 'not pipelined, -c 100, wrk', tool: 'wrk', load: plain },
    );
  }
  const script = ctx.wrk ? writeWrkPipelineScript(ctx.workDir, 10) : undefined;
  const autocannon = new AutocannonWorker(ctx.clientsDir, ctx.affinity);
  const run = (step: Step, url: string, load: LoadOptions): Promise<LoadResult> =>
    step.tool === 'wrk'
      ? wrk(url, load, ctx.affinity, step.load.pipelining > 1 ? script : undefined)
      : autocannon.run(url, load);

  // One result per (step, target): each step is its own table.
  const results = new Map<string, Map<string, TargetResult>>();
  for (const step of steps) {
    results.set(step.key, new Map(targets.map((t) => [t.id, targetResult(t.id, t.label)])));
  }
  const first = results.get(steps[0]!.key)!;
  const servers = await startAll(ctx, targets, first);
  try {
    // Check the answer, then warm up (JIT) with both load shapes.
    for (const target of targets) {
      const server = servers.get(target.id);
      if (!server) continue;
      const problem = await checkHello(server.port);
      if (problem) {
        first.get(target.id)?.notes.push(`wrong answer, not measured: ${problem}`);
        await server.stop();
        servers.delete(target.id);
        continue;
      }
      ctx.log(`  warm-up ${target.label}`);
      for (const load of options.quick ? [pipelined] : [pipelined, plain]) {
        await autocannon.run(`${server.url}/`, { ...load, durationSec: options.warmupSec });
      }
    }
    for (let round = 0; round < options.rounds; round++) {
      for (const step of steps) {
        for (const target of roundOrder(targets, round)) {
          const result = results.get(step.key)!.get(target.id)!;
          if (!servers.has(target.id) && first.get(target.id)?.notes.length) continue;
          const server = await ensureLive(ctx, target, servers, result, round);
          if (!server) continue;
          try {
            const r = await run(step, `${server.url}/`, step.load);
            record(result, 'rps', round, r.rps);
            record(result, 'p99', round, r.p99);
            if (r.errors > 0) result.notes.push(`round ${round + 1}: ${r.errors} errors`);
            ctx.log(`  round ${round + 1} ${step.key} ${target.label}: ${Math.round(r.rps)} req/s`);
          } catch (error) {
            result.notes.push(`round ${round + 1}: ${String(error)}`);
          }
        }
      }
    }
  } finally {
    await autocannon.stop();
    await stopAll(servers);
  }
  const tables: ResultTable[] = steps.map((step) => ({
    title: step.title,
    baseline: 'node',
    metrics: METRICS,
    targets: [...results.get(step.key)!.values()],
  }));
  return {
    id: 1,
    title: 'Hello-world JSON',
    description:
      `GET / answering {"hello":"world"}; ${options.rounds} interleaved rounds of ${options.durationSec} s per target and load shape ` +
      `after a ${options.warmupSec} s warm-up of each shape. Plinth with its router and 0 or 10 extra no-op interceptors.`,
    tables,
    series: [],
    notes: [],
    seconds: (performance.now() - started) / 1000,
  };
}
