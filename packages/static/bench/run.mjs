// pnpm --filter @plinth/static bench
//
// Side by side in one run: Plinth's serveStatic, @fastify/static, sirv and
// express.static (send), each server in its own process, the load from this one.
//   1 KiB file         requests/s (autocannon)
//   304 revalidation   requests/s (autocannon, If-None-Match with the server's own ETag)
//   single range       requests/s (autocannon, 64 KiB from the middle of a 100 MiB file)
//   100 MiB file       MiB/s (sequential downloads on one keep-alive connection);
//                      Plinth's whole-file file() body is measured beside it
//   10 ranges          MiB/s of the bytes asked for (10 x 1 MiB of the 100 MiB file
//                      in one request; servers without multipart send the whole file)
// Rounds are interleaved (each scenario runs every server before the next round)
// and the median of the rounds is reported, with the median of per-round ratios to
// @fastify/static; the server's CPU time per request (all its threads) beside.
// Environment: ROUNDS (3), SECONDS (4) per autocannon run, CONNECTIONS (10), DOWNLOADS (3).
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const here = dirname(fileURLToPath(import.meta.url));
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const SECONDS = Number(process.env.SECONDS ?? 4);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 10);
const DOWNLOADS = Number(process.env.DOWNLOADS ?? 3);
const MIB = 1024 * 1024;
const BIG = 100 * MIB;

const root = mkdtempSync(join(tmpdir(), 'plinth-static-bench-'));
writeFileSync(join(root, 'small.txt'), 'x'.repeat(1024));
{
  // 100 MiB of non-zero bytes, written in 1 MiB pieces.
  const piece = Buffer.alloc(MIB);
  for (let i = 0; i < MIB; i++) piece[i] = i % 251;
  const fd = (await import('node:fs')).openSync(join(root, 'big.bin'), 'w');
  for (let i = 0; i < 100; i++) (await import('node:fs')).writeSync(fd, piece);
  (await import('node:fs')).closeSync(fd);
}

const SERVERS = ['plinth', 'fastify', 'sirv', 'express'];
const NAMES = {
  plinth: 'Plinth serveStatic',
  fastify: '@fastify/static',
  sirv: 'sirv',
  express: 'express.static',
  'plinth-file': 'Plinth file() (whole file only)',
};

