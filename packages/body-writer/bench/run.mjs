// pnpm --filter @plinth/body-writer bench
//
// Side by side in one run, on loopback, one keep-alive connection, the client in a
// child process. Reported per scenario: wall time at the client, and the server
// process's CPU time for the request (steadier than wall time on a busy machine). Rounds are interleaved (A B C, A B C, ...) and medians reported.
//   (1) a generator of ELEMENTS small objects as a JSON array and as NDJSON through
//       writeBodyToStream, against a per-element res.write loop honouring 'drain'
//       and a hand-batched 16 KiB-chunk writer;
//   (2) a FILE_MB MB file through file() against
//       pipeline(fs.createReadStream(path, { highWaterMark }), res), 64 KiB and 1 MiB.
//   With BASE=<path to another build's dist/index.mjs> (an older commit checked out
//   and built elsewhere), its writeBodyToStream runs beside this build's on the same
//   sequences, in the same rounds, as the baseline of this build's rows.
// Run with node --expose-gc (the bench script does). Environment: ROUNDS (default 7), ELEMENTS (1e6), FILE_MB (100), ONLY=seq|file, BASE.
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { pathToFileURL } from 'node:url';
import { file, jsonArray, ndjson, writeBodyToStream } from '../dist/index.mjs';
import { compileElementSchema } from '../dist/schema.mjs';
import { responseSink } from './response-sink.mjs';

const ROUNDS = Number(process.env.ROUNDS ?? 7);
const ELEMENTS = Number(process.env.ELEMENTS ?? 1e6);
const FILE_MB = Number(process.env.FILE_MB ?? 100);
const ONLY = process.env.ONLY;
const BASE = process.env.BASE;
const base = BASE ? await import(pathToFileURL(resolve(BASE)).href) : undefined;

// The elements' JSON Schema, for the rows with { serialize } (compiled once).
const serialize = compileElementSchema({
  type: 'object',
  properties: { id: { type: 'integer' }, name: { type: 'string' }, ok: { type: 'boolean' } },
  required: ['id', 'name', 'ok'],
});

function* items() {
  for (let i = 0; i < ELEMENTS; i++) yield { id: i, name: 'item', ok: true };
}

const drain = (res) =>
  new Promise((resolve, reject) => {
    const onDrain = () => {
      res.off('close', onClose);
      resolve();
    };
    const onClose = () => {
      res.off('drain', onDrain);
      reject(new Error('closed'));
    };
    res.once('drain', onDrain);
    res.once('close', onClose);
  });

async function viaPlinth(res, body, type, length, write = writeBodyToStream) {
  res.writeHead(
    200,
    length === undefined
      ? { 'content-type': type }
      : { 'content-type': type, 'content-length': length },
  );
  const sink = responseSink(res);
  await write(body, sink);
  sink.end();
}

async function perElement(res, format) {
  res.writeHead(200, {
    'content-type': format === 'json' ? 'application/json' : 'application/x-ndjson',
  });
  let first = true;
  if (format === 'json' && !res.write('[')) await drain(res);
  for (const item of items()) {
    const line =
      format === 'json'
        ? first
          ? JSON.stringify(item)
          : `,${JSON.stringify(item)}`
        : `${JSON.stringify(item)}\n`;
    first = false;
    if (!res.write(line)) await drain(res);
  }
  res.end(format === 'json' ? ']' : undefined);
}

async function handBatched(res, format) {
  res.writeHead(200, {
    'content-type': format === 'json' ? 'application/json' : 'application/x-ndjson',
  });
  let buffer = format === 'json' ? '[' : '';
  let first = true;
  for (const item of items()) {
    if (format === 'json') {
      buffer += first ? JSON.stringify(item) : `,${JSON.stringify(item)}`;
      first = false;
    } else {
      buffer += `${JSON.stringify(item)}\n`;
    }
    if (buffer.length >= 16384) {
      const ok = res.write(buffer);
      buffer = '';
      if (!ok) await drain(res);
    }
  }
  res.end(format === 'json' ? `${buffer}]` : buffer);
}

