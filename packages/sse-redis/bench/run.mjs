// `pnpm bench` (this package): publish-to-delivery latency, sustained events/s,
// Redis commands per publish and server memory per subscriber, for the in-process
// hub and for Redis-backed hubs over 2 and 4 server processes, side by side in one
// run. Options: --subscribers 1000 (comma list allowed), --processes 2,4,
// --events 100 (latency samples per subscriber), --burst 500 (events/s run).
import { fork, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { connectRedisStreams } from '@plinth/sse-redis';

const { values } = parseArgs({
  // `pnpm bench -- --subscribers 200` passes the `--` through: drop it.
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: {
    subscribers: { type: 'string', default: '1000' },
    processes: { type: 'string', default: '2,4' },
    events: { type: 'string', default: '100' },
    burst: { type: 'string', default: '500' },
  },
});
const subscriberCounts = values.subscribers.split(',').map(Number);
const processCounts = values.processes.split(',').map(Number);
const EVENTS = Number(values.events);
const BURST = Number(values.burst);
const here = (file) => new URL(file, import.meta.url).pathname;
const now = () => performance.timeOrigin + performance.now();

// --- Redis ---------------------------------------------------------------------
async function freePort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}
const redisPort = await freePort();
const redisDir = mkdtempSync(join(tmpdir(), 'plinth-sse-redis-bench-'));
const redis = spawn(
  'redis-server',
  [
    '--port',
    String(redisPort),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    redisDir,
  ],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
await new Promise((resolve, reject) => {
  let out = '';
  redis.stdout.on('data', (chunk) => {
    out += chunk;
    if (out.includes('Ready to accept connections')) resolve();
  });
  redis.once('exit', (code) =>
    reject(new Error(`redis-server exited (${code}): is it installed?`)),
  );
});
const redisUrl = `redis://127.0.0.1:${redisPort}`;

async function redisCommand(command) {
  const socket = net.connect(redisPort, '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.write(`${command}\r\n`);
  let text = '';
  await new Promise((resolve) => {
    socket.on('data', (chunk) => {
      text += chunk;
      const header = /^\$(\d+)\r\n/.exec(text);
      if (header === null || text.length >= header[0].length + Number(header[1]) + 2) resolve();
    });
  });
  socket.destroy();
  return text;
}
async function commandCalls() {
  const text = await redisCommand('INFO commandstats');
  let total = 0;
  for (const match of text.matchAll(/cmdstat_([a-z|]+):calls=(\d+)/g)) {
    if (match[1] !== 'info') total += Number(match[2]);
  }
  return total;
}
const redisVersion = /redis_version:(\S+)/.exec(await redisCommand('INFO server'))?.[1];

// --- processes -------------------------------------------------------------------
function child(file, args, env = {}) {
  const proc = fork(here(file), args, {
    env: { ...process.env, ...env },
    execArgv: ['--expose-gc'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const queue = [];
  proc.on('message', (message) => queue.shift()?.(message));
  const first = new Promise((resolve) => queue.push(resolve));
  return {
    proc,
    first,
    ask(message) {
      return new Promise((resolve) => {
        queue.push(resolve);
        proc.send(message);
      });
    },
  };
}

async function until(check, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const publisher = await connectRedisStreams({ url: redisUrl });
const publisherHub = publisher.hub('bench');

async function scenario(label, mode, processes, subscribers) {
  const step = (what) => process.env.BENCH_DEBUG && console.error(`${label}: ${what}`);
  const servers = Array.from({ length: processes }, () =>
    child('server.mjs', [mode], { REDIS_URL: redisUrl }),
  );
  const urls = [];
  for (const server of servers) urls.push((await server.first).url);
  step('servers up');
  const before = [];
  for (const server of servers) before.push((await server.ask({ memory: true })).memory);
  const clients = child('clients.mjs', []);
  await clients.first;
  const per = Math.floor(subscribers / processes);
  await clients.ask({ open: urls.map((url) => ({ url, count: per })) });
  const total = per * processes;
  step('clients open');
  await until(
    async () => {
      let size = 0;
      for (const server of servers) size += (await server.ask({ size: true })).size;
      return size === total;
    },
    30_000,
    'every subscriber',
  );
  // The in-process hub publishes in its server; Redis hubs get the publisher's events.
  const publish =
    mode === 'memory'
      ? () => servers[0].ask({ publish: true })
      : () => publisherHub.publish({ data: `{"t":${now()},"n":0}` });
  // Warm-up: until every connection received an event.
  await until(
    async () => {
      await publish();
      return (await clients.ask({ counts: true })).counts.min >= 1;
    },
    30_000,
    'the warm-up',
  );
  step('warm');
  const after = [];
  for (const server of servers) after.push((await server.ask({ memory: true })).memory);

  // Latency: EVENTS events, 10 ms apart.
  await clients.ask({ reset: true, record: true });
  const callsBefore = await commandCalls();
  for (let i = 0; i < EVENTS; i++) {
    await publish();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  await until(
    async () => (await clients.ask({ counts: true })).counts.min >= EVENTS,
    60_000,
    'the latency events',
  );
  const callsAfter = await commandCalls();
  const { stats } = await clients.ask({ stats: true });

  step('latency done');
  // Throughput: BURST events back to back, until every subscriber has all of them.
  await clients.ask({ reset: true });
  const started = performance.now();
  if (mode === 'memory') await servers[0].ask({ burst: BURST });
  else for (let i = 0; i < BURST; i++) await publishHubEvent();
  const published = performance.now();
  step('burst published');
  await until(
    async () => {
      const { counts } = await clients.ask({ counts: true });
      return counts.min >= BURST;
    },
    120_000,
    'the burst',
  );
  const delivered = performance.now();

  const memory = after.reduce((sum, m, i) => sum + (m.heap - before[i].heap), 0) / total;
  const rss = after.reduce((sum, m, i) => sum + (m.rss - before[i].rss), 0) / total;
  const row = {
    label,
    subscribers: total,
    p50: stats.p50.toFixed(2),
    p99: stats.p99.toFixed(2),
    eventsPerSecond: Math.round(BURST / ((delivered - started) / 1000)),
    publishPerSecond: Math.round(BURST / ((published - started) / 1000)),
    commandsPerPublish: mode === 'memory' ? '-' : ((callsAfter - callsBefore) / EVENTS).toFixed(2),
    heapPerSubscriberKB: (memory / 1024).toFixed(1),
    rssPerSubscriberKB: (rss / 1024).toFixed(1),
  };
  for (const server of servers) server.proc.kill();
  clients.proc.kill();
  return row;
}

function publishHubEvent() {
  return publisherHub.publish({ data: `{"t":${now()},"n":0}` });
}

const rows = [];
try {
  for (const subscribers of subscriberCounts) {
    rows.push(await scenario('in-process hub, 1 process', 'memory', 1, subscribers));
    for (const processes of processCounts) {
      rows.push(await scenario(`Redis, ${processes} processes`, 'redis', processes, subscribers));
    }
  }
} finally {
  await publisher.close();
  redis.kill('SIGKILL');
  rmSync(redisDir, { recursive: true, force: true });
}
console.log(
  `Node ${process.version}, Redis ${redisVersion}; ${EVENTS} latency events 10 ms apart, a burst of ${BURST}`,
);
console.log(
  '| setup | subscribers | p50 ms | p99 ms | events/s delivered to all | publish/s | Redis commands per publish | heap+external KB per subscriber | RSS KB per subscriber |',
);
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const r of rows) {
  console.log(
    `| ${r.label} | ${r.subscribers} | ${r.p50} | ${r.p99} | ${r.eventsPerSecond} | ${r.publishPerSecond} | ${r.commandsPerPublish} | ${r.heapPerSubscriberKB} | ${r.rssPerSubscriberKB} |`,
  );
}
process.exit(0);
