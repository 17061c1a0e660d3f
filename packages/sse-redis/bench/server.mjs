// A bench server process: one topic 'bench' served as an event stream, on the
// in-process hub (argv[2] = 'memory') or on Redis (argv[2] = 'redis', REDIS_URL).
// Driven over IPC: { size }, { memory }, { publish }, { burst: n }.
import { createServer } from '@plinth/node';
import { createHub, eventStream } from '@plinth/sse';
import { connectRedisStreams } from '@plinth/sse-redis';

const mode = process.argv[2];
const streams =
  mode === 'redis' ? await connectRedisStreams({ url: process.env.REDIS_URL }) : undefined;
const hub = streams ? streams.hub('bench') : createHub();
const now = () => performance.timeOrigin + performance.now();
const server = createServer(
  [
    eventStream((channel) => hub.subscribe(channel), {
      heartbeatMs: 0,
      buffer: { size: 1 << 20, policy: 'drop-oldest' },
    }),
  ],
  { port: 0, host: '127.0.0.1', logger: { error() {}, warn() {}, info() {}, debug() {} } },
);
const { url } = await server.start();
let n = 0;
process.on('message', async (message) => {
  if (message.size) process.send({ size: hub.size });
  else if (message.memory) {
    globalThis.gc?.();
    globalThis.gc?.();
    const usage = process.memoryUsage();
    process.send({ memory: { rss: usage.rss, heap: usage.heapUsed + usage.external } });
  } else if (message.publish) {
    await hub.publish({ data: `{"t":${now()},"n":${++n}}` });
    process.send({ published: true });
  } else if (message.burst) {
    for (let i = 0; i < message.burst; i++)
      await hub.publish({ data: `{"t":${now()},"n":${++n}}` });
    process.send({ burst: true });
  } else if (message.stop) {
    await server.stop({ graceMs: 0 });
    await streams?.close();
    process.exit(0);
  }
});
process.send({ url });
