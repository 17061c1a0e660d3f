// pnpm --filter @plinth/interceptor bench
//
// In-process cost of running one request through a chain of 0, 1, 10 and 50
// interceptors, all synchronous and all asynchronous, side by side with
// koa-compose and a plain loop over the same functions (bench/execute.bench.mjs).
//
// How it copes with a shared, busy machine and with V8's moods:
// - Time is the process's CPU time (process.cpuUsage, all threads, so GC work
//   counts), not wall time, which there mostly measures the other processes.
// - Within a process, short rounds are interleaved: every contender of a row runs
//   in every round, one after the other; a figure is the best median of a round.
// - The whole measurement runs in several fresh processes and each figure is the
//   best over them: which code V8's concurrent compiler produces depends on timing,
//   and one process can be stuck with a slower variant for its whole life.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Bench } from 'tinybench';
import { BATCH, contenders } from './execute.bench.mjs';

// BENCH_SIZES=10 BENCH_FLAVOURS=sync BENCH_PROCESSES=1 for a quick look at one row.
const SIZES = (process.env.BENCH_SIZES ?? '0,1,10,50').split(',').map(Number);
const FLAVOURS = (process.env.BENCH_FLAVOURS ?? 'sync,async').split(',');
const PROCESSES = Number(process.env.BENCH_PROCESSES ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 6);
const TIME_MS = Number(process.env.BENCH_TIME_MS ?? 60);

/** CPU time of this process in milliseconds. */
function cpuNow() {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** One process's figures: result[flavour][size][contender] = CPU ns per request. */
async function measure() {
  const gc = globalThis.gc ?? (() => {});
  const rows = [];
  for (const flavour of FLAVOURS) {
    for (const size of SIZES) rows.push({ flavour, size, fns: contenders(size, flavour) });
  }
  const result = {};
  for (let round = 0; round < ROUNDS; round++) {
    for (const { flavour, size, fns } of rows) {
      const bench = new Bench({
        time: TIME_MS,
        iterations: 10,
        warmupTime: 10,
        now: cpuNow,
        setup: () => gc(),
      });
      for (const [name, fn] of Object.entries(fns)) bench.add(name, fn);
      await bench.run();
      for (const task of bench.tasks) {
        const ns = (task.result.latency.p50 * 1e6) / BATCH;
        result[flavour] ??= {};
        result[flavour][size] ??= {};
        const row = result[flavour][size];
        row[task.name] = Math.min(row[task.name] ?? Number.POSITIVE_INFINITY, ns);
      }
    }
  }
  return result;
}

if (process.env.BENCH_CHILD === '1') {
  process.stdout.write(JSON.stringify(await measure()));
} else {
  const best = {};
  for (let p = 1; p <= PROCESSES; p++) {
    const child = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url)], {
      env: { ...process.env, BENCH_CHILD: '1' },
      encoding: 'utf8',
      maxBuffer: 1 << 20,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    if (child.status !== 0) throw new Error(`benchmark process ${p} failed (${child.status})`);
    const result = JSON.parse(child.stdout);
    for (const [flavour, sizes] of Object.entries(result)) {
      for (const [size, row] of Object.entries(sizes)) {
        best[flavour] ??= {};
        best[flavour][size] ??= {};
        for (const [name, ns] of Object.entries(row)) {
          best[flavour][size][name] = Math.min(best[flavour][size][name] ?? Infinity, ns);
        }
      }
    }
    process.stderr.write(`process ${p}/${PROCESSES} done\n`);
  }
  print(best);
}

function print(best) {
  const fmt = (ns) => (ns < 100 ? ns.toFixed(1) : ns.toFixed(0));
  const ratio = (a, b) => `${(a / b).toFixed(2)}x`;
  const lines = [
    '| chain | plinth `run` | plinth `execute` | plain loop | plain loop, awaited | koa-compose | `run` / plain loop | `execute` / plain loop | `execute` / plain loop, awaited | koa-compose / `run` | koa-compose / `execute` |',
    '|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
  ];
  for (const flavour of FLAVOURS) {
    for (const size of SIZES) {
      const row = best[flavour][size];
      const run = row['plinth run'];
      const execute = row['plinth execute'];
      const plain = row['plain loop'];
      const awaited = row['plain loop, awaited'];
      const koa = row['koa-compose'];
      const cells = [
        `${size} ${flavour}`,
        `${fmt(run)} ns`,
        `${fmt(execute)} ns`,
        `${fmt(plain)} ns`,
        awaited ? `${fmt(awaited)} ns` : '–',
        `${fmt(koa)} ns`,
        ratio(run, plain),
        ratio(execute, plain),
        awaited ? ratio(execute, awaited) : '–',
        ratio(koa, run),
        ratio(koa, execute),
      ];
      lines.push(`| ${cells.join(' | ')} |`);
    }
  }
  console.log(
    `Node ${process.version}, ${process.platform} ${process.arch}; CPU ns per request, best of ${PROCESSES} processes × ${ROUNDS} rounds of ${TIME_MS} ms CPU per contender (${BATCH} requests per sample)\n`,
  );
  console.log(lines.join('\n'));
  console.log(
    '\nSync rows: every stage is a plain function. Async rows: every stage is an async function, and their "plain loop" awaits each call; `run` is awaited only when it returned a promise.',
  );
}
