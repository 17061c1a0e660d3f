#!/usr/bin/env node
// Memory of the demo's server while a client reads GET /range?limit=N to the end,
// for N from 10^5 to 10^8: the server's peak resident memory should not grow with N
// (the sequence is lazy and the client's pace drives it). Each N runs in a fresh
// server process (the built dist/main.mjs); its RSS is sampled from /proc every
// 20 ms. Linux only (it reads /proc).
//
//   pnpm --filter @plinth/demo bench          (after pnpm build)
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../dist/main.mjs', import.meta.url));
if (!existsSync(main)) throw new Error(`${main} is missing: run pnpm build first`);
if (!existsSync('/proc/self/status')) throw new Error('this benchmark reads /proc (Linux only)');

const MiB = 1024 * 1024;
const rss = (pid) => {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) * 1024 : Number.NaN;
};

async function measure(limit) {
  const child = spawn(process.execPath, [main], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      out += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match) resolve(match[1]);
    });
    child.once('exit', () => reject(new Error(`the demo exited:\n${out}`)));
  });
  child.stdout.resume();
  const before = rss(child.pid);
  let peak = before;
  const sampler = setInterval(() => {
    peak = Math.max(peak, rss(child.pid));
  }, 20);
  const started = performance.now();
  const response = await fetch(`${url}/range?limit=${limit}`);
  const reader = response.body.getReader();
  let bytes = 0;
  let firstByteMs;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    firstByteMs ??= performance.now() - started;
    bytes += value.byteLength;
  }
  const totalMs = performance.now() - started;
  clearInterval(sampler);
  peak = Math.max(peak, rss(child.pid));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
  return { limit, bytes, firstByteMs, totalMs, before, peak };
}

const limits = [1e5, 1e6, 1e7, 1e8];
const rows = [];
for (const limit of limits) rows.push(await measure(limit));
const base = rows[0];
console.log(`node ${process.version}, ${process.platform} ${process.arch}\n`);
console.log(
  '| limit | JSON sent | first byte | total | MB/s | server RSS before | peak | peak / peak at 10^5 |',
);
console.log('|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const r of rows) {
  console.log(
    `| ${r.limit.toExponential().replace('e+', 'e')} | ${(r.bytes / MiB).toFixed(1)} MiB | ${r.firstByteMs.toFixed(1)} ms | ${(r.totalMs / 1000).toFixed(2)} s | ${(r.bytes / MiB / (r.totalMs / 1000)).toFixed(0)} | ${(r.before / MiB).toFixed(1)} MiB | ${(r.peak / MiB).toFixed(1)} MiB | ${(r.peak / base.peak).toFixed(2)} |`,
  );
}
