// The @plinth/sse benchmark: fan-out latency and memory per connection, and a slow
// reader, side by side with a hand-written res.write broadcaster and better-sse.
//
//   pnpm --filter @plinth/sse bench                       # 1,000 clients, slow reader 60 s
//   pnpm --filter @plinth/sse bench -- --clients 1000,10000 --rounds 10 --slow-seconds 60
//
// Each server runs in its own process, the clients in another one (raw TCP sockets,
// HTTP/1.1, on loopback). Results are printed as Markdown tables and saved as JSON
// under bench-results/.
import { fork } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
// `pnpm bench -- --clients …` passes the `--` through: drop it.
const argv = process.argv.slice(2);
if (argv[0] === '--') argv.shift();
const { values } = parseArgs({
  args: argv,
  options: {
    clients: { type: 'string', default: '1000' },
    rounds: { type: 'string', default: '10' },
    impl: { type: 'string', default: 'raw,plinth,better-sse' },
    'slow-seconds': { type: 'string', default: '60' },
    'slow-clients': { type: 'string', default: '1000' },
    'slow-padding': { type: 'string', default: String(128 * 1024) },
    'slow-buffer': { type: 'string', default: String(256 * 1024) },
    repeat: { type: 'string', default: '1' },
  },
});
const counts = values.clients.split(',').map(Number);
const rounds = Number(values.rounds);
const impls = values.impl.split(',');
const slowSeconds = Number(values['slow-seconds']);
const repeat = Number(values.repeat);

function start(script, args, env = {}) {
  // Children get the hard descriptor limit: 10,000 sockets need more than the usual 1024.
  const child = fork(join(here, script), args, {
    execArgv: script === 'server.mjs' ? ['--expose-gc'] : [],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const waiting = new Map();
  child.on('message', (message) => {
    const resolve = waiting.get(message.type);
    if (resolve) {
      waiting.delete(message.type);
      resolve(message);
    }
  });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  return {
    child,
    exited,
    next: (type, timeoutMs = 120_000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`${script}: no ${type} within ${timeoutMs} ms`)),
          timeoutMs,
        );
        waiting.set(type, (message) => {
          clearTimeout(timer);
          resolve(message);
        });
      }),
    ask(type, extra = {}, timeoutMs) {
      const reply = this.next(type, timeoutMs);
      child.send({ type, ...extra });
      return reply;
    },
  };
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;

async function fanOut(impl, count) {
  const server = start('server.mjs', [impl]);
  const { port } = await server.next('ready');
  await sleep(500);
  const before = await server.ask('mem');
  const clients = start('clients.mjs', [String(port), String(count)]);
  const ready = clients.next('connected', 300_000);
  await ready;
  await sleep(1500); // let sessions settle (timers armed, buffers allocated)
  const after = await server.ask('mem');
  await clients.ask('reset');
  const calls = [];
  for (let round = 0; round < rounds; round++) {
    calls.push((await server.ask('broadcast')).tookMs);
    await sleep(1000);
  }
  calls.sort((a, b) => a - b);
  await sleep(500);
  const stats = await clients.ask('stats');
  clients.child.send({ type: 'exit' });
  server.child.send({ type: 'exit' });
  await Promise.all([clients.exited, server.exited]);
  return {
    impl,
    clients: count,
    connections: after.connections,
    delivered: stats.events,
    expected: count * rounds,
    p50: stats.p50,
    p99: stats.p99,
    max: stats.max,
    broadcastCallMs: calls[Math.floor(calls.length / 2)],
    rssPerConnection: (after.rss - before.rss) / count,
    heapPerConnection:
      (after.heapUsed + after.external - before.heapUsed - before.external) / count,
  };
}

async function slowReader(impl) {
  const count = Number(values['slow-clients']);
  const padding = Number(values['slow-padding']);
  const server = start('server.mjs', [impl], { SSE_BUFFER: values['slow-buffer'] });
  const { port } = await server.next('ready');
  const clients = start('clients.mjs', [String(port), String(count), 'slow']);
  await clients.next('connected', 300_000);
  await sleep(1000);
  const before = await server.ask('mem');
  await clients.ask('reset');
  for (let second = 0; second < slowSeconds; second++) {
    await server.ask('broadcast', { padding });
    await sleep(1000);
  }
  await sleep(1000);
  const slow = await server.ask('slow');
  const after = await server.ask('mem');
  const heapGrowth = after.heapUsed + after.external - before.heapUsed - before.external;
  const stats = await clients.ask('stats');
  clients.child.send({ type: 'exit' });
  server.child.send({ type: 'exit' });
  await Promise.all([clients.exited, server.exited]);
  return {
    impl,
    clients: count,
    seconds: slowSeconds,
    eventBytes: padding + 40,
    sentToPausedClient: slowSeconds * (padding + 40),
    pausedBufferedNow: slow.buffered,
    pausedBufferedMax: slow.maxBuffered,
    othersDelivered: stats.events,
    othersExpected: (count - 1) * slowSeconds,
    othersP99: stats.p99,
    rssGrowth: after.rss - before.rss,
    heapGrowth,
  };
}

