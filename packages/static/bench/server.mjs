// One server of the benchmark, in its own process: `node bench/server.mjs <kind> <root>`.
// Prints its port on stdout when it listens.
import http from 'node:http';
import { join } from 'node:path';

const [kind, root] = process.argv.slice(2);
const quiet = { error() {}, warn() {}, info() {}, debug() {} };

async function start() {
  switch (kind) {
    case 'plinth':
    case 'plinth-b': {
      const { createServer } = await import('@plinth/node');
      const { serveStatic } = await import('../dist/index.mjs');
      // For A/B experiments (bench/ab.mjs): serveStatic's options as JSON, in
      // PLINTH_STATIC_OPTIONS for 'plinth' and PLINTH_STATIC_OPTIONS_B for 'plinth-b'.
      const variable = kind === 'plinth' ? 'PLINTH_STATIC_OPTIONS' : 'PLINTH_STATIC_OPTIONS_B';
      const options = JSON.parse(process.env[variable] ?? '{}');
      const server = createServer([serveStatic(root, options)], {
        port: 0,
        host: '127.0.0.1',
        logger: quiet,
      });
      const { port } = await server.start();
      return port;
    }
    case 'plinth-file': {
      // Today's whole-file body, for the 100 MiB comparison.
      const { createServer } = await import('@plinth/node');
      const { file } = await import('@plinth/body-writer');
      const server = createServer(
        [(request) => ({ status: 200, body: file(join(root, request.path.slice(1))) })],
        { port: 0, host: '127.0.0.1', logger: quiet },
      );
      const { port } = await server.start();
      return port;
    }
    case 'fastify': {
      const { default: Fastify } = await import('fastify');
      const { default: fastifyStatic } = await import('@fastify/static');
      const app = Fastify({ logger: false });
      await app.register(fastifyStatic, { root });
      await app.listen({ port: 0, host: '127.0.0.1' });
      return app.server.address().port;
    }
    case 'sirv': {
      const { default: sirv } = await import('sirv');
      const server = http.createServer(sirv(root, { dev: false, etag: true }));
      await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
      return server.address().port;
    }
    case 'express': {
      const { default: express } = await import('express');
      const app = express();
      app.use(express.static(root));
      const server = app.listen(0, '127.0.0.1');
      await new Promise((resolve) => server.once('listening', resolve));
      return server.address().port;
    }
    default:
      throw new Error(`unknown server ${kind}`);
  }
}

// The parent asks for this process's CPU time (all threads, the file system's
// thread pool included) around each measurement.
process.on('message', (message) => {
  if (message === 'cpu') process.send?.({ cpu: process.cpuUsage() });
});

start().then(
  (port) => process.send?.({ port }),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
