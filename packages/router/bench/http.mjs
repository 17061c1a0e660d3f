// Routed hello-world over HTTP against bare node:http. Each server runs in a child
// process; autocannon runs in this one (a second process). Rounds interleave the
// three servers so that load on the machine hits them alike; the table gives the
// median requests/s over rounds and the ratios to bare node:http, and the server's
// CPU time per request (from the server process itself), which other processes on a
// shared machine do not disturb: its inverse ratio is the throughput ratio of a
// CPU-bound server.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const ROUNDS = Number(process.env.ROUNDS ?? 3);
const DURATION = Number(process.env.DURATION ?? 5);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 50);
const KINDS = ['node', 'plinth', 'routed'];
const serverScript = fileURLToPath(new URL('./http-server.mjs', import.meta.url));

async function startServer(kind) {
  const child = spawn(process.execPath, [serverScript, kind], {
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  let buffered = '';
  child.stdout.setEncoding('utf8');
  while (!buffered.includes('\n')) {
    const [chunk] = await Promise.race([
      once(child.stdout, 'data'),
      once(child, 'exit').then(() => {
        throw new Error(`server ${kind} exited before listening`);
      }),
    ]);
    buffered += chunk;
  }
  const { port } = JSON.parse(buffered.slice(0, buffered.indexOf('\n')));
  return { child, port };
}

async function cpuMicros(child) {
  child.send('cpu');
  const [{ user, system }] = await once(child, 'message');
  return user + system;
}

async function measure(kind) {
  const { child, port } = await startServer(kind);
  try {
    const url = `http://127.0.0.1:${port}/hello`;
    // Warm up (JIT), then measure.
    await autocannon({ url, connections: CONNECTIONS, duration: 1 });
    const cpuBefore = await cpuMicros(child);
    const result = await autocannon({ url, connections: CONNECTIONS, duration: DURATION });
    const cpu = (await cpuMicros(child)) - cpuBefore;
    if (result.non2xx !== 0 || result.errors !== 0) {
      throw new Error(`${kind}: ${result.non2xx} non-2xx responses, ${result.errors} errors`);
    }
    return {
      rps: result.requests.average,
      p99: result.latency.p99,
      cpuPerRequest: cpu / result.requests.total,
    };
  } finally {
    child.kill('SIGTERM');
    await once(child, 'exit');
  }
}

const results = Object.fromEntries(KINDS.map((k) => [k, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (const kind of KINDS) results[kind].push(await measure(kind));
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rps = Object.fromEntries(KINDS.map((k) => [k, median(results[k].map((r) => r.rps))]));
const p99 = Object.fromEntries(KINDS.map((k) => [k, median(results[k].map((r) => r.p99))]));
const cpu = Object.fromEntries(
  KINDS.map((k) => [k, median(results[k].map((r) => r.cpuPerRequest))]),
);
const labels = {
  node: 'bare node:http',
  plinth: '@plinth/node, one handler',
  routed: '@plinth/node + queryParams + router (50 routes)',
};
console.log(
  `Hello world over HTTP/1.1, autocannon ${CONNECTIONS} connections x ${DURATION} s, median of ${ROUNDS} interleaved rounds, Node ${process.version}`,
);
console.table(
  KINDS.map((k) => ({
    server: labels[k],
    'req/s': Math.round(rps[k]),
    'p99 ms': p99[k],
    'req/s vs node:http': (rps[k] / rps.node).toFixed(3),
    'server CPU µs/req': cpu[k].toFixed(1),
    'by CPU vs node:http': (cpu.node / cpu[k]).toFixed(3),
  })),
);
console.log(
  `router + queryParams vs @plinth/node alone: req/s ${(rps.routed / rps.plinth).toFixed(3)}x, ` +
    `by CPU ${(cpu.plinth / cpu.routed).toFixed(3)}x (${(cpu.routed - cpu.plinth).toFixed(1)} µs/req more)`,
);
