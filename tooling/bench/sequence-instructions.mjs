// Instructions per sequence download (issue 22): the bench's own server programs
// (dist/servers/*.mjs, built by `pnpm bench:compare` or `pnpm --filter @plinth/bench
// build`) under valgrind's callgrind, each sequence downloaded with curl. Per
// process: WARMUP downloads with counting off, then COUNTED downloads counted
// (callgrind_control -i on/off around them); the figure is the main thread's
// instructions per download. The targets of one pair run at the same time, so the
// machine's state touches both alike; the count does not depend on the core.
//
//   pnpm --filter @plinth/bench seq:instructions
//   (environment: BENCH_SEQ_N elements, default 200000; WARMUP 3; COUNTED 2;
//    ONLY=objects|numbers)
import { execFile, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

const SERVERS = new URL('./dist/servers/', import.meta.url).pathname;
const N = process.env.BENCH_SEQ_N ?? '200000';
const WARMUP = Number(process.env.WARMUP ?? 3);
const COUNTED = Number(process.env.COUNTED ?? 2);
const ONLY = process.env.ONLY;
const work = mkdtempSync(join(tmpdir(), 'plinth-seq-instr-'));

/** [label, server kind, path] of every row; rows of one group run side by side. */
const GROUPS = {
  objects: [
    [
      ['JSON array: the limit (16 KiB batches)', 'node', '/seq/json-batched'],
      ['JSON array: Plinth', 'plinth', '/seq/json'],
      ['JSON array: Plinth, element schema', 'plinth', '/seq/json-schema'],
    ],
    [
      ['NDJSON: the limit (16 KiB batches)', 'node', '/seq/ndjson-batched'],
      ['NDJSON: Plinth', 'plinth', '/seq/ndjson'],
      ['NDJSON: Plinth, element schema', 'plinth', '/seq/ndjson-schema'],
    ],
  ],
  numbers: [
    [
      ['numbers: the limit (16 KiB batches)', 'node', '/seq/numbers-batched'],
      ['numbers: Plinth (generator)', 'plinth', '/seq/numbers'],
    ],
  ],
};

function start(kind, tag) {
  const child = spawn(
    'valgrind',
    [
      '-q',
      '--tool=callgrind',
      '--instr-atstart=no',
      '--separate-threads=yes',
      '--smc-check=all-non-file',
      `--callgrind-out-file=${join(work, tag)}`,
      process.execPath,
      '--expose-gc',
      `${SERVERS}${kind}.mjs`,
    ],
    {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: { ...process.env, BENCH_SEQ_N: N, NODE_ENV: 'production' },
    },
  );
  return new Promise((resolve, reject) => {
    child.on('message', (m) => {
      if (m.type === 'ready') resolve({ child, port: m.port, tag });
    });
    child.on('exit', (code) => reject(new Error(`${kind} exited with ${code}`)));
  });
}

async function curl(port, path) {
  const { stdout: out } = await run(
    'curl',
    [
      '-s',
      '-S',
      '-o',
      '/dev/null',
      '-w',
      '%{http_code} %{size_download}',
      `http://127.0.0.1:${port}${path}`,
    ],
    { timeout: 600_000 },
  );
  const [status, bytes] = out.split(' ').map(Number);
  if (status !== 200) throw new Error(`${path}: status ${status}`);
  return bytes;
}

async function measure([label, kind, path], i) {
  const server = await start(kind, `${kind}-${i}.out`);
  const pid = String(server.child.pid);
  let bytes = 0;
  for (let d = 0; d < WARMUP; d++) bytes = await curl(server.port, path);
  await run('callgrind_control', ['-i', 'on', pid]);
  for (let d = 0; d < COUNTED; d++) await curl(server.port, path);
  await run('callgrind_control', ['-i', 'off', pid]);
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  server.child.send({ id: 1, type: 'exit' });
  await exited;
  const main = readdirSync(work).find((f) => f === `${server.tag}-01`);
  if (!main) throw new Error(`${label}: no callgrind file for the main thread`);
  const text = readFileSync(join(work, main), 'utf8');
  for (const f of readdirSync(work)) if (f.startsWith(`${server.tag}-`)) rmSync(join(work, f));
  const total = Number((/^totals:\s+(\d+)/m.exec(text) ?? /^summary:\s+(\d+)/m.exec(text))[1]);
  return { label, perDownload: total / COUNTED, bytes };
}

const valgrind = execFileSync('valgrind', ['--version'], { encoding: 'utf8' }).trim();
console.log(
  `Node ${process.version}, ${valgrind}, BENCH_SEQ_N=${N}, ${WARMUP} warm-up + ${COUNTED} counted downloads (curl)`,
);
console.log(
  '| sequence | main-thread instructions per download | vs the limit (as speed) | bytes |',
);
console.log('|---|---:|---:|---:|');
try {
  for (const [name, groups] of Object.entries(GROUPS)) {
    if (ONLY && ONLY !== name) continue;
    for (const rows of groups) {
      const results = await Promise.all(rows.map((row, i) => measure(row, i)));
      const limit = results[0].perDownload;
      for (const r of results) {
        console.log(
          `| ${r.label} | ${Math.round(r.perDownload / 1e6).toLocaleString('en-US')} M | ${(limit / r.perDownload).toFixed(2)}x | ${r.bytes.toLocaleString('en-US')} |`,
        );
      }
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
