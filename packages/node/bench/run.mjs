// Hello-world JSON: a bare node:http handler against @plinth/node with 0 and 10
// application interceptors, all served from this process, loaded by autocannon in a
// second process, in interleaved rounds. Prints a Markdown table of requests/s and
// the ratio to bare node:http.
//
//   pnpm --filter @plinth/node bench            (defaults below)
//   ROUNDS=5 DURATION=10 CONNECTIONS=50 PIPELINING=1 pnpm --filter @plinth/node bench
import { execFile } from 'node:child_process';
import http from 'node:http';
import { createRequire } from 'node:module';
import { createServer } from '@plinth/node';

const ROUNDS = Number(process.env.ROUNDS ?? 4);
const DURATION = Number(process.env.DURATION ?? 5);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 50);
const WARMUP = Number(process.env.WARMUP ?? 2);
const PIPELINING = Number(process.env.PIPELINING ?? 1);

const require = createRequire(import.meta.url);
const autocannon = require.resolve('autocannon/autocannon.js');
const silent = { error() {}, warn() {}, info() {}, debug() {} };

function listen(server) {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve(server.address().port)),
  );
}

const hello = () => ({ status: 200, body: { hello: 'world' } });
const passThrough = (i) => ({ name: `pass-${i}`, enter: (ctx) => ctx, leave: (ctx) => ctx });

async function targets() {
  const bare = http.createServer((_req, res) => {
    const body = JSON.stringify({ hello: 'world' });
    res.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
    });
    res.end(body);
  });
  const zero = createServer([hello], { port: 0, logger: silent });
  const ten = createServer([...Array.from({ length: 10 }, (_, i) => passThrough(i)), hello], {
    port: 0,
    logger: silent,
  });
  return [
    { name: 'node:http (bare handler)', port: await listen(bare), close: () => bare.close() },
    {
      name: '@plinth/node, 0 app interceptors',
      port: (await zero.start()).port,
      close: () => zero.stop({ graceMs: 0 }),
    },
    {
      name: '@plinth/node, 10 app interceptors',
      port: (await ten.start()).port,
      close: () => ten.stop({ graceMs: 0 }),
    },
  ];
}

function load(port, seconds) {
  const cpu = process.cpuUsage();
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [
        autocannon,
        '-j',
        '-c',
        String(CONNECTIONS),
        '-d',
        String(seconds),
        `http://127.0.0.1:${port}/`,
      ],
      { maxBuffer: 16 * 1024 * 1024 },
      (error, stdout) => {
        if (error) return reject(error);
        const result = JSON.parse(stdout);
        if (result.non2xx || result.errors) {
          return reject(
            new Error(`autocannon saw ${result.non2xx} non-2xx and ${result.errors} errors`),
          );
        }
        const used = process.cpuUsage(cpu);
        resolve({
          rps: result.requests.total / seconds,
          cpuPerRequest: (used.user + used.system) / result.requests.total,
        });
      },
    );
  });
}

const list = await targets();
for (const t of list) await load(t.port, WARMUP);
const results = new Map(list.map((t) => [t.name, []]));
for (let round = 0; round < ROUNDS; round++) {
  // Rotate the order each round so no target always runs first or last.
  const order = list.map((_, i) => list[(i + round) % list.length]);
  for (const t of order) results.get(t.name).push(await load(t.port, DURATION));
  process.stderr.write(`round ${round + 1}/${ROUNDS} done\n`);
}
for (const t of list) await t.close();

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const rps = (name) => median(results.get(name).map((r) => r.rps));
const cpu = (name) => median(results.get(name).map((r) => r.cpuPerRequest));
const base = list[0].name;
console.log(
  `Node ${process.version}, ${ROUNDS} interleaved rounds of ${DURATION} s, autocannon -c ${CONNECTIONS} -p ${PIPELINING} in a second process\n`,
);
console.log(
  '| server | requests/s (median) | per round | vs node:http | server CPU µs/request (median) | requests per CPU-second vs node:http |',
);
console.log('|---|---:|---|---:|---:|---:|');
for (const t of list) {
  const runs = results.get(t.name);
  console.log(
    `| ${t.name} | ${Math.round(rps(t.name))} | ${runs.map((r) => Math.round(r.rps)).join(', ')} | ${(rps(t.name) / rps(base)).toFixed(3)}x | ${cpu(t.name).toFixed(1)} | ${(cpu(base) / cpu(t.name)).toFixed(3)}x |`,
  );
}
