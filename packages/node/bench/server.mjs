// One benchmark server per process: `node bench/server.mjs <kind>`. Prints its port,
// answers 'cpu' messages with its CPU time (µs), exits on 'stop'.
import http from 'node:http';
import { createServer, requestListener } from '@plinth/node';

const silent = { error() {}, warn() {}, info() {}, debug() {} };
const hello = () => ({ status: 200, body: { hello: 'world' } });
const passThrough = (i) => ({ name: `pass-${i}`, enter: (ctx) => ctx, leave: (ctx) => ctx });

function listen(server) {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve(server.address().port)),
  );
}

const kinds = {
  bare: () =>
    listen(
      http.createServer((_req, res) => {
        const body = JSON.stringify({ hello: 'world' });
        res.writeHead(200, {
          'content-type': 'application/json; charset=utf-8',
          'content-length': Buffer.byteLength(body),
        });
        res.end(body);
      }),
    ),
  listener: () => listen(http.createServer(requestListener([hello], { logger: silent }))),
  plinth0: async () => (await createServer([hello], { port: 0, logger: silent }).start()).port,
  plinth10: async () =>
    (
      await createServer([...Array.from({ length: 10 }, (_, i) => passThrough(i)), hello], {
        port: 0,
        logger: silent,
      }).start()
    ).port,
};

const port = await kinds[process.argv[2]]();
process.send({ port });
process.on('message', (message) => {
  if (message === 'cpu') {
    const { user, system } = process.cpuUsage();
    process.send({ cpu: user + system });
  } else if (message === 'stop') {
    process.exit(0);
  }
});
