// pnpm --filter @plinth/compress bench
//
// Side by side in one run, every server in its own process (node --expose-gc), the
// load from this one; every client asks for gzip (level 6 everywhere: the peers'
// default and ours):
//   100 KB JSON        requests/s (autocannon) and bytes on the wire
//   1e6-line NDJSON    seconds for the whole stream and compression ratio
//                      (a generator of lines, streamed by each framework)
//   SSE, 1,000 clients p50/p99 delivery latency (send to decoded, same clock) and
//                      server RSS per connection, gzip against uncompressed
// Servers: Plinth + @plinth/compress, @fastify/compress, Express + compression,
// Plinth uncompressed. Rounds are interleaved; medians are reported.
// Environment: ROUNDS (3), SECONDS (4) per autocannon run, CONNECTIONS (10),
// LINES (1e6), CLIENTS (1000), BROADCASTS (20), ONLY=sse for the SSE part alone.
import { fork } from 'node:child_process';
import http from 'node:http';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const here = dirname(fileURLToPath(import.meta.url));
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const SECONDS = Number(process.env.SECONDS ?? 4);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 10);
const LINES = Number(process.env.LINES ?? 1e6);
const CLIENTS = Number(process.env.CLIENTS ?? 1000);
const BROADCASTS = Number(process.env.BROADCASTS ?? 20);
const GZIP = { 'accept-encoding': 'gzip' };

const NAMES = {
  plinth: 'Plinth + @plinth/compress',
  fastify: 'Fastify + @fastify/compress',
  express: 'Express + compression',
  'plinth-identity': 'Plinth, uncompressed',
};
const SERVERS = Object.keys(NAMES);

async function startServer(kind) {
  const child = fork(join(here, 'server.mjs'), [kind], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    execArgv: ['--expose-gc'],
  });
  const port = await new Promise((resolve, reject) => {
    child.once('message', (m) => resolve(m.port));
    child.once('exit', (code) => reject(new Error(`${kind} exited with ${code}`)));
  });
  return { kind, url: `http://127.0.0.1:${port}`, child };
}

