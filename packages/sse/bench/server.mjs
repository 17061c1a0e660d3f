// One SSE broadcast server for the benchmark, driven over IPC by run.mjs.
//   node --expose-gc server.mjs <impl>     impl: plinth | raw | better-sse
// Clients whose path contains "slow" are the paused reader of the slow-reader run.
import http from 'node:http';
import { createServer } from '@plinth/node';
import { createHub, eventStream } from '@plinth/sse';
import { createChannel, createSession } from 'better-sse';

const impl = process.argv[2];
const bufferSize = Number(process.env.SSE_BUFFER ?? 256 * 1024);
const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  connection: 'keep-alive',
};

let connections = 0;
/** The paused reader's response, and (plinth) its channel. */
let slow;

function buffered() {
  if (slow === undefined) return 0;
  return (slow.channel?.bufferedBytes ?? 0) + (slow.res.writableLength ?? 0);
}

async function start() {
  if (impl === 'raw') {
    // The hand-written broadcaster: a Set of responses, one pre-encoded buffer per
    // broadcast written to each with res.write (no per-client buffer, no heartbeat).
    const clients = new Set();
    const server = http.createServer((req, res) => {
      res.writeHead(200, SSE_HEADERS);
      res.flushHeaders();
      clients.add(res);
      connections++;
      if (req.url.includes('slow')) slow = { res };
      res.on('close', () => {
        clients.delete(res);
        connections--;
      });
    });
    await new Promise((resolve) =>
      server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, resolve),
    );
    return {
      port: server.address().port,
      broadcast(data) {
        const bytes = Buffer.from(`data: ${data}\n\n`);
        for (const res of clients) res.write(bytes);
      },
    };
  }
  if (impl === 'better-sse') {
    const channel = createChannel();
    const server = http.createServer(async (req, res) => {
      // Data goes out as given (better-sse JSON-encodes by default), like the others.
      const session = await createSession(req, res, { serializer: String });
      channel.register(session);
      connections++;
      if (req.url.includes('slow')) slow = { res };
      res.on('close', () => connections--);
    });
    await new Promise((resolve) =>
      server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, resolve),
    );
    return {
      port: server.address().port,
      broadcast(data) {
        channel.broadcast(data, 'message', { eventId: undefined });
      },
    };
  }
  if (impl === 'plinth') {
    const hub = createHub();
    const server = createServer(
      [
        eventStream(
          (channel, ctx) => {
            connections++;
            if (ctx.request.url.includes('slow')) slow = { res: ctx.request.raw.res, channel };
            return hub.subscribe(channel);
          },
          {
            buffer: { size: bufferSize, policy: 'drop-oldest' },
            onClientDisconnect: () => connections--,
          },
        ),
      ],
      {
        port: 0,
        logger: { error: console.error, warn: console.error, info() {}, debug() {} },
      },
    );
    const { port } = await server.start();
    return {
      port,
      broadcast(data) {
        return hub.publish({ data });
      },
    };
  }
  throw new Error(`unknown implementation ${impl}`);
}

const server = await start();
let maxSlow = 0;
const pad = (bytes) => (bytes > 0 ? `:${'x'.repeat(bytes)}` : '');

process.on('message', async (message) => {
  switch (message.type) {
    case 'mem': {
      globalThis.gc?.();
      globalThis.gc?.();
      const { rss, heapUsed, external } = process.memoryUsage();
      process.send({ type: 'mem', rss, heapUsed, external, connections });
      break;
    }
    case 'broadcast':
      // The send time on the machine-wide monotonic clock (comparable across processes).
      {
        const started = process.hrtime.bigint();
        // plinth's publish resolves once the event was handed to every subscriber.
        await server.broadcast(`${started}${pad(message.padding ?? 0)}`);
        // How long the broadcast call held the event loop (the writes themselves).
        const tookMs = Number(process.hrtime.bigint() - started) / 1e6;
        maxSlow = Math.max(maxSlow, buffered());
        process.send({ type: 'broadcast', connections, tookMs });
      }
      break;
    case 'slow':
      maxSlow = Math.max(maxSlow, buffered());
      process.send({ type: 'slow', buffered: buffered(), maxBuffered: maxSlow });
      break;
    case 'exit':
      process.exit(0);
  }
});
// Sample the paused reader's buffer between broadcasts too.
setInterval(() => {
  maxSlow = Math.max(maxSlow, buffered());
}, 100).unref();
process.send({ type: 'ready', port: server.port });
