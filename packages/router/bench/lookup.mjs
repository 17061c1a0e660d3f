// Route lookup cost: @plinth/router's matcher (table.match) against find-my-way alone
// (its interpreted find() and its compiled mode), for 10 and 500 routes, on a literal
// path, a path with two parameters, and a miss. Side by side in one run, rounds
// interleaved so that load on the machine hits every contender alike; the table
// gives the median over rounds and the ratio to find-my-way.
//
// Every lookup gets a fresh path string, as a server gets one per request: a string
// reused across iterations would keep its cached hash and flatter hash-map lookups.
import FindMyWay from 'find-my-way';
import { Bench } from 'tinybench';
import { routeTable } from '../dist/index.mjs';

const ROUNDS = Number(process.env.ROUNDS ?? 5);
const TIME_MS = Number(process.env.TIME_MS ?? 150);
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

/** ns per op for each task and contender, per round */
const samples = new Map();
for (let round = 0; round < ROUNDS; round++) {
  const bench = new Bench({ time: TIME_MS, warmupTime: 50 });
  for (const task of tasks) {
    for (const [name, fn] of Object.entries(task.runs)) {
      bench.add(`${task.n}|${task.kind}|${name}`, fn);
    }
  }
  await bench.run();
  for (const t of bench.tasks) {
    const ns = t.result.latency.mean * 1e6;
    if (!samples.has(t.name)) samples.set(t.name, []);
    samples.get(t.name).push(ns);
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
  `Route lookup, median of ${ROUNDS} interleaved rounds (${TIME_MS} ms per task per round), Node ${process.version}`,
);
console.table(rows);
const growth = (kind) => {
  const at = (n) => median(samples.get(`${n}|${kind}|@plinth/router`));
  return (at(500) / at(10)).toFixed(2);
};
console.log(
  `@plinth/router cost at 500 routes / at 10 routes: literal ${growth('literal')}, parametric ${growth('parametric')}, miss ${growth('miss')}`,
);