const results = {
  node: process.version,
  date: new Date().toISOString(),
  loadavgBefore: loadavg(),
  rounds,
  fanOut: [],
  slow: [],
};
const median = (list) => {
  const sorted = [...list].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};
for (const count of counts) {
  // Interleaved repeats (raw, plinth, better-sse, raw, …) so that a busy moment on
  // the machine does not land on one implementation only; medians are reported.
  const runs = new Map(impls.map((impl) => [impl, []]));
  for (let r = 0; r < repeat; r++) {
    for (const impl of impls) {
      console.error(`fan-out: ${impl}, ${count} clients (run ${r + 1}/${repeat})…`);
      runs.get(impl).push(await fanOut(impl, count));
    }
  }
  for (const impl of impls) {
    const list = runs.get(impl);
    const out = { ...list[0], runs: list.length };
    for (const key of [
      'p50',
      'p99',
      'max',
      'broadcastCallMs',
      'rssPerConnection',
      'heapPerConnection',
    ]) {
      out[key] = median(list.map((x) => x[key]));
    }
    out.delivered = list.reduce((n, x) => n + x.delivered, 0);
    out.expected = list.reduce((n, x) => n + x.expected, 0);
    results.fanOut.push(out);
  }
}
if (slowSeconds > 0) {
  for (const impl of impls) {
    console.error(`slow reader: ${impl}, ${values['slow-clients']} clients, ${slowSeconds} s…`);
    results.slow.push(await slowReader(impl));
  }
}

results.loadavgAfter = loadavg();
const load = (l) => l.map((x) => x.toFixed(1)).join(' ');
console.log(
  `\nNode ${process.version}, ${rounds} broadcasts at 1/s, clients in a separate process on loopback, median of ${repeat} interleaved run(s); load average before ${load(results.loadavgBefore)}, after ${load(results.loadavgAfter)}.\n`,
);
console.log(
  '| server | clients | delivered | latency p50 | p99 | max | broadcast call | memory / connection (RSS) | heap + external / connection |',
);
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const r of results.fanOut) {
  const raw = results.fanOut.find((x) => x.impl === 'raw' && x.clients === r.clients);
  const ratio =
    raw && r !== raw ? ` (${(r.rssPerConnection / raw.rssPerConnection).toFixed(2)}x)` : '';
  console.log(
    `| ${r.impl} | ${r.clients} | ${r.delivered}/${r.expected} | ${r.p50.toFixed(1)} ms | ${r.p99.toFixed(1)} ms | ${r.max.toFixed(1)} ms | ${r.broadcastCallMs.toFixed(1)} ms | ${kib(r.rssPerConnection)}${ratio} | ${kib(r.heapPerConnection)} |`,
  );
}
if (results.slow.length > 0) {
  console.log(
    `\nSlow reader: one paused client among ${values['slow-clients']}, one ${kib(Number(values['slow-padding']) + 40)} broadcast per second for ${slowSeconds} s (plinth: buffer ${kib(Number(values['slow-buffer']))}, drop-oldest).\n`,
  );
  console.log(
    '| server | sent to the paused client | held for it in the server (max) | others delivered | others p99 | server heap + external growth | RSS growth |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const r of results.slow) {
    console.log(
      `| ${r.impl} | ${kib(r.sentToPausedClient)} | ${kib(r.pausedBufferedMax)} | ${r.othersDelivered}/${r.othersExpected} | ${r.othersP99.toFixed(1)} ms | ${kib(r.heapGrowth)} | ${kib(r.rssGrowth)} |`,
    );
  }
}
const out = join(here, '..', 'bench-results');
mkdirSync(out, { recursive: true });
writeFileSync(join(out, `sse-${Date.now()}.json`), `${JSON.stringify(results, null, 2)}\n`);
