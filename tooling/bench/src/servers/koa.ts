// Koa 3 with @koa/router in its documented idioms: ctx.body = object for JSON,
// ctx.body = stream for the file and for streams (Koa pipes it and destroys it when
// the response finishes), and the usual PassThrough for server-sent events.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { PassThrough, Readable } from 'node:stream';
import Router from '@koa/router';
import Koa from 'koa';
import { announce, bigStream, config, HELLO, HOST, jsonArrayPieces, ndjsonPieces } from './harness';

const app = new Koa();
const router = new Router();
const clients = new Set<PassThrough>();

router.get('/', (ctx) => {
  ctx.body = HELLO;
});
router.get('/health', (ctx) => {
  ctx.body = 'ok';
});
router.get('/file', async (ctx) => {
  const { size } = await stat(config.filePath);
  ctx.type = 'application/octet-stream';
  ctx.length = size;
  ctx.body = createReadStream(config.filePath);
});
router.get('/seq/json', (ctx) => {
  ctx.type = 'application/json; charset=utf-8';
  ctx.body = Readable.from(jsonArrayPieces());
});
router.get('/seq/ndjson', (ctx) => {
  ctx.type = 'application/x-ndjson';
  ctx.body = Readable.from(ndjsonPieces());
});
router.get('/stream', (ctx) => {
  ctx.type = 'application/octet-stream';
  ctx.body = Readable.from(bigStream());
});
router.get('/sse', (ctx) => {
  ctx.req.socket.setTimeout(0);
  ctx.set({ 'cache-control': 'no-cache', connection: 'keep-alive' });
  ctx.type = 'text/event-stream';
  const events = new PassThrough();
  // A first comment so the headers go out now rather than with the first event.
  events.write(':\n\n');
  ctx.status = 200;
  ctx.body = events;
  clients.add(events);
  events.on('close', () => clients.delete(events));
});

app.use(router.routes()).use(router.allowedMethods());

const server = app.listen(0, HOST, () =>
  announce(server, {
    broadcast(data) {
      const event = `data: ${data}\n\n`;
      for (const events of clients) events.write(event);
    },
    sseClients: () => clients.size,
  }),
);
