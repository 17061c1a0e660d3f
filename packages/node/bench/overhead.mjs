// The adapter's own cost per request, without the kernel: each request is a real
// IncomingMessage/ServerResponse pair over a stream that discards what it is given,
// served by a bare handler or by requestListener (0 and 10 app interceptors).
// Interleaved batches; prints µs/request and the cost over the bare handler.
//
//   node bench/overhead.mjs      (BATCHES=20 PER_BATCH=20000)
import { IncomingMessage, ServerResponse } from 'node:http';
import { Duplex } from 'node:stream';
import { requestListener } from '@plinth/node';

const BATCHES = Number(process.env.BATCHES ?? 20);
const PER_BATCH = Number(process.env.PER_BATCH ?? 20_000);
const silent = { error() {}, warn() {}, info() {}, debug() {} };

class NullSocket extends Duplex {
  _read() {}
  _write(_chunk, _encoding, callback) {
    callback();
  }
  _writev(_chunks, callback) {
    callback();
  }
}

function exchange() {
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
  // Detach as Node does after 'finish', so listeners do not pile up on the socket.
  res.once('finish', () => {
    res.detachSocket(socket);
    res.emit('close');
  });
  return [req, res];
}

const hello = () => ({ status: 200, body: { hello: 'world' } });
const pass = (i) => ({ name: `pass-${i}`, enter: (ctx) => ctx, leave: (ctx) => ctx });
const handlers = {
  'objects only (socket, IncomingMessage, ServerResponse)': () => {},
  'node:http handler': (_req, res) => {
    const body = JSON.stringify({ hello: 'world' });
    res.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
    });
    res.end(body);
  },
  'requestListener, 0 app interceptors': requestListener([hello], { logger: silent }),
  'requestListener, 10 app interceptors': requestListener(
    [...Array.from({ length: 10 }, (_, i) => pass(i)), hello],
    { logger: silent },
  ),
};

async function batch(handler) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < PER_BATCH; i++) {
    const [req, res] = exchange();
    handler(req, res);
    if (i % 500 === 499) await new Promise((r) => setImmediate(r));
  }
  await new Promise((r) => setImmediate(r));
  return Number(process.hrtime.bigint() - start) / 1000 / PER_BATCH;
}

const names = Object.keys(handlers);
const times = new Map(names.map((n) => [n, []]));
for (const name of names) await batch(handlers[name]); // warm up
for (let b = 0; b < BATCHES; b++) {
  for (let k = 0; k < names.length; k++) {
    const name = names[(k + b) % names.length];
    times.get(name).push(await batch(handlers[name]));
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const base = median(times.get(names[0]));
const bare = median(times.get(names[1])) - base;
console.log(`Node ${process.version}, ${BATCHES} interleaved batches of ${PER_BATCH} requests\n`);
console.log(
  '| handler | µs/request (median) | handling µs (minus objects) | vs node:http handler |',
);
console.log('|---|---:|---:|---:|');
for (const name of names) {
  const m = median(times.get(name));
  const own = m - base;
  console.log(
    `| ${name} | ${m.toFixed(2)} | ${name === names[0] ? '-' : own.toFixed(2)} | ${name === names[0] ? '-' : `${(own / bare).toFixed(2)}x`} |`,
  );
}