let filePath = '';
const KiB64 = 64 * 1024;
const MiB = 1024 * 1024;

async function viaPipeline(res, highWaterMark) {
  const { size } = statSync(filePath);
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': size });
  await pipeline(createReadStream(filePath, { highWaterMark }), res);
}

async function viaFile(res, highWaterMark) {
  const body = file(filePath, { highWaterMark });
  await body.prepare();
  await viaPlinth(res, body, body.defaultContentType(), body.contentLength());
}

const scenarios = {
  seq: [
    ['json: writeBodyToStream(generator)', (res) => viaPlinth(res, items(), 'application/json')],
    [
      'json: jsonArray(generator, { serialize }) (schema)',
      (res) => viaPlinth(res, jsonArray(items(), { serialize }), 'application/json'),
    ],
    ['json: per-element res.write + drain', (res) => perElement(res, 'json')],
    ['json: hand-batched 16 KiB', (res) => handBatched(res, 'json')],
    [
      'ndjson: writeBodyToStream(ndjson(generator))',
      (res) => viaPlinth(res, ndjson(items()), 'application/x-ndjson'),
    ],
    [
      'ndjson: ndjson(generator, { serialize }) (schema)',
      (res) => viaPlinth(res, ndjson(items(), { serialize }), 'application/x-ndjson'),
    ],
    ['ndjson: per-element res.write + drain', (res) => perElement(res, 'ndjson')],
    ['ndjson: hand-batched 16 KiB', (res) => handBatched(res, 'ndjson')],
    ...(base === undefined
      ? []
      : [
          [
            'json: BASE writeBodyToStream(generator)',
            (res) => viaPlinth(res, items(), 'application/json', undefined, base.writeBodyToStream),
          ],
          [
            'ndjson: BASE writeBodyToStream(ndjson(generator))',
            (res) =>
              viaPlinth(
                res,
                base.ndjson(items()),
                'application/x-ndjson',
                undefined,
                base.writeBodyToStream,
              ),
          ],
        ]),
  ],
  file: [
    ['file(): 1 MiB reads', (res) => viaFile(res, MiB)],
    ['pipeline(createReadStream 1 MiB)', (res) => viaPipeline(res, MiB)],
    ['file(): 64 KiB reads', (res) => viaFile(res, KiB64)],
    ['pipeline(createReadStream 64 KiB)', (res) => viaPipeline(res, KiB64)],
  ],
};

const active = Object.entries(scenarios)
  .filter(([group]) => !ONLY || ONLY === group)
  .flatMap(([, list]) => list);

/** CPU milliseconds the server spent on the last request. */
let lastCpuMs = 0;

const server = http.createServer((req, res) => {
  const index = Number(req.url.slice(1));
  const scenario = active[index];
  if (!scenario) {
    res.writeHead(404).end();
    return;
  }
  const cpu = process.cpuUsage();
  res.on('finish', () => {
    const used = process.cpuUsage(cpu);
    lastCpuMs = (used.user + used.system) / 1000;
  });
  scenario[1](res).catch((error) => {
    console.error(`${scenario[0]} failed:`, error);
    res.destroy(error);
  });
});

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

