// One server of the benchmark, in its own process: `node bench/server.mjs <kind>`.
// Sends its port to the parent when it listens, its RSS and CPU time when asked.
//   GET /json      a 100 KB JSON object, serialised per request
//   GET /ndjson?n  n NDJSON lines from a generator, streamed
//   GET /events    an event stream (Plinth only); the parent asks for broadcasts
import { Readable } from 'node:stream';

const [kind] = process.argv.slice(2);
const quiet = { error() {}, warn() {}, info() {}, debug() {} };

function jsonOfSize(bytes) {
  const items = [];
  let size = 12;
  for (let id = 0; size < bytes; id++) {
    const item = {
      id,
      name: `item number ${id}`,
      tags: ['alpha', 'beta', id % 2 ? 'odd' : 'even'],
    };
    items.push(item);
    size += JSON.stringify(item).length + 1;
  }
  return { items };
}
const doc = jsonOfSize(100_000);

function* lines(n) {
  for (let i = 0; i < n; i++) yield `{"i":${i},"name":"element ${i}","ok":${i % 3 === 0}}\n`;
}
const countOf = (url) => Number(new URL(url, 'http://x').searchParams.get('n') ?? 1e6);
// ?type=text sends the lines as text/plain, which every peer compresses; the
// default, application/x-ndjson, is absent from the compressible database.
const typeOf = (url) =>
  new URL(url, 'http://x').searchParams.get('type') === 'text'
    ? 'text/plain; charset=utf-8'
    : 'application/x-ndjson';

const channels = new Set();

async function start() {
  switch (kind) {
    case 'plinth':
    case 'plinth-identity': {
      const { createServer } = await import('@plinth/node');
      const { text } = await import('@plinth/body-writer');
      const { eventStream } = await import('@plinth/sse');
      const { compress } = await import('../dist/index.mjs');
      const events = eventStream(
        (channel) => {
          channels.add(channel);
          channel.closed.then(() => channels.delete(channel));
        },
        { heartbeatMs: 0 },
      );
      const app = {
        name: 'app',
        enter(ctx) {
          const { path } = ctx.request;
          if (path === '/events') return events.enter(ctx);
          if (path === '/json') ctx.response = { status: 200, body: doc };
          else if (path === '/ndjson') {
            ctx.response = {
              status: 200,
              headers: { 'content-type': typeOf(ctx.request.url) },
              body: text(lines(countOf(ctx.request.url))),
            };
          } else ctx.response = { status: 404, body: 'none' };
          return ctx;
        },
      };
      const chain = kind === 'plinth' ? [compress({ ignoreNoTransform: true }), app] : [app];
      const server = createServer(chain, { port: 0, host: '127.0.0.1', logger: quiet });
      const { port } = await server.start();
      return port;
    }
    case 'fastify': {
      const { default: Fastify } = await import('fastify');
      const { default: fastifyCompress } = await import('@fastify/compress');
      const app = Fastify({ logger: false });
      await app.register(fastifyCompress, { global: true, threshold: 1024 });
      app.get('/json', (_req, reply) => reply.send(doc));
      app.get('/ndjson', (req, reply) =>
        reply.type(typeOf(req.url)).send(Readable.from(lines(countOf(req.url)))),
      );
      await app.listen({ port: 0, host: '127.0.0.1' });
      return app.server.address().port;
    }
    case 'express': {
      const { default: express } = await import('express');
      const { default: compression } = await import('compression');
      const app = express();
      app.use(compression());
      app.get('/json', (_req, res) => res.json(doc));
      app.get('/ndjson', (req, res) => {
        res.set('content-type', typeOf(req.url));
        Readable.from(lines(countOf(req.url))).pipe(res);
      });
      const server = await new Promise((resolve) => {
        const s = app.listen(0, '127.0.0.1', () => resolve(s));
      });
      return server.address().port;
    }
    default:
      throw new Error(`unknown server kind ${kind}`);
  }
}

const port = await start();
process.send({ port });
process.on('message', (m) => {
  if (m === 'stats') {
    globalThis.gc?.();
    const usage = process.resourceUsage();
    process.send({
      stats: {
        rss: process.memoryUsage().rss,
        cpu: usage.userCPUTime + usage.systemCPUTime,
        clients: channels.size,
      },
    });
  } else if (m?.broadcast !== undefined) {
    const data = JSON.stringify({
      sentAt: performance.timeOrigin + performance.now(),
      n: m.broadcast,
      note: 'a tick of the shared clock',
    });
    for (const channel of channels)
      void channel.send({ event: 'tick', id: m.broadcast, data }).catch(() => {});
    process.send({ broadcasted: m.broadcast });
  }
});
