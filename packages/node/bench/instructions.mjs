// Instructions per request, counted by valgrind (callgrind): the figure a busy
// machine cannot blur. Each server of bench/run.mjs runs under valgrind in its own
// process; autocannon warms it up with instrumentation off, then instrumentation is
// switched on for a fixed number of requests. Reports the instructions the server's
// main thread (the event loop: JavaScript, the HTTP parser, libuv, the garbage
// collector's share there) executed per request, and those of all its threads (the
// rest is mostly the optimizing compiler in the background). Kernel work is not
// counted; the system calls are the same for every server (one read, one writev per
// request, checked with strace).
//
//   pnpm --filter @plinth/node bench:instructions
//   WARM=30000 COUNT=20000 PARALLEL=2 node bench/instructions.mjs
//
// Needs valgrind (with callgrind_control); prints a reason and exits when missing.
import { execFile, execFileSync, fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const WARM = Number(process.env.WARM ?? 30_000);
const COUNT = Number(process.env.COUNT ?? 20_000);
const PARALLEL = Number(process.env.PARALLEL ?? 2);
const REPEAT = Number(process.env.REPEAT ?? 2);

try {
  execFileSync('valgrind', ['--version'], { stdio: 'ignore' });
  execFileSync('callgrind_control', ['--version'], { stdio: 'ignore' });
} catch {
  console.log('skipped: valgrind (with callgrind_control) is not installed');
  process.exit(0);
}

const require = createRequire(import.meta.url);
const autocannon = require.resolve('autocannon/autocannon.js');
const TARGETS = [
  ['bare', 'node:http (bare handler)'],
  ['listener', '@plinth/node requestListener on node:http'],
  ['plinth0', '@plinth/node createServer, 0 app interceptors'],
  ['plinth10', '@plinth/node createServer, 10 app interceptors'],
];
const dir = mkdtempSync(join(tmpdir(), 'plinth-node-instructions-'));

function requests(port, amount) {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [
        autocannon,
        '-j',
        '-c',
        '10',
        '-t',
        '300',
        '-a',
        String(amount),
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

async function measure(kind, tag) {
  const out = join(dir, `${tag}.out`);
  const child = fork(new URL('./server.mjs', import.meta.url), [kind], {
    execPath: 'valgrind',
    execArgv: [
      '-q',
      '--tool=callgrind',
      '--instr-atstart=no',
      '--separate-threads=yes',
      '--smc-check=all-non-file',
      `--callgrind-out-file=${out}`,
      process.execPath,
    ],
  });
  const [{ port }] = await once(child, 'message');
  await requests(port, WARM);
  execFileSync('callgrind_control', ['-i', 'on', String(child.pid)], { stdio: 'ignore' });
  const n = await requests(port, COUNT);
  execFileSync('callgrind_control', ['-i', 'off', String(child.pid)], { stdio: 'ignore' });
  child.send('stop');
  await once(child, 'exit');
  let main = 0;
  let all = 0;
  for (const file of readdirSync(dir).filter((f) => f.startsWith(`${tag}.out`))) {
    const total = Number(/\ntotals: (\d+)/.exec(readFileSync(join(dir, file), 'utf8'))?.[1] ?? 0);
    all += total;
    if (file.endsWith('-01')) main = total;
  }
  return { main: main / n, all: all / n };
}

const jobs = [];
for (let r = 0; r < REPEAT; r++) for (const [kind] of TARGETS) jobs.push([kind, `${kind}-${r}`]);
const results = new Map(TARGETS.map(([kind]) => [kind, []]));
let next = 0;
await Promise.all(
  Array.from({ length: PARALLEL }, async () => {
    while (next < jobs.length) {
      const [kind, tag] = jobs[next++];
      results.get(kind).push(await measure(kind, tag));
      process.stderr.write(`${tag} done\n`);
    }
  }),
);
rmSync(dir, { recursive: true, force: true });

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const main = (kind) => mean(results.get(kind).map((r) => r.main));
const all = (kind) => mean(results.get(kind).map((r) => r.all));
console.log(
  `Node ${process.version}; valgrind callgrind; ${WARM} requests to warm up, then ${COUNT} counted; autocannon -c 10 in its own process; mean of ${REPEAT} fresh processes\n`,
);
console.log(
  '| server | main thread instructions/request | vs node:http | all threads instructions/request |',
);
console.log('|---|---:|---:|---:|');
for (const [kind, name] of TARGETS) {
  const spread = results
    .get(kind)
    .map((r) => Math.round(r.main / 100) / 10)
    .join(', ');
  console.log(
    `| ${name} | ${Math.round(main(kind))} (${spread} k) | ${(main('bare') / main(kind)).toFixed(3)}x | ${Math.round(all(kind))} |`,
  );
}
