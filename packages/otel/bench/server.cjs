// One server for bench/run.mjs: `node server.cjs <target> <scenario>`. Prints
// `listening <port>`, serves until GET /exit. CommonJS so that
// @opentelemetry/instrumentation-http can patch node:http as it is required.
//
// target: plinth | plinth-channels | plinth-otel | node | node-otel-http
// scenario: hello ({"hello":"world"}) | sequence (a generator of 1e6 numbers as JSON)
'use strict';
const [, , target, scenario] = process.argv;

function sdk() {
  const { BasicTracerProvider, BatchSpanProcessor } = require('@opentelemetry/sdk-trace-base');
  const { MeterProvider, PeriodicExportingMetricReader } = require('@opentelemetry/sdk-metrics');
  const { AsyncLocalStorageContextManager } = require('@opentelemetry/context-async-hooks');
  const { W3CTraceContextPropagator } = require('@opentelemetry/core');
  const api = require('@opentelemetry/api');
  // Exporters that drop what they are given: the cost measured is the instrumentation's
  // and the SDK's, not an exporter's.
  const noop = {
    export: (_items, done) => done({ code: 0 }),
    shutdown: () => Promise.resolve(),
    forceFlush: () => Promise.resolve(),
  };
  const tracerProvider = new BasicTracerProvider({
    spanProcessors: [new BatchSpanProcessor(noop)],
  });
  const meterProvider = new MeterProvider({
    readers: [new PeriodicExportingMetricReader({ exporter: noop, exportIntervalMillis: 60_000 })],
  });
  api.trace.setGlobalTracerProvider(tracerProvider);
  api.metrics.setGlobalMeterProvider(meterProvider);
  api.context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  api.propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  return { tracerProvider, meterProvider };
}

if (target === 'node-otel-http') {
  sdk();
  // Enabled at construction, on the global providers set just above.
  const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http');
  new HttpInstrumentation();
} else if (target === 'plinth-otel') {
  sdk();
  require('@plinth/otel').instrumentPlinth();
} else if (target === 'plinth-channels') {
  const dc = require('node:diagnostics_channel');
  const noop = () => {};
  for (const name of [
    'tracing:plinth:node:v1:request:start',
    'tracing:plinth:node:v1:request:end',
    'plinth:node:v1:head',
    'plinth:node:v1:finish',
    'plinth:node:v1:abort',
  ]) {
    dc.subscribe(name, noop);
  }
}

const http = require('node:http');

function* sequence() {
  for (let i = 0; i < 1_000_000; i++) yield i;
}

let server;
const exit = (res) => {
  res.end('bye');
  res.on('finish', () => process.exit(0));
};
if (target.startsWith('plinth')) {
  const { requestListener } = require('@plinth/node');
  const silent = { error() {}, warn() {}, info() {}, debug() {} };
  const listener = requestListener(
    [
      (request) => {
        if (request.path === '/exit') return { status: 200, body: 'bye' };
        return { status: 200, body: scenario === 'sequence' ? sequence() : { hello: 'world' } };
      },
    ],
    { logger: silent },
  );
  server = http.createServer((req, res) => {
    if (req.url === '/exit') exit(res);
    else listener(req, res);
  });
} else {
  server = http.createServer((req, res) => {
    if (req.url === '/exit') return exit(res);
    if (scenario === 'sequence') {
      // What Plinth's sequence writer does, by hand: a JSON array in 16 KiB writes.
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      let out = '[';
      let first = true;
      for (const n of sequence()) {
        out += first ? String(n) : `,${n}`;
        first = false;
        if (out.length >= 16_384) {
          res.write(out);
          out = '';
        }
      }
      res.end(`${out}]`);
      return;
    }
    const body = JSON.stringify({ hello: 'world' });
    res.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
    });
    res.end(body);
  });
}
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => console.log(`listening ${server.address().port}`));
