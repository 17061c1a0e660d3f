// Hello-world JSON over loopback: a bare node:http handler against @plinth/node
// (requestListener on node:http, and createServer with 0 and 10 application
// interceptors). Each server runs in its own process; autocannon loads it from
// another; rounds are interleaved (the order rotates). Reports requests/s and the
// server process's CPU time per request, with ratios to node:http.
//
//   pnpm --filter @plinth/node bench
//   ROUNDS=5 DURATION=10 CONNECTIONS=50 PIPELINING=1 node bench/run.mjs
import { execFile, fork } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';

const ROUNDS = Number(process.env.ROUNDS ?? 6);
const DURATION = Number(process.env.DURATION ?? 5);
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

const servers = new Map();
for (const [kind] of TARGETS) servers.set(kind, await start(kind));
for (const [kind] of TARGETS) await load(servers.get(kind), WARMUP);
const results = new Map(TARGETS.map(([kind]) => [kind, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (let i = 0; i < TARGETS.length; i++) {
    const [kind] = TARGETS[(i + round) % TARGETS.length];
    results.get(kind).push(await load(servers.get(kind), DURATION));
  }
  process.stderr.write(`round ${round + 1}/${ROUNDS} done\n`);
}
for (const { child } of servers.values()) child.send('stop');

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const rps = (kind) => median(results.get(kind).map((r) => r.rps));
const cpu = (kind) => median(results.get(kind).map((r) => r.cpuPerRequest));
console.log(
  `Node ${process.version}, ${ROUNDS} interleaved rounds of ${DURATION} s, autocannon -c ${CONNECTIONS} -p ${PIPELINING}, one process per server\n`,
);
console.log(
  '| server | requests/s (median) | vs node:http | server CPU µs/request (median) | requests per CPU-second vs node:http |',
);
console.log('|---|---:|---:|---:|---:|');
for (const [kind, name] of TARGETS) {
  console.log(
    `| ${name} | ${Math.round(rps(kind))} | ${(rps(kind) / rps('bare')).toFixed(3)}x | ${cpu(kind).toFixed(1)} | ${(cpu('bare') / cpu(kind)).toFixed(3)}x |`,
  );
}
