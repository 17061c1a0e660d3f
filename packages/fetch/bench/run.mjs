// pnpm --filter @plinth/fetch bench: hello-world JSON (requests/s, autocannon) and
// the 1e6-element sequence (ms per download) for each server of bench/servers.mjs,
// one after another in one run, each as a child process on an ephemeral port; the
// ratios are to the bare server of the same runtime. DURATION (s, default 5) and
// CONNECTIONS (default 32) tune the hello-world runs; ROUNDS (default 5) is how
// many times each server is measured, interleaved; ONLY=bun or ONLY=node runs one runtime.
// PIN=1 puts the servers on core 0 and the clients on core 1 (taskset) and loads
// hello-world with wrk (one thread) instead of autocannon, so that the client is
// neither sharing the server's core nor slower than the fastest server.
import { execFileSync, spawn } from 'node:child_process';
import { request } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const PIN = process.env.PIN === '1';
// The bench (the sequence's client) and wrk run on core 1; servers on core 0.
if (PIN) execFileSync('taskset', ['-p', '-c', '1', String(process.pid)], { stdio: 'ignore' });

const here = fileURLToPath(new URL('.', import.meta.url));
const bun = join(here, '../node_modules/bun/bin/bun.exe');
const DURATION = Number(process.env.DURATION ?? 5);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 32);
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const N = 1_000_000;
const SEQ_BYTES =
  2 + Array.from({ length: N }, (_, i) => String(i).length).reduce((a, b) => a + b, 0) + (N - 1);

const GROUPS = {
  bun: ['bun-bare', 'bun-plinth', 'bun-hono'],
  node: ['node-bare', 'node-plinth-node', 'node-plinth-fetch', 'node-hono', 'node-srvx'],
};
const LABELS = {
  'bun-bare': 'bare Bun.serve',
  'bun-plinth': '@plinth/fetch on Bun.serve',
  'bun-hono': 'Hono on Bun.serve (stream() per element)',
  'node-bare': 'bare node:http',
  'node-plinth-node': '@plinth/node',
  'node-plinth-fetch': '@plinth/fetch on srvx',
  'node-hono': 'Hono on @hono/node-server (stream() per element)',
  'node-srvx': 'bare fetch handler on srvx',
};

function start(kind) {
  const [bin, args] = kind.startsWith('bun-')
    ? [bun, [join(here, 'servers.mjs'), kind]]
    : [process.execPath, [join(here, 'servers.mjs'), kind]];
  const child = PIN
    ? spawn('taskset', ['-c', '0', bin, ...args], { stdio: ['ignore', 'pipe', 'inherit'] })
    : spawn(bin, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.once('exit', (code) => reject(new Error(`${kind} exited with ${code}`)));
    child.stdout.on('data', (d) => {
      out += d;
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve({ child, port: JSON.parse(line).port });
    });
  });
}

function stop(child) {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

function wrk(port, duration) {
  const out = execFileSync(
    'taskset',
    [
      '-c',
      '1',
      'wrk',
      '-t1',
      `-c${CONNECTIONS}`,
      `-d${duration}s`,
      `http://127.0.0.1:${port}/hello`,
    ],
    { encoding: 'utf8' },
  );
  if (/Non-2xx|Socket errors/.test(out)) throw new Error(`wrk saw errors:\n${out}`);
  const match = /Requests\/sec:\s+([0-9.]+)/.exec(out);
  if (!match) throw new Error(`no Requests/sec in wrk's output:\n${out}`);
  return Number(match[1]);
}

function hello(port, duration) {
  if (PIN) return Promise.resolve(wrk(port, duration));
  return new Promise((resolve, reject) => {
    autocannon(
      { url: `http://127.0.0.1:${port}/hello`, connections: CONNECTIONS, duration },
      (error, result) => {
        if (error) reject(error);
        else if (result.non2xx !== 0 || result.errors !== 0)
          reject(new Error(`errors: ${result.non2xx} non-2xx, ${result.errors} errors`));
        else resolve(result.requests.average);
      },
    );
  });
}

function download(port) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    request(`http://127.0.0.1:${port}/seq`, { agent: false }, (res) => {
      let bytes = 0;
      res.on('data', (c) => {
        bytes += c.length;
      });
      res.on('end', () => {
        if (bytes !== SEQ_BYTES) reject(new Error(`got ${bytes} bytes, expected ${SEQ_BYTES}`));
        else resolve(performance.now() - t0);
      });
      res.on('error', reject);
    })
      .on('error', reject)
      .end();
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

console.log(
  `node ${process.version}, bun ${execFileSync(bun, ['--version']).toString().trim()}, ${PIN ? 'pinned (servers core 0, wrk -t1 and the downloads core 1)' : 'autocannon, unpinned'}, ${DURATION} s x ${CONNECTIONS} connections, ${ROUNDS} rounds, the ${N}-element sequence (${SEQ_BYTES} bytes)`,
);
for (const [runtime, kinds] of Object.entries(GROUPS)) {
  if (process.env.ONLY && process.env.ONLY !== runtime) continue;
  // Every server of the runtime listens at once (idle ones cost nothing); the rounds
  // interleave them, so a slow moment of the shared machine hits all alike.
  const servers = [];
  for (const kind of kinds) servers.push({ kind, ...(await start(kind)), rps: [], seq: [] });
  try {
    for (const s of servers) {
      await hello(s.port, 1); // warm-up
      await download(s.port);
    }
    for (let round = 0; round < ROUNDS; round++) {
      for (const s of servers) {
        s.rps.push(await hello(s.port, DURATION));
        s.seq.push(await download(s.port));
      }
    }
  } finally {
    for (const s of servers) await stop(s.child);
  }
  const rows = servers.map((s) => ({ kind: s.kind, rps: median(s.rps), seqMs: median(s.seq) }));
  const bare = rows[0];
  console.log(`\n${runtime} (median of ${ROUNDS} rounds)`);
  console.log('| server | hello req/s | × bare | 1e6 sequence ms | × bare (time) |');
  console.log('|---|---:|---:|---:|---:|');
  for (const r of rows) {
    console.log(
      `| ${LABELS[r.kind]} | ${Math.round(r.rps)} | ${(r.rps / bare.rps).toFixed(2)} | ${Math.round(r.seqMs)} | ${(r.seqMs / bare.seqMs).toFixed(2)} |`,
    );
  }
}
