// Bare node:http: the baseline every other figure is divided by. Plain Node idioms:
// res.end for small bodies, stream.pipeline for streams, one res.write per element
// (waiting for 'drain') for sequences. The "-1m" and "-batched" routes are the
// references the issue quotes (1 MiB file reads; 16 KiB batches), not the baseline.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { pipeline, Readable } from 'node:stream';
import {
  announce,
  bigStream,
  config,
  HELLO,
  HOST,
  jsonArrayPieces,
  ndjsonPieces,
  numberPieces,
  writeEach,
} from './harness';

const sse = new Set<ServerResponse>();

async function sendFile(res: ServerResponse, highWaterMark?: number): Promise<void> {
  const { size } = await stat(config.filePath);
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': size });
  pipeline(createReadStream(config.filePath, { highWaterMark }), res, () => {});
}

function* batched(pieces: Iterable<string>, size = 16 * 1024): Generator<string> {
  let batch = '';
  for (const piece of pieces) {
    batch += piece;
    if (batch.length >= size) {
      yield batch;
      batch = '';
    }
  }
  if (batch !== '') yield batch;
}

function handle(req: IncomingMessage, res: ServerResponse): void {
  switch (req.url) {
    case '/':
      res.setHeader('content-type', 'application/json; charset=utf-8');
      res.end(JSON.stringify(HELLO));
      return;
    case '/health':
      res.end('ok');
      return;
    case '/file':
      void sendFile(res);
      return;
    case '/file-1m':
      void sendFile(res, 1024 * 1024);
      return;
    case '/seq/json':
    case '/seq/json-batched':
      res.setHeader('content-type', 'application/json; charset=utf-8');
      void writeEach(res, req.url === '/seq/json' ? jsonArrayPieces() : batched(jsonArrayPieces()));
      return;
    case '/seq/numbers':
    case '/seq/numbers-batched':
      res.setHeader('content-type', 'application/json; charset=utf-8');
      void writeEach(res, req.url === '/seq/numbers' ? numberPieces() : batched(numberPieces()));
      return;
    case '/seq/ndjson':
    case '/seq/ndjson-batched':
      res.setHeader('content-type', 'application/x-ndjson');
      void writeEach(res, req.url === '/seq/ndjson' ? ndjsonPieces() : batched(ndjsonPieces()));
      return;
    case '/sse':
      res.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
      });
      res.flushHeaders();
      sse.add(res);
      res.on('close', () => sse.delete(res));
      return;
    case '/stream':
      res.setHeader('content-type', 'application/octet-stream');
      pipeline(Readable.from(bigStream()), res, () => {});
      return;
    default:
      res.statusCode = 404;
      res.end('not found');
  }
}

const server = createServer(handle);
server.listen(0, HOST, () =>
  announce(server, {
    broadcast(data) {
      const event = `data: ${data}\n\n`;
      for (const res of sse) res.write(event);
    },
    sseClients: () => sse.size,
  }),
);