function ask(child, message, key) {
  return new Promise((resolve) => {
    const on = (m) => {
      if (m[key] !== undefined) {
        child.off('message', on);
        resolve(m[key]);
      }
    };
    child.on('message', on);
    child.send(message);
  });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

/** One request; the wire bytes, the Content-Encoding and the seconds it took. */
function download(url) {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    http
      .get(url, { headers: GZIP, agent: false }, (res) => {
        let bytes = 0;
        res.on('data', (c) => {
          bytes += c.length;
        });
        res.on('end', () =>
          resolve({
            bytes,
            encoding: res.headers['content-encoding'],
            seconds: (performance.now() - start) / 1000,
          }),
        );
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

function cannon(url) {
  return new Promise((resolve, reject) => {
    autocannon(
      { url, connections: CONNECTIONS, duration: SECONDS, headers: GZIP },
      (error, result) => (error ? reject(error) : resolve(result.requests.average)),
    );
  });
}

const ndjsonBytes = (() => {
  let n = 0;
  for (let i = 0; i < LINES; i++)
    n += `{"i":${i},"name":"element ${i}","ok":${i % 3 === 0}}\n`.length;
  return n;
})();

console.log(
  `@plinth/compress bench: Node ${process.version}, ${ROUNDS} rounds, autocannon ${SECONDS}s x ${CONNECTIONS} connections, load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
const servers = [];
for (const kind of SERVERS) servers.push(await startServer(kind));

const json = Object.fromEntries(SERVERS.map((k) => [k, { rps: [], bytes: 0, encoding: '' }]));
const nd = Object.fromEntries(SERVERS.map((k) => [k, { seconds: [], bytes: 0, encoding: '' }]));
const ndText = Object.fromEntries(SERVERS.map((k) => [k, { seconds: [], bytes: 0, encoding: '' }]));
const ONLY = process.env.ONLY;
for (let round = 0; round < (ONLY === 'sse' ? 0 : ROUNDS); round++) {
  for (const s of servers) {
    const one = await download(`${s.url}/json`);
    json[s.kind].bytes = one.bytes;
    json[s.kind].encoding = one.encoding ?? 'identity';
    json[s.kind].rps.push(await cannon(`${s.url}/json`));
  }
  for (const [table, type] of [
    [nd, 'ndjson'],
    [ndText, 'text'],
  ]) {
    for (const s of servers) {
      const one = await download(`${s.url}/ndjson?n=${LINES}&type=${type}`);
      table[s.kind].seconds.push(one.seconds);
      table[s.kind].bytes = one.bytes;
      table[s.kind].encoding = one.encoding ?? 'identity';
    }
  }
}

if (ONLY !== 'sse') {
  console.log('\n100 KB JSON (gzip asked)');
  console.log('| server | req/s | bytes on the wire | encoding |');
  console.log('|---|---:|---:|---|');
  for (const k of SERVERS) {
    const r = json[k];
    console.log(`| ${NAMES[k]} | ${Math.round(median(r.rps))} | ${r.bytes} | ${r.encoding} |`);
  }
  for (const [table, type] of [
    [nd, 'application/x-ndjson'],
    [ndText, 'text/plain'],
  ]) {
    console.log(`\n${LINES} NDJSON lines as ${type} (${ndjsonBytes} bytes uncompressed)`);
    console.log('| server | seconds | ratio | encoding |');
    console.log('|---|---:|---:|---|');
    for (const k of SERVERS) {
      const r = table[k];
      console.log(
        `| ${NAMES[k]} | ${median(r.seconds).toFixed(2)} | ${(ndjsonBytes / r.bytes).toFixed(1)} | ${r.encoding} |`,
      );
    }
  }
}

// ---- SSE: many clients, one broadcast at a time ----
// Delivery latency: from the moment this process asks the server to broadcast to
// the arrival of that event's bytes at each client (one flushed block per event
// and client). The clients do not decode: the time a browser takes to inflate is
// its own, and 1,000 decoders in this process would measure this process.
async function sse(server) {
  await ask(server.child, 'stats', 'stats');
  const before = await ask(server.child, 'stats', 'stats');
  const latencies = [];
  const requests = [];
  let open = 0;
  let current = -1;
  let askedAt = 0;
  let encoding = 'identity';
  for (let i = 0; i < CLIENTS; i++) {
    let seen = -1;
    const req = http.get(`${server.url}/events`, { headers: GZIP, agent: false }, (res) => {
      open++;
      encoding = res.headers['content-encoding'] ?? 'identity';
      res.on('data', () => {
        if (current > seen) {
          seen = current;
          latencies.push(performance.now() - askedAt);
        }
      });
    });
    req.on('error', () => {});
    requests.push(req);
  }
  while (open < CLIENTS) await new Promise((r) => setTimeout(r, 20));
  // The head (and gzip's header) arrived; give the first bytes time to settle.
  await new Promise((r) => setTimeout(r, 500));
  for (let n = 0; n < BROADCASTS; n++) {
    askedAt = performance.now();
    current = n;
    await ask(server.child, { broadcast: n }, 'broadcasted');
    await new Promise((r) => setTimeout(r, 200));
  }
  const after = await ask(server.child, 'stats', 'stats');
  for (const req of requests) req.destroy();
  return {
    encoding,
    received: latencies.length,
    p50: pct(latencies, 50),
    p99: pct(latencies, 99),
    perConnection: (after.rss - before.rss) / CLIENTS,
  };
}

console.log(`\nSSE: ${CLIENTS} clients, ${BROADCASTS} broadcasts 200 ms apart`);
console.log(
  '| server | encoding | events received | p50 ms | p99 ms | server RSS per connection |',
);
console.log('|---|---|---:|---:|---:|---:|');
for (const kind of ['plinth', 'plinth-identity']) {
  const s = servers.find((x) => x.kind === kind);
  const r = await sse(s);
  console.log(
    `| ${NAMES[kind]} | ${r.encoding} | ${r.received} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${(r.perConnection / 1024).toFixed(1)} KiB |`,
  );
  await new Promise((r) => setTimeout(r, 500));
}

for (const s of servers) s.child.kill();
