// Plinth in its documented idioms: createServer from @plinth/node with a route
// table from @plinth/router; handlers return Ring-style responses whose bodies are
// a plain object (JSON), file(path), a generator (a JSON array, streamed), ndjson()
// and text() of generators; server-sent events through @plinth/sse's eventStream
// subscribed to a hub. BENCH_INTERCEPTORS adds that many no-op interceptors (enter
// and leave) in front of the router, for scenario 1. The "-schema" sequences give
// their elements a JSON Schema (@plinth/body-writer/schema), for scenario 3.
import type { Server } from 'node:http';
import { file, jsonArray, ndjson, text } from '@plinth/body-writer';
import { compileElementSchema } from '@plinth/body-writer/schema';
import { type Interceptor, interceptor } from '@plinth/interceptor';
import { createServer } from '@plinth/node';
import { router } from '@plinth/router';
import { createHub, eventStream } from '@plinth/sse';
import {
  announce,
  bigStream,
  config,
  HELLO,
  HOST,
  ITEM_SCHEMA,
  type Item,
  items,
  numbers,
} from './harness';

const hub = createHub();
// Compiled once, at start-up, as the README says.
const serialize = compileElementSchema<Item>(ITEM_SCHEMA);

const routes = router([
  ['/', 'GET', () => ({ status: 200, body: HELLO })],
  ['/health', 'GET', () => ({ status: 200, body: 'ok' })],
  ['/file', 'GET', () => ({ status: 200, body: file(config.filePath) })],
  ['/seq/json', 'GET', () => ({ status: 200, body: items() })],
  ['/seq/ndjson', 'GET', () => ({ status: 200, body: ndjson(items()) })],
  ['/seq/numbers', 'GET', () => ({ status: 200, body: numbers() })],
  ['/seq/json-schema', 'GET', () => ({ status: 200, body: jsonArray(items(), { serialize }) })],
  ['/seq/ndjson-schema', 'GET', () => ({ status: 200, body: ndjson(items(), { serialize }) })],
  [
    '/stream',
    'GET',
    () => ({
      status: 200,
      headers: { 'content-type': 'application/octet-stream' },
      body: text(bigStream()),
    }),
  ],
  ['/sse', 'GET', eventStream((channel) => hub.subscribe(channel))],
]);

const noops: Interceptor[] = Array.from({ length: config.interceptors }, (_, i) =>
  interceptor({ name: `noop-${i}`, enter: (ctx: object) => ctx, leave: (ctx: object) => ctx }),
);

const server = createServer({ port: 0, host: HOST, interceptors: [...noops, routes] });
await server.start();
announce(server.server as Server, {
  async broadcast(data) {
    await hub.publish({ data });
  },
  sseClients: () => hub.size,
});
