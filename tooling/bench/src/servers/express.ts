// Express 5 in its documented idioms, set up as fastify/benchmarks does (etag and
// x-powered-by off): res.json, res.sendFile for the file, stream.pipeline into res
// for streams (Express has no streaming helper of its own), better-sse sessions on a
// channel for server-sent events.
import { pipeline, Readable } from 'node:stream';
import { createChannel, createSession } from 'better-sse';
import express from 'express';
import { announce, bigStream, config, HELLO, HOST, jsonArrayPieces, ndjsonPieces } from './harness';

const app = express();
app.disable('etag');
app.disable('x-powered-by');
const channel = createChannel();

app.get('/', (_req, res) => {
  res.json(HELLO);
});
app.get('/health', (_req, res) => {
  res.send('ok');
});
app.get('/file', (_req, res) => {
  res.sendFile(config.filePath);
});
app.get('/seq/json', (_req, res) => {
  res.type('application/json; charset=utf-8');
  pipeline(Readable.from(jsonArrayPieces()), res, () => {});
});
app.get('/seq/ndjson', (_req, res) => {
  res.type('application/x-ndjson');
  pipeline(Readable.from(ndjsonPieces()), res, () => {});
});
app.get('/stream', (_req, res) => {
  res.type('application/octet-stream');
  pipeline(Readable.from(bigStream()), res, () => {});
});
app.get('/sse', async (req, res) => {
  const session = await createSession(req, res);
  channel.register(session);
});

const server = app.listen(0, HOST, () =>
  announce(server, {
    broadcast(data) {
      channel.broadcast(data);
    },
    sseClients: () => channel.sessionCount,
  }),
);
