// One server of the benchmark, chosen by argv[2]; prints {"port"} once listening.
// Each serves GET /hello ({"hello":"world"}) and GET /seq (the JSON array of the
// integers 0 to N-1, N = 1e6, streamed element by element where the framework lets
// the application write per element).
import { fetchHandler } from '../dist/index.mjs';

const N = 1_000_000;
const kind = process.argv[2];
const encoder = new TextEncoder();

function* numbers() {
  for (let i = 0; i < N; i++) yield i;
}

/** The hand-written baseline: a pull stream of ~16 KiB batches. */
function bareSeqStream() {
  let i = 0;
  return new ReadableStream({
    pull(controller) {
      let s = i === 0 ? '[' : '';
      const end = Math.min(N, i + 2500);
      for (; i < end; i++) s += i === 0 ? '0' : `,${i}`;
      if (i >= N) {
        controller.enqueue(encoder.encode(`${s}]`));
        controller.close();
      } else controller.enqueue(encoder.encode(s));
    },
  });
}

const plinthService = [
  (request) =>
    request.path === '/hello'
      ? { status: 200, body: { hello: 'world' } }
      : { status: 200, body: numbers() },
];

async function honoApp() {
  const { Hono } = await import('hono');
  const { stream } = await import('hono/streaming');
  const app = new Hono();
  app.get('/hello', (c) => c.json({ hello: 'world' }));
  app.get('/seq', (c) => {
    c.header('content-type', 'application/json; charset=utf-8');
    return stream(c, async (s) => {
      await s.write('[');
      for (let i = 0; i < N; i++) await s.write(i === 0 ? '0' : `,${i}`);
      await s.write(']');
    });
  });
  return app;
}

function bareFetch(request) {
  return new URL(request.url).pathname === '/hello'
    ? Response.json({ hello: 'world' })
    : new Response(bareSeqStream(), {
        headers: { 'content-type': 'application/json; charset=utf-8' },
      });
}

const print = (port) => console.log(JSON.stringify({ port }));
const quiet = { error() {}, warn() {}, info() {}, debug() {} };

switch (kind) {
  case 'bun-bare':
    print(Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: bareFetch }).port);
    break;
  case 'bun-plinth':
    print(
      Bun.serve({
        port: 0,
        hostname: '127.0.0.1',
        fetch: fetchHandler(plinthService, { logger: quiet }),
      }).port,
    );
    break;
  case 'bun-hono':
    print(Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: (await honoApp()).fetch }).port);
    break;
  case 'node-bare': {
    const { createServer } = await import('node:http');
    const server = createServer((req, res) => {
      if (req.url === '/hello') {
        const body = JSON.stringify({ hello: 'world' });
        res.writeHead(200, {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        });
        res.end(body);
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      let i = 0;
      const more = () => {
        while (i < N) {
          let s = i === 0 ? '[' : '';
          const end = Math.min(N, i + 2500);
          for (; i < end; i++) s += i === 0 ? '0' : `,${i}`;
          if (i >= N) return res.end(`${s}]`);
          if (!res.write(s)) return res.once('drain', more);
        }
      };
      more();
    });
    server.listen(0, '127.0.0.1', () => print(server.address().port));
    break;
  }
  case 'node-plinth-node': {
    const { createServer } = await import('@plinth/node');
    const server = createServer(plinthService, { port: 0, host: '127.0.0.1', logger: quiet });
    print((await server.start()).port);
    break;
  }
  case 'node-plinth-fetch': {
    const { serve } = await import('srvx');
    const server = serve({
      port: 0,
      hostname: '127.0.0.1',
      silent: true,
      fetch: fetchHandler(plinthService, { logger: quiet }),
    });
    await server.ready();
    print(new URL(server.url).port);
    break;
  }
  case 'node-hono': {
    const { serve } = await import('@hono/node-server');
    const app = await honoApp();
    serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => print(info.port));
    break;
  }
  case 'node-srvx': {
    const { serve } = await import('srvx');
    const server = serve({ port: 0, hostname: '127.0.0.1', silent: true, fetch: bareFetch });
    await server.ready();
    print(new URL(server.url).port);
    break;
  }
  default:
    throw new Error(`unknown server ${kind}`);
}
