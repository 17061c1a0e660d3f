// node --expose-gc bench/zlib-memory.mjs
//
// What an idle compressed event stream holds: N zlib streams, each fed 40 flushed
// blocks of 8 KiB of SSE events (so the window and hash tables are touched), then
// left idle. RSS (zlib's memory is native, outside the JS heap) per stream, after
// garbage collection, for gzip windowBits x memLevel and brotli lgwin x quality.
// One process per setting, so that each starts from the same baseline.
// Environment: N (300).
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

const [kind, a, b] = process.argv.slice(2);

if (kind === undefined) {
  console.log(`zlib memory per idle stream, Node ${process.version}, N=${process.env.N ?? 300}`);
  console.log('| coding | setting | KiB per idle stream (RSS) |');
  console.log('|---|---|---:|');
  const self = fileURLToPath(import.meta.url);
  const runs = [['none', 0, 0]];
  for (const wb of [15, 13, 12, 11]) for (const ml of [8, 5]) runs.push(['gzip', wb, ml]);
  for (const lg of [22, 18, 16]) for (const q of [4, 5]) runs.push(['br', lg, q]);
  for (const [k, x, y] of runs) {
    const out = execFileSync(process.execPath, ['--expose-gc', self, k, String(x), String(y)]);
    process.stdout.write(out);
  }
} else {
  const N = Number(process.env.N ?? 300);
  const events = Array.from({ length: 2000 }, (_, k) =>
    Buffer.from(
      `id: ${k}\nevent: tick\ndata: {"time":"${new Date(Date.now() + k * 7919).toISOString()}","n":${Math.random()}}\n\n`,
    ),
  );
  const all = Buffer.concat(events);
  globalThis.gc();
  globalThis.gc();
  const base = process.memoryUsage().rss;
  const streams = [];
  let done = 0;
  const C = zlib.constants;
  for (let i = 0; i < N; i++) {
    let s;
    if (kind === 'gzip') {
      s = zlib.createGzip({ level: 6, windowBits: +a, memLevel: +b, flush: C.Z_SYNC_FLUSH });
    } else if (kind === 'br') {
      s = zlib.createBrotliCompress({
        flush: C.BROTLI_OPERATION_FLUSH,
        params: { [C.BROTLI_PARAM_QUALITY]: +b, [C.BROTLI_PARAM_LGWIN]: +a },
      });
    } else s = new (await import('node:stream')).PassThrough();
    s.on('data', () => {});
    streams.push(s);
    let k = 0;
    const next = () => {
      if (k >= 40) {
        if (++done === N) report();
        return;
      }
      const at = (k++ * 8192) % (all.length - 8192);
      s.write(all.subarray(at, at + 8192), next);
    };
    next();
  }
  function report() {
    globalThis.gc();
    globalThis.gc();
    setTimeout(() => {
      const perStream = (process.memoryUsage().rss - base) / N / 1024;
      const setting =
        kind === 'gzip'
          ? `windowBits ${a}, memLevel ${b}`
          : kind === 'br'
            ? `lgwin ${a}, quality ${b}`
            : 'a PassThrough (baseline)';
      console.log(`| ${kind} | ${setting} | ${perStream.toFixed(1)} |`);
      process.exit(0);
    }, 300);
  }
}