async function main() {
  if (!ONLY || ONLY === 'file') {
    const dir = mkdtempSync(join(tmpdir(), 'plinth-bench-'));
    filePath = join(dir, 'big.bin');
    const chunk = randomBytes(MiB);
    writeFileSync(filePath, Buffer.concat(Array.from({ length: FILE_MB }, () => chunk)));
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  const client = fork(new URL('./client.mjs', import.meta.url), { execArgv: [] });
  const get = (index) =>
    new Promise((resolve, reject) => {
      client.once('message', (m) =>
        m.error ? reject(new Error(m.error)) : resolve({ ...m, cpuMs: lastCpuMs }),
      );
      client.send({ url: `http://127.0.0.1:${port}/${index}` });
    });

  // One warm-up request per scenario, then interleaved rounds.
  for (let i = 0; i < active.length; i++) await get(i);
  const times = active.map(() => []);
  const cpus = active.map(() => []);
  const sizes = active.map(() => 0);
  for (let round = 0; round < ROUNDS; round++) {
    // Each round starts at another scenario, and the heap is collected before each
    // request (node --expose-gc), so no scenario pays for the previous one's garbage.
    for (let k = 0; k < active.length; k++) {
      const i = (k + round) % active.length;
      globalThis.gc?.();
      const { ms, bytes, cpuMs } = await get(i);
      times[i].push(ms);
      cpus[i].push(cpuMs);
      sizes[i] = bytes;
    }
  }
  client.disconnect();
  server.close();

  console.log(
    `Node ${process.version}, ${ROUNDS} interleaved rounds, one keep-alive connection on loopback`,
  );
  console.log(`ELEMENTS=${ELEMENTS} FILE_MB=${FILE_MB}\n`);
  console.log('| scenario | wall ms | MB/s | wall vs baseline | server CPU ms | CPU vs baseline |');
  console.log('|---|---:|---:|---:|---:|---:|');
  const isFile = (name) => name.startsWith('file') || name.startsWith('pipeline');
  const baselineOf = (name) => {
    if (name.startsWith('json:')) return 'json: hand-batched 16 KiB';
    if (name.startsWith('ndjson:')) return 'ndjson: hand-batched 16 KiB';
    if (name.includes('64 KiB')) return 'pipeline(createReadStream 64 KiB)';
    return 'pipeline(createReadStream 1 MiB)';
  };
  const indexOf = new Map(active.map(([name], i) => [name, i]));
  // Ratios are taken within each round (the same minute of machine load), then the
  // median over rounds: sturdier than a ratio of medians on a shared machine.
  // Sequences: time ratio (lower is better); files: throughput ratio (higher is better).
  const pairedRatio = (series, i, j, throughput) =>
    median(series[i].map((v, round) => (throughput ? series[j][round] / v : v / series[j][round])));
  for (const [name, i] of indexOf) {
    const ms = median(times[i]);
    const mbps = sizes[i] / 1e6 / (ms / 1000);
    const base = indexOf.get(baselineOf(name));
    const unit = isFile(name) ? 'x throughput' : 'x time';
    const wall = pairedRatio(times, i, base, isFile(name));
    const cpu = pairedRatio(cpus, i, base, isFile(name));
    console.log(
      `| ${name} | ${ms.toFixed(0)} | ${mbps.toFixed(0)} | ${wall.toFixed(2)} ${unit} | ${median(cpus[i]).toFixed(0)} | ${cpu.toFixed(2)} ${unit} |`,
    );
  }
  if (base !== undefined) {
    console.log('\nThis build against BASE, paired by round (x time, lower is better):');
    for (const format of [
      'json: writeBodyToStream(generator)',
      'ndjson: writeBodyToStream(ndjson(generator))',
    ]) {
      const i = indexOf.get(format);
      const j = indexOf.get(format.replace(': ', ': BASE '));
      if (i === undefined || j === undefined) continue;
      console.log(
        `- ${format}: wall ${pairedRatio(times, i, j, false).toFixed(3)}x, server CPU ${pairedRatio(cpus, i, j, false).toFixed(3)}x (medians ${median(cpus[i]).toFixed(0)} vs ${median(cpus[j]).toFixed(0)} ms CPU)`,
      );
    }
  }
  const big = indexOf.get('file(): 1 MiB reads');
  const small = indexOf.get('file(): 64 KiB reads');
  if (big !== undefined && small !== undefined) {
    console.log(
      `\nfile(): 1 MiB reads give ${pairedRatio(times, small, big, false).toFixed(2)}x the throughput of 64 KiB reads`,
    );
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
