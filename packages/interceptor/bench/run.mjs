// pnpm --filter @plinth/interceptor bench
// In-process cost of running one request through a chain of 0, 1, 10 and 50
// interceptors, all synchronous and all asynchronous, side by side with
// koa-compose and a plain loop over the same functions. Many short rounds are
// interleaved (every contender of a row runs in every round, one after the other)
// and each figure is the best median over the rounds: on a machine shared with
// other work, that is the figure measured while the process had a core. Time is
// the process's CPU time (process.cpuUsage: user + system, all threads, so GC
// work counts), not wall time, which on a shared machine mostly measures the
// other processes.
import { Bench } from 'tinybench';
import { BATCH, contenders } from './execute.bench.mjs';

// BENCH_SIZES=10 BENCH_FLAVOURS=sync BENCH_ROUNDS=5 for a quick look at one row.
const SIZES = (process.env.BENCH_SIZES ?? '0,1,10,50').split(',').map(Number);
const FLAVOURS = (process.env.BENCH_FLAVOURS ?? 'sync,async').split(',');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10);
const TIME_MS = Number(process.env.BENCH_TIME_MS ?? 60);
/** CPU time of this process in milliseconds. */
const cpuNow = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
const gc = globalThis.gc ?? (() => {});

/** best[flavour][size][contender] = ns per request */
const best = {};
for (let round = 1; round <= ROUNDS; round++) {
  for (const flavour of FLAVOURS) {
    for (const size of SIZES) {
      const bench = new Bench({
        time: TIME_MS,
        iterations: 10,
        warmupTime: 10,
        now: cpuNow,
        setup: () => gc(),
      });
      for (const [name, fn] of Object.entries(contenders(size, flavour))) bench.add(name, fn);
      await bench.run();
      for (const task of bench.tasks) {
        const ns = (task.result.latency.p50 * 1e6) / BATCH;
        best[flavour] ??= {};
        best[flavour][size] ??= {};
        const row = best[flavour][size];
        row[task.name] = Math.min(row[task.name] ?? Number.POSITIVE_INFINITY, ns);
      }
    }
  }
  if (round % 5 === 0) process.stderr.write(`round ${round}/${ROUNDS} done\n`);
}

const fmt = (ns) => (ns < 100 ? ns.toFixed(1) : ns.toFixed(0));
const ratio = (a, b) => `${(a / b).toFixed(2)}x`;

const lines = [];
lines.push(
  '| chain | plinth `execute` | plain loop | plain loop, awaited | koa-compose | plinth / plain loop | plinth / plain loop, awaited | koa-compose / plinth |',
  '|---|--:|--:|--:|--:|--:|--:|--:|',
);
for (const flavour of FLAVOURS) {
  for (const size of SIZES) {
    const row = best[flavour][size];
    const plinth = row.plinth;
    const plain = row['plain loop'];
    const awaited = row['plain loop, awaited'];
    const koa = row['koa-compose'];
    lines.push(
      `| ${size} ${flavour} | ${fmt(plinth)} ns | ${fmt(plain)} ns | ${awaited ? `${fmt(awaited)} ns` : '–'} | ${fmt(koa)} ns | ${ratio(plinth, plain)} | ${awaited ? ratio(plinth, awaited) : '–'} | ${ratio(koa, plinth)} |`,
    );
  }
}
console.log(
  `Node ${process.version}, ${process.platform} ${process.arch}, ${ROUNDS} rounds of ${TIME_MS} ms per task, best median, CPU ns per request (${BATCH} requests per sample)\n`,
);
console.log(lines.join('\n'));
console.log('\nAsync rows: every stage is an async function; their "plain loop" awaits each call.');