async function startServer(kind) {
  const child = fork(join(here, 'server.mjs'), [kind, root], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise((resolve, reject) => {
    child.once('message', (m) => resolve(m.port));
    child.once('exit', (code) => reject(new Error(`${kind} exited with ${code}`)));
  });
  return { kind, url: `http://127.0.0.1:${port}`, child };
}

const cpu = (child) =>
  new Promise((resolve) => {
    const on = (m) => {
      if (m.cpu) {
        child.off('message', on);
        resolve(m.cpu);
      }
    };
    child.on('message', on);
    child.send('cpu');
  });

/** Requests/s, and the server's CPU time per request (all its threads) in µs. */
async function load(s, path, headers) {
  const before = await cpu(s.child);
  const rps = await cannon(`${s.url}${path}`, headers);
  const after = await cpu(s.child);
  const us = after.user + after.system - before.user - before.system;
  return { value: rps.average, cpu: us / rps.total };
}

function cannon(url, headers) {
  return new Promise((resolve, reject) => {
    autocannon({ url, connections: CONNECTIONS, duration: SECONDS, headers }, (error, result) => {
      if (error) reject(error);
      else if (result.non2xx > 0 && !headers['if-none-match'])
        reject(new Error(`${url}: ${result.non2xx} non-2xx answers`));
      else resolve(result.requests);
    });
  });
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
function download(url, headers = {}) {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    http
      .get(url, { agent, headers }, (res) => {
        let bytes = 0;
        res.on('data', (c) => {
          bytes += c.length;
        });
        res.on('end', () =>
          resolve({
            ms: Number(process.hrtime.bigint() - start) / 1e6,
            bytes,
            status: res.statusCode,
            type: res.headers['content-type'] ?? '',
          }),
        );
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

async function etagOf(url) {
  const res = await fetch(url);
  await res.arrayBuffer();
  return res.headers.get('etag');
}

const TEN = Array.from({ length: 10 }, (_, i) => `${i * 10 * MIB}-${i * 10 * MIB + MIB - 1}`).join(
  ',',
);
const scenarios = {
  '1 KiB file (req/s)': (s) => load(s, '/small.txt', {}),
  '304 revalidation (req/s)': async (s) =>
    load(s, '/small.txt', { 'if-none-match': await etagOf(`${s.url}/small.txt`) }),
  'single 64 KiB range of 100 MiB (req/s)': (s) =>
    load(s, '/big.bin', { range: 'bytes=52428800-52494335' }),
  '100 MiB file (MiB/s)': async (s) => {
    let ms = 0;
    for (let i = 0; i < DOWNLOADS; i++) {
      const r = await download(`${s.url}/big.bin`);
      if (r.bytes !== BIG) throw new Error(`${s.kind}: ${r.bytes} bytes`);
      ms += r.ms;
    }
    return (DOWNLOADS * 100) / (ms / 1000);
  },
  '10 x 1 MiB ranges in one request (MiB/s)': async (s) => {
    let ms = 0;
    let bytes = 0;
    let note = '';
    for (let i = 0; i < DOWNLOADS; i++) {
      const r = await download(`${s.url}/big.bin`, { range: `bytes=${TEN}` });
      const mib = `${Math.round(r.bytes / MIB)} MiB`;
      note =
        r.status !== 206
          ? `${r.status}: the whole file, ${mib}`
          : r.type.startsWith('multipart/byteranges')
            ? `206 multipart, ${mib}`
            : `206 with the first range only, ${mib}`;
      ms += r.ms;
      bytes += r.bytes;
    }
    return { value: bytes / MIB / (ms / 1000), note };
  },
};

/** `table[a]`, created empty when missing. */
function slot(table, a) {
  if (table[a] === undefined) table[a] = {};
  return table[a];
}

/** `table[a][b]`, created as an empty list when missing. */
function list(table, a, b) {
  const row = slot(table, a);
  if (row[b] === undefined) row[b] = [];
  return row[b];
}

const results = {}; // scenario -> server -> values[]
const notes = {};
const cpus = {}; // scenario -> server -> CPU µs per request[]
const loadAvg = [loadavg()[0]];
const servers = [];
try {
  for (const kind of [...SERVERS, 'plinth-file']) servers.push(await startServer(kind));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, run] of Object.entries(scenarios)) {
      const onlyPlinthFile = name.startsWith('100 MiB');
      // Each round starts at another server, so no server always runs first.
      const order = servers.filter((s) => s.kind !== 'plinth-file' || onlyPlinthFile);
      const rotated = order.map((_, i) => order[(i + round) % order.length]);
      for (const s of rotated) {
        const out = await run(s);
        const value = typeof out === 'number' ? out : out.value;
        if (out.note !== undefined) slot(notes, name)[s.kind] = out.note;
        if (out.cpu !== undefined) list(cpus, name, s.kind).push(out.cpu);
        list(results, name, s.kind).push(value);
        process.stderr.write(`round ${round + 1} ${name} ${s.kind}: ${value.toFixed(1)}\n`);
      }
    }
  }
} finally {
  for (const s of servers) s.child.kill();
  rmSync(root, { recursive: true, force: true });
}
loadAvg.push(loadavg()[0]);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
// Ratios are the median of per-round ratios: within a round the servers ran
// back to back, so the machine's load changes between rounds cancel out.
const ratio = (values, base) => median(values.map((v, i) => v / base[i]));
const lines = [
  `Node ${process.version}, ${process.platform}, ${ROUNDS} rounds, ${SECONDS} s x ${CONNECTIONS} connections per autocannon run, ${DOWNLOADS} downloads per round; load average ${loadAvg[0].toFixed(1)} before, ${loadAvg[1].toFixed(1)} after.`,
  '',
  '| scenario | server | median | vs @fastify/static | server CPU per request | vs @fastify/static | note |',
  '|---|---|---:|---:|---:|---:|---|',
];
for (const [name, byServer] of Object.entries(results)) {
  for (const [kind, values] of Object.entries(byServer)) {
    const m = median(values);
    const c = cpus[name]?.[kind];
    const cpuCells =
      c === undefined
        ? ' | '
        : `${median(c).toFixed(0)} µs | ${ratio(c, cpus[name].fastify).toFixed(2)}x`;
    let note = notes[name]?.[kind] ?? '';
    if (kind === 'plinth' && byServer['plinth-file'] !== undefined) {
      note = `${ratio(values, byServer['plinth-file']).toFixed(2)}x of Plinth's file()`;
    }
    lines.push(
      `| ${name} | ${NAMES[kind]} | ${m.toFixed(m >= 100 ? 0 : 1)} | ${ratio(values, byServer.fastify).toFixed(2)}x | ${cpuCells} | ${note} |`,
    );
  }
}
console.log(lines.join('\n'));
