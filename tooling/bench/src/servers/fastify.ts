// Fastify 5 in its documented idioms: a response schema for the JSON route (its fast
// serialiser, as fastify/benchmarks), @fastify/static's reply.sendFile for the file,
// reply.send(stream) for streams, and the official @fastify/sse plugin.
import { basename, dirname } from 'node:path';
import { Readable } from 'node:stream';
import fastifySse, { type SSEReplyInterface } from '@fastify/sse';
import fastifyStatic from '@fastify/static';
import Fastify from 'fastify';
import { announce, bigStream, config, HELLO, HOST, jsonArrayPieces, ndjsonPieces } from './harness';

const app = Fastify({ logger: false });
const clients = new Set<SSEReplyInterface>();

await app.register(fastifySse, { heartbeatInterval: 0 });
if (config.filePath !== '') {
  // serve: false — only reply.sendFile, no wildcard route.
  await app.register(fastifyStatic, { root: dirname(config.filePath), serve: false });
}

app.get(
  '/',
  {
    schema: {
      response: {
        200: { type: 'object', properties: { hello: { type: 'string' } } },
      },
    },
  },
  async () => HELLO,
);

app.get('/health', async () => 'ok');

app.get('/file', (_request, reply) => reply.sendFile(basename(config.filePath)));

app.get('/seq/json', (_request, reply) =>
  reply.type('application/json; charset=utf-8').send(Readable.from(jsonArrayPieces())),
);

app.get('/seq/ndjson', (_request, reply) =>
  reply.type('application/x-ndjson').send(Readable.from(ndjsonPieces())),
);

app.get('/stream', (_request, reply) =>
  reply.type('application/octet-stream').send(Readable.from(bigStream())),
);

app.get('/sse', { sse: { kind: 'only', heartbeat: false } }, async (_request, reply) => {
  const sse = reply.sse;
  sse.keepAlive();
  sse.onClose(() => clients.delete(sse));
  // As the plugin's README does: a first message, which also sends the headers.
  await sse.send({ data: 'connected' });
  clients.add(sse);
});

await app.listen({ port: 0, host: HOST });
announce(app.server, {
  broadcast(data) {
    for (const sse of clients) sse.send(data).catch(() => {});
  },
  sseClients: () => clients.size,
});
