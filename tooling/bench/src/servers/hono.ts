// Hono on @hono/node-server in its documented idioms: c.json, serveStatic from
// @hono/node-server for the file, the stream() helper for byte and sequence streams
// (checking stream.aborted, since write() swallows errors after the client left),
// and streamSSE for events.
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import { type SSEStreamingApi, stream, streamSSE } from 'hono/streaming';
import { announce, bigStream, config, HELLO, HOST, jsonArrayPieces, ndjsonPieces } from './harness';

const app = new Hono();
const clients = new Set<SSEStreamingApi>();

app.get('/', (c) => c.json(HELLO));
app.get('/health', (c) => c.text('ok'));
app.get('/file', serveStatic({ path: config.filePath }));

app.get('/seq/json', (c) => {
  c.header('content-type', 'application/json; charset=utf-8');
  return stream(c, async (s) => {
    for (const piece of jsonArrayPieces()) {
      if (s.aborted) break;
      await s.write(piece);
    }
  });
});

app.get('/seq/ndjson', (c) => {
  c.header('content-type', 'application/x-ndjson');
  return stream(c, async (s) => {
    for (const piece of ndjsonPieces()) {
      if (s.aborted) break;
      await s.write(piece);
    }
  });
});

app.get('/stream', (c) => {
  c.header('content-type', 'application/octet-stream');
  return stream(c, async (s) => {
    for (const chunk of bigStream()) {
      if (s.aborted) break;
      await s.write(chunk);
    }
  });
});

app.get('/sse', (c) =>
  streamSSE(c, async (s) => {
    clients.add(s);
    // Keep the stream open until the client leaves.
    await new Promise<void>((resolve) =>
      s.onAbort(() => {
        clients.delete(s);
        resolve();
      }),
    );
  }),
);

const server = serve({ fetch: app.fetch, port: 0, hostname: HOST }, () =>
  announce(server as Server, {
    broadcast(data) {
      for (const s of clients) void s.writeSSE({ data });
    },
    sseClients: () => clients.size,
  }),
);
