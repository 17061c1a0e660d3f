// An in-process Plinth server over one RedisStreams (as fixtures/server.mjs, for the
// tests that need several "processes" cheaply: each RedisStreams has its own
// connection pair, which is all Redis sees of a process).
import { createServer, type PlinthServer } from '@plinth/node';
import { type Channel, eventStream } from '@plinth/sse';
import { connectRedisStreams, type RedisStreams, type RedisStreamsOptions } from '../src/index';

export interface Served {
  readonly url: string;
  readonly streams: RedisStreams;
  /** Every channel opened, newest last (to cut connections from the server side). */
  readonly channels: { channel: Channel; destroy: () => void }[];
  stop(): Promise<void>;
}

const PATH = /^\/topics\/([^/]*)\/events$/;

export async function serveTopics(options: RedisStreamsOptions): Promise<Served> {
  const streams = await connectRedisStreams(options);
  const channels: Served['channels'] = [];
  const route = {
    name: 'route',
    async enter(ctx: any) {
      const match = PATH.exec(ctx.request.path);
      if (match === null) return { ...ctx, response: { status: 404, body: 'no such route' } };
      const hub = streams.hub(decodeURIComponent(match[1]!));
      if (ctx.request.method === 'POST') {
        const id = await hub.publish({ data: await ctx.request.body.text() });
        return { ...ctx, response: { status: 201, body: { id } } };
      }
      return { ...ctx, hub };
    },
  };
  const server: PlinthServer = createServer(
    [
      route,
      eventStream(
        (channel, ctx: any) => {
          const res = ctx.request.raw?.res as { destroy(): void } | undefined;
          channels.push({ channel, destroy: () => res?.destroy() });
          return ctx.hub.subscribe(channel);
        },
        { heartbeatMs: 0, retry: 10 },
      ),
    ] as never,
    { port: 0, logger: { error() {}, warn() {}, info() {}, debug() {} } },
  );
  const { url } = await server.start();
  return {
    url,
    streams,
    channels,
    async stop() {
      await server.stop({ graceMs: 100 });
      await streams.close();
    },
  };
}
