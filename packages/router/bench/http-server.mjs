// One server of the HTTP benchmark, in its own process: `node http-server.mjs <kind>`
// prints {"port": n} once listening, answers any IPC message with its CPU usage, and
// runs until killed.
//   node:   bare node:http answering "hello world"
//   plinth: @plinth/node with one handler (no router)
//   routed: @plinth/node with queryParams and a router of 50 routes
import http from 'node:http';
import { createServer } from '@plinth/node';
import { queryParams, router } from '../dist/index.mjs';

const kind = process.argv[2];
const BODY = 'hello world';
const hello = () => ({
  status: 200,
  headers: { 'content-type': 'text/plain; charset=utf-8' },
  body: BODY,
});
const quiet = { error() {}, warn() {}, info() {}, debug() {} };

function routes() {
  const table = [['/hello', 'GET', hello, { name: 'hello' }]];
  for (let i = 0; i < 49; i++) {
    table.push(
      i % 2 === 0
        ? [`/section${i % 5}/page${i}`, ['GET', 'POST'], hello]
        : [`/api/items${i}/:id/parts/:part`, 'GET', hello],
    );
  }
  return table;
}

let address;
if (kind === 'node') {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, {
      'content-type': 'text/plain; charset=utf-8',
      'content-length': Buffer.byteLength(BODY),
    });
    res.end(BODY);
  });
  server.keepAliveTimeout = 72_000;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  address = server.address();
} else if (kind === 'plinth') {
  address = await createServer([hello], { port: 0, logger: quiet }).start();
} else if (kind === 'routed') {
  address = await createServer([queryParams, router(routes())], { port: 0, logger: quiet }).start();
} else {
  throw new Error(`unknown server kind ${JSON.stringify(kind)}: node, plinth or routed`);
}
process.stdout.write(`${JSON.stringify({ port: address.port })}\n`);
// The bench asks for this process's CPU time around a measurement.
process.on('message', () => process.send(process.cpuUsage()));
