// The cost of observing Plinth, counted by valgrind (callgrind), side by side in one
// run: hello-world JSON and a 1e6-element sequence, served by @plinth/node with no
// instrumentation, with its diagnostics channels subscribed (no-op subscribers), and
// with @plinth/otel on the OpenTelemetry SDK (exporters that drop everything); and
// bare node:http without and with @opentelemetry/instrumentation-http on the same SDK.
//
// Each server runs under callgrind with counting off; after WARM requests counting is
// switched on (callgrind_control) for COUNT requests, then off: the figure is the
// main thread's instructions per counted request, as in @plinth/node's
// bench/instructions.mjs. The client (node:http, keep-alive, CONCURRENCY at a time)
// runs in this process, outside valgrind.
//
//   pnpm --filter @plinth/otel bench
//   WARM=2000 COUNT=3000 SEQ_WARM=1 SEQ_COUNT=1 node bench/run.mjs
//
// Needs valgrind (with callgrind_control); prints a reason and exits when missing.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const WARM = Number(process.env.WARM ?? 2000);
const COUNT = Number(process.env.COUNT ?? 3000);
const SEQ_WARM = Number(process.env.SEQ_WARM ?? 1);
const SEQ_COUNT = Number(process.env.SEQ_COUNT ?? 1);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 10);

if (
  spawnSync('valgrind', ['--version']).status !== 0 ||
  spawnSync('callgrind_control', ['--version']).status !== 0
) {
  console.log('skipped: valgrind (with callgrind_control) is not installed');
  process.exit(0);
}
const dir = mkdtempSync(join(tmpdir(), 'plinth-otel-bench-'));

const server = fileURLToPath(new URL('server.cjs', import.meta.url));

function get(agent, port, path) {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, agent }, (res) => {
        let bytes = 0;
        res.on('data', (chunk) => (bytes += chunk.length));
        res.on('end', () =>
          res.statusCode === 200 ? resolve(bytes) : reject(new Error(`status ${res.statusCode}`)),
        );
      })
      .on('error', reject);
  });
}

async function load(agent, port, total, concurrency) {
  let left = total;
  let bytes = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (left > 0) {
        left--;
        bytes = await get(agent, port, '/');
      }
    }),
  );
  return bytes;
}

/** The server's main-thread instructions per request, counted over `count` after `warm`. */
async function measure(target, scenario, warm, count) {
  const tag = `${target}-${scenario}`;
  const child = spawn(
    'valgrind',
    [
      '-q',
      '--tool=callgrind',
      '--instr-atstart=no',
      '--separate-threads=yes',
      `--callgrind-out-file=${join(dir, `${tag}.out`)}`,
      process.execPath,
      server,
      target,
      scenario,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const port = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      out += chunk;
      const match = /listening (\d+)/.exec(out);
      if (match) resolve(Number(match[1]));
    });
    child.on('exit', () => reject(new Error(`${target} exited before listening:\n${stderr}`)));
  });
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const concurrency = scenario === 'sequence' ? 1 : CONCURRENCY;
  await load(agent, port, warm, concurrency);
  execFileSync('callgrind_control', ['-i', 'on', String(child.pid)], { stdio: 'ignore' });
  const bytes = await load(agent, port, count, concurrency);
  execFileSync('callgrind_control', ['-i', 'off', String(child.pid)], { stdio: 'ignore' });
  await get(agent, port, '/exit');
  agent.destroy();
  const code = await exited;
  if (code !== 0) throw new Error(`${target} exited with ${code}:\n${stderr}`);
  const main = readdirSync(dir).find((f) => f.startsWith(`${tag}.out`) && f.endsWith('-01'));
  const total = Number(/\ntotals: (\d+)/.exec(readFileSync(join(dir, main), 'utf8'))?.[1]);
  if (!(total > 0)) throw new Error(`no callgrind totals for ${tag}`);
  return { perRequest: total / count, bytes };
}

const rows = [];
const started = Date.now();
const scenarios = [
  ['hello', WARM, COUNT, ['node', 'node-otel-http', 'plinth', 'plinth-channels', 'plinth-otel']],
  ['sequence', SEQ_WARM, SEQ_COUNT, ['plinth', 'plinth-channels', 'plinth-otel']],
];
for (const [scenario, warm, count, targets] of scenarios) {
  for (const target of targets) {
    const { perRequest, bytes } = await measure(target, scenario, warm, count);
    rows.push({ scenario, target, perRequest, bytes });
    console.error(`${scenario} ${target}: ${Math.round(perRequest)} instructions/request`);
  }
}

rmSync(dir, { recursive: true, force: true });

const of = (scenario, target) =>
  rows.find((r) => r.scenario === scenario && r.target === target).perRequest;
const fmt = (n) => Math.round(n).toLocaleString('en-US');
console.log(
  `Node ${process.version}; ${new Date().toISOString()}; main thread; hello: ${COUNT} counted after ${WARM} (${CONCURRENCY} at a time); sequence: ${SEQ_COUNT} counted after ${SEQ_WARM}; ${Math.round((Date.now() - started) / 1000)} s\n`,
);
console.log('| scenario | server | instructions/request | over its uninstrumented self |');
console.log('|---|---|---:|---:|');
for (const row of rows) {
  const bare = of(row.scenario, row.target.startsWith('plinth') ? 'plinth' : 'node');
  const extra = row.perRequest - bare;
  console.log(
    `| ${row.scenario} | ${row.target} | ${fmt(row.perRequest)} | ${row.perRequest === bare ? '-' : `${extra < 0 ? '' : '+'}${fmt(extra)} (${extra < 0 ? '' : '+'}${((extra / bare) * 100).toFixed(1)}%)`} |`,
  );
}
