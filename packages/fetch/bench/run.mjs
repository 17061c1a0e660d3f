// pnpm --filter @plinth/fetch bench: hello-world JSON (requests/s, autocannon) and
// the 1e6-element sequence (ms per download) for each server of bench/servers.mjs,
// one after another in one run, each as a child process on an ephemeral port; the
// ratios are to the bare server of the same runtime. DURATION (s, default 5) and
// CONNECTIONS (default 32) tune the hello-world runs; ROUNDS (default 5) is how
// many times each server is measured, interleaved; ONLY=bun or ONLY=node runs one runtime.
import { execFileSync, spawn } from 'node:child_process';
import { request } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

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
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'inherit'] });
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

function hello(port, duration) {
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
  `node ${process.version}, bun ${execFileSync(bun, ['--version']).toString().trim()}, ${DURATION} s x ${CONNECTIONS} connections, ${ROUNDS} rounds, the ${N}-element sequence (${SEQ_BYTES} bytes)`,
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
