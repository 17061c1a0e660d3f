// Hello-world JSON over loopback: a bare node:http handler against @plinth/node
// (requestListener on node:http, and createServer with 0 and 10 application
// interceptors). Each server runs in its own process; autocannon loads it from
// another. Reports requests/s and the server process's CPU time per request.
//
// A shared machine's load changes from second to second, and V8 settles on
// different code and heap sizes in each process. So: several sessions, each with a
// fresh process per server; in each session, short interleaved rounds whose order
// rotates; each round compares every server with the bare one measured in the same
// round, and the figures are medians of those per-round ratios.
//
//   pnpm --filter @plinth/node bench
//   SESSIONS=3 ROUNDS=4 DURATION=3 CONNECTIONS=50 PIPELINING=1 node bench/run.mjs
import { execFile, fork } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';

const SESSIONS = Number(process.env.SESSIONS ?? 3);
const ROUNDS = Number(process.env.ROUNDS ?? 4);
const DURATION = Number(process.env.DURATION ?? 3);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 50);
const PIPELINING = Number(process.env.PIPELINING ?? 1);
const WARMUP = Number(process.env.WARMUP ?? 2);

const require = createRequire(import.meta.url);
const autocannon = require.resolve('autocannon/autocannon.js');
const TARGETS = [
  ['bare', 'node:http (bare handler)'],
  ['listener', '@plinth/node requestListener on node:http'],
  ['plinth0', '@plinth/node createServer, 0 app interceptors'],
  ['plinth10', '@plinth/node createServer, 10 app interceptors'],
];

async function start(kind) {
  const child = fork(new URL('./server.mjs', import.meta.url), [kind]);
  const [{ port }] = await once(child, 'message');
  const cpu = async () => {
    child.send('cpu');
    const [message] = await once(child, 'message');
    return message.cpu;
  };
  return { child, port, cpu };
}

function autocannonRun(port, seconds) {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [
        autocannon,
        '-j',
        '-c',
        String(CONNECTIONS),
        '-p',
        String(PIPELINING),
        '-d',
        String(seconds),
        `http://127.0.0.1:${port}/`,
      ],
      { maxBuffer: 16 * 1024 * 1024 },
      (error, stdout) => {
        if (error) return reject(error);
        const result = JSON.parse(stdout);
        if (result.non2xx || result.errors) {
          return reject(new Error(`autocannon: ${result.non2xx} non-2xx, ${result.errors} errors`));
        }
        resolve(result.requests.total);
      },
    );
  });
}

async function load(server, seconds) {
  const before = await server.cpu();
  const requests = await autocannonRun(server.port, seconds);
  const used = (await server.cpu()) - before;
  return { rps: requests / seconds, cpuPerRequest: used / requests };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const quartiles = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q) => s[Math.min(s.length - 1, Math.max(0, Math.round(q * (s.length - 1))))];
  return [at(0.25), at(0.75)];
};

const loadBefore = loadavg()[0];
// rounds[r] = Map(kind -> { rps, cpuPerRequest })
const rounds = [];
let turn = 0;
for (let session = 0; session < SESSIONS; session++) {
  const servers = new Map();
  for (const [kind] of TARGETS) servers.set(kind, await start(kind));
  for (const [kind] of TARGETS) await load(servers.get(kind), WARMUP);
  for (let round = 0; round < ROUNDS; round++, turn++) {
    const results = new Map();
    for (let i = 0; i < TARGETS.length; i++) {
      const [kind] = TARGETS[(i + turn) % TARGETS.length];
      results.set(kind, await load(servers.get(kind), DURATION));
    }
    rounds.push(results);
    process.stderr.write(`session ${session + 1}/${SESSIONS}, round ${round + 1}/${ROUNDS} done\n`);
  }
  for (const { child } of servers.values()) {
    child.send('stop');
    await once(child, 'exit');
  }
}
const loadAfter = loadavg()[0];

console.log(
  `Node ${process.version}; ${SESSIONS} sessions (fresh processes) x ${ROUNDS} interleaved rounds of ${DURATION} s; autocannon -c ${CONNECTIONS} -p ${PIPELINING} in its own process; load average ${loadBefore.toFixed(1)} before, ${loadAfter.toFixed(1)} after\n`,
);
console.log(
  '| server | requests/s (median) | requests/s vs node:http (median of per-round ratios) | server CPU µs/request (median) | requests per CPU-second vs node:http (median, quartiles) |',
);
console.log('|---|---:|---:|---:|---:|');
for (const [kind, name] of TARGETS) {
  const rps = rounds.map((r) => r.get(kind).rps);
  const cpu = rounds.map((r) => r.get(kind).cpuPerRequest);
  const rpsRatio = rounds.map((r) => r.get(kind).rps / r.get('bare').rps);
  const cpuRatio = rounds.map((r) => r.get('bare').cpuPerRequest / r.get(kind).cpuPerRequest);
  const [q1, q3] = quartiles(cpuRatio);
  console.log(
    `| ${name} | ${Math.round(median(rps))} | ${median(rpsRatio).toFixed(3)}x | ${median(cpu).toFixed(1)} | ${median(cpuRatio).toFixed(3)}x (${q1.toFixed(2)}–${q3.toFixed(2)}) |`,
  );
}
