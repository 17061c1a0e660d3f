// Route lookup cost: @plinth/router's matcher (table.match) against find-my-way alone
// (its interpreted find() and its compiled mode), for 10 and 500 routes, on a literal
// path, a path with two parameters, and a miss. Side by side in one run: short
// batches, interleaved round after round so that whatever else the machine does hits
// every contender alike, timed in CPU time; the table gives the median per lookup
// and the ratios.
//
// Every lookup gets a fresh path string, as a server gets one per request: a string
// reused across iterations would keep its cached hash and flatter hash-map lookups.
import FindMyWay from 'find-my-way';
import { routeTable } from '../dist/index.mjs';

const ROUNDS = Number(process.env.ROUNDS ?? 15);
const BATCH_MS = Number(process.env.BATCH_MS ?? 40);
const ok = () => ({ status: 200 });

/** n routes: half literal, half with two parameters, spread over a few prefixes. */
function routes(n) {
  const list = [];
  for (let i = 0; i < n; i++) {
    if (i % 2 === 0) list.push(`/section${i % 7}/page${i}/info`);
    else list.push(`/api/v${i % 3}/resource${i}/:id/items/:item`);
  }
  return list;
}

function contenders(n) {
  const paths = routes(n);
  const ours = routeTable(paths.map((p) => [p, 'GET', ok]));
  const fmw = FindMyWay();
  const compiled = FindMyWay();
  for (const p of paths) {
    fmw.on('GET', p, ok);
    compiled.on('GET', p, ok);
  }
  compiled.compile();
  const mid = Math.floor(n / 2);
  const literal = paths[mid % 2 === 0 ? mid : mid - 1];
  const parametric = paths[mid % 2 === 1 ? mid : mid + 1]
    .replace(':id', '12345')
    .replace(':item', 'blue-widget');
  const miss = '/api/v1/nothing/12345/items/blue-widget';
  // Sanity: all three agree before anything is timed.
  for (const p of [literal, parametric]) {
    if (ours.match('GET', p).kind !== 'found' || !fmw.find('GET', p) || !compiled.find('GET', p)) {
      throw new Error(`bench setup: ${p} must match in every router`);
    }
  }
  if (ours.match('GET', miss).kind !== 'not-found' || fmw.find('GET', miss)) {
    throw new Error('bench setup: the miss must miss');
  }
  return { ours, fmw, compiled, cases: { literal, parametric, miss } };
}

const fresh = (s) => ` ${s}`.slice(1);

const tasks = [];
for (const n of [10, 500]) {
  const { ours, fmw, compiled, cases } = contenders(n);
  for (const [kind, path] of Object.entries(cases)) {
    tasks.push({
      n,
      kind,
      runs: {
        '@plinth/router': () => ours.match('GET', fresh(path)),
        'find-my-way': () => fmw.find('GET', fresh(path)),
        'find-my-way compiled': () => compiled.find('GET', fresh(path)),
      },
    });
  }
}

// CPU time of this process, not wall time: on a shared machine a batch that gets
// descheduled would otherwise count the other processes' time as ours.
const cpuNs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) * 1000;
};

function batch(fn, iterations) {
  const start = cpuNs();
  for (let i = 0; i < iterations; i++) fn();
  return (cpuNs() - start) / iterations;
}

/** ns per op for each task and contender, one sample per round */
const samples = new Map();
const runs = tasks.flatMap((task) =>
  Object.entries(task.runs).map(([name, fn]) => [`${task.n}|${task.kind}|${name}`, fn]),
);
for (const [, fn] of runs) batch(fn, 20_000); // warm up every contender first
// Size batches so each takes about BATCH_MS of CPU.
const iterations = new Map(
  runs.map(([key, fn]) => [key, Math.max(1000, Math.round((BATCH_MS * 1e6) / batch(fn, 20_000)))]),
);
for (let round = 0; round < ROUNDS; round++) {
  for (const [key, fn] of runs) {
    if (!samples.has(key)) samples.set(key, []);
    samples.get(key).push(batch(fn, iterations.get(key)));
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

const rows = [];
for (const task of tasks) {
  const ns = (name) => median(samples.get(`${task.n}|${task.kind}|${name}`));
  const ours = ns('@plinth/router');
  const fmw = ns('find-my-way');
  const compiled = ns('find-my-way compiled');
  rows.push({
    routes: task.n,
    path: task.kind,
    '@plinth/router ns': ours.toFixed(0),
    'find-my-way ns': fmw.toFixed(0),
    'fmw compiled ns': compiled.toFixed(0),
    'ours / fmw': (ours / fmw).toFixed(2),
    'ours / fmw compiled': (ours / compiled).toFixed(2),
  });
}

console.log(
  `Route lookup, CPU time per lookup, median of ${ROUNDS} interleaved rounds (${BATCH_MS} ms batches), Node ${process.version}`,
);
console.table(rows);
const growth = (kind) => {
  const at = (n) => median(samples.get(`${n}|${kind}|@plinth/router`));
  return (at(500) / at(10)).toFixed(2);
};
console.log(
  `@plinth/router cost at 500 routes / at 10 routes: literal ${growth('literal')}, parametric ${growth('parametric')}, miss ${growth('miss')}`,
);
