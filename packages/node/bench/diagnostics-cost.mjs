// What the diagnostics channels cost per request, counted by valgrind (callgrind):
// requestListener (hello-world JSON, no app interceptor) served in process, as in
// bench/overhead.mjs, with nothing subscribed and with every channel subscribed.
// Each figure is the difference between a run of WARM + COUNT requests and a run of
// WARM requests, divided by COUNT: startup and warm-up cancel out. V8 runs
// single-threaded (--single-threaded), so its compiler's work stays on the counted
// thread and two runs of the same program count the same to a few instructions.
//
//   node bench/diagnostics-cost.mjs                   (WARM=20000 COUNT=20000)
//   ADAPTER=/path/to/an/older/dist/index.mjs node bench/diagnostics-cost.mjs
//
// Needs valgrind; prints a reason and exits when missing.
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const WARM = Number(process.env.WARM ?? 20_000);
const COUNT = Number(process.env.COUNT ?? 20_000);

if (process.argv[2] === 'child') {
  const { IncomingMessage, ServerResponse } = await import('node:http');
  const { Duplex } = await import('node:stream');
  const dc = await import('node:diagnostics_channel');
  const { requestListener } = await import(process.env.ADAPTER || '@plinth/node');
  const [, , , mode, total] = process.argv;
  if (mode === 'subscribed') {
    const noop = () => {};
    for (const name of [
      'tracing:plinth:node:v1:request:start',
      'tracing:plinth:node:v1:request:end',
      'plinth:node:v1:head',
      'plinth:node:v1:finish',
      'plinth:node:v1:abort',
    ]) {
      dc.subscribe(name, noop);
    }
  }
  class NullSocket extends Duplex {
    _read() {}
    _write(_chunk, _encoding, callback) {
      callback();
    }
    _writev(_chunks, callback) {
      callback();
    }
  }
  const listener = requestListener([() => ({ status: 200, body: { hello: 'world' } })], {
    logger: { error() {}, warn() {}, info() {}, debug() {} },
  });
  for (let i = 0; i < Number(total); i++) {
    const socket = new NullSocket();
    const req = new IncomingMessage(socket);
    req.method = 'GET';
    req.url = '/';
    req.httpVersion = '1.1';
    req.httpVersionMajor = 1;
    req.httpVersionMinor = 1;
    req.complete = true;
    const res = new ServerResponse(req);
    res.shouldKeepAlive = true;
    res.assignSocket(socket);
    res.once('finish', () => {
      res.detachSocket(socket);
      res.emit('close');
    });
    listener(req, res);
    if (i % 500 === 499) await new Promise((r) => setImmediate(r));
  }
  process.exit(0);
}

try {
  execFileSync('valgrind', ['--version'], { stdio: 'ignore' });
} catch {
  console.log('skipped: valgrind is not installed');
  process.exit(0);
}

const self = fileURLToPath(import.meta.url);

/** Instructions callgrind counted for a run of `total` requests (its summary is on stderr). */
function count(mode, total) {
  const run = spawnSync(
    'valgrind',
    [
      '--tool=callgrind',
      '--callgrind-out-file=/dev/null',
      process.execPath,
      '--single-threaded',
      self,
      'child',
      mode,
      String(total),
    ],
    { encoding: 'utf8' },
  );
  if (run.status !== 0) throw new Error(`the counted program failed:\n${run.stderr}`);
  const match = /Collected : (\d+)/.exec(run.stderr);
  if (match === null) throw new Error(`no callgrind summary:\n${run.stderr}`);
  return Number(match[1]);
}

const modes = (process.env.MODES ?? 'none,subscribed').split(',');
console.log(
  `Node ${process.version}; adapter: ${process.env.ADAPTER || '@plinth/node'}; ${COUNT} counted requests after ${WARM}`,
);
for (const mode of modes) {
  const base = count(mode, WARM);
  const full = count(mode, WARM + COUNT);
  console.log(`${mode}: ${Math.round((full - base) / COUNT)} instructions/request`);
}
