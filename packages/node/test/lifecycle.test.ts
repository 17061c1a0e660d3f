// Server lifecycle: start on port 0, graceful stop (idle keep-alive connections
// closed, in-flight responses finished, low-level streams told to end, the rest
// destroyed after the grace period), TLS and HTTP/2 variants, timeouts defaults,
// and the request listener under node:http, node:http2 and a Connect-style stack.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import http2 from 'node:http2';
import { join } from 'node:path';
import { text } from '@plinth/body-writer';
import { describe, expect, it } from 'vitest';
import {
  createServer,
  endResponse,
  NodeAdapterError,
  requestListener,
  writeResponse,
  writeResponseBody,
} from '../src/index';
import { responseFor, streamFor } from '../src/testing';
import { capturingLogger, expectNoErrorLogs, PROTOCOLS, rawGet, serve, waitFor } from './helpers';

const tls = {
  key: readFileSync(join(import.meta.dirname, 'fixtures/key.pem')),
  cert: readFileSync(join(import.meta.dirname, 'fixtures/cert.pem')),
};

const hello = (request: any) => ({
  status: 200,
  body: { hello: request.path, protocol: request.protocol, scheme: request.scheme },
});

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => {
    open = r;
  });
  return { opened, open };
}

describe('start and stop', () => {
  it('start() on port 0 resolves with the address; start() again gives the same; stop() refuses new connections', async () => {
    const { server, url } = await serve([hello]);
    const address = await server.start();
    expect(address.url).toBe(url);
    expect(address.port).toBeGreaterThan(0);
    expect(address.host).toBe('127.0.0.1');
    expect(server.address).toEqual(address);
    expect((await responseFor(server, 'GET', '/x')).status).toBe(200);
    await server.stop();
    await expect(fetch(`${url}/x`)).rejects.toThrow();
  });

  it('has documented timeout defaults, and Node answers an oversized header block with 431', async () => {
    const { server, url } = await serve([hello]);
    const node = server.server as http.Server;
    expect(node.headersTimeout).toBe(60_000);
    expect(node.requestTimeout).toBe(0);
    expect(node.keepAliveTimeout).toBe(72_000);
    // 16 KiB, Node's own default (passed to Node only when it differs).
    expect(
      (node as unknown as { maxHeaderSize?: number }).maxHeaderSize ?? http.maxHeaderSize,
    ).toBe(16_384);
    const result = await new Promise<number>((resolve) => {
      http.get(`${url}/`, { headers: { 'x-big': 'a'.repeat(20_000) }, agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
    });
    expect(result).toBe(431);
    await server.stop();
  });

  it('refuses bad options with a message naming the value', () => {
    expect(() => createServer([hello], { port: -1 })).toThrow(
      /options.port must be a non-negative integer, got number -1/,
    );
    expect(() => createServer([hello], { keepAliveTimeout: 'x' as never })).toThrow(
      /keepAliveTimeout .* got string "x"/,
    );
    expect(() => createServer({} as never)).toThrow(/interceptors array, got undefined/);
    expect(() => createServer([42 as never])).toThrow(/interceptors\[0\] is not an interceptor/);
    expect(() => createServer([hello], { logger: { error() {} } as never })).toThrow(
      /logger .* warn is undefined/,
    );
  });

  it('stop() closes idle keep-alive connections at once', async () => {
    const { server, url } = await serve([hello], { stopGraceMs: 10_000 });
    const agent = new http.Agent({ keepAlive: true });
    let socket: import('node:net').Socket | undefined;
    await new Promise<void>((resolve) => {
      const req = http.get(`${url}/`, { agent }, (res) => {
        res.resume();
        res.on('end', () => resolve());
      });
      req.on('socket', (s) => {
        socket = s;
      });
    });
    expect(socket!.destroyed).toBe(false);
    const socketClosed = new Promise<void>((r) => socket!.once('close', () => r()));
    const started = performance.now();
    await server.stop();
    await socketClosed;
    expect(performance.now() - started).toBeLessThan(1000);
    agent.destroy();
  });

  it.each(PROTOCOLS)(
    'stop() lets an in-flight response finish within the grace period ($name)',
    async ({ http2: h2 }) => {
      const slow = gate();
      const entered = gate();
      const { server, logger } = await serve(
        [
          async () => {
            entered.open();
            await slow.opened;
            return { status: 200, body: 'finished' };
          },
        ],
        { http2: h2 },
      );
      const pending = responseFor(server, 'GET', '/slow');
      await entered.opened;
      const stopped = server.stop({ graceMs: 5000 });
      let stopDone = false;
      void stopped.then(() => {
        stopDone = true;
      });
      setTimeout(() => slow.open(), 30);
      const response = await pending;
      expect(response.status).toBe(200);
      expect(response.body).toBe('finished');
      await stopped;
      expect(stopDone).toBe(true);
      expectNoErrorLogs(logger);
    },
  );

  it.each(PROTOCOLS)(
    'stop() waits for a body written in one piece that is still flushing ($name)',
    async ({ http2: h2 }) => {
      const big = Buffer.alloc(32 * 1024 * 1024, 97);
      const { server, logger } = await serve([() => ({ status: 200, body: big })], { http2: h2 });
      const stream = await streamFor(server, 'GET', '/big');
      const first = (await stream.read())!;
      const stopped = server.stop({ graceMs: 10_000 });
      const rest = await stream.bytes();
      expect(first.byteLength + rest.byteLength).toBe(big.byteLength);
      expect(stream.complete).toBe(true);
      await stopped;
      expectNoErrorLogs(logger);
    },
  );

  it.each(PROTOCOLS)(
    'stop() aborts a low-level stream with SERVER_STOP so it ends cleanly ($name)',
    async ({ http2: h2 }) => {
      let reason: unknown;
      const { server, logger } = await serve(
        [
          {
            name: 'event-stream',
            async enter(ctx: any) {
              await writeResponse(ctx, {
                status: 200,
                headers: { 'content-type': 'text/event-stream' },
              });
              await writeResponseBody(ctx, 'data: hello\n\n');
              const signal: AbortSignal = ctx.request.signal;
              signal.addEventListener('abort', () => {
                reason = signal.reason;
                void endResponse(ctx);
              });
              return ctx;
            },
          },
        ],
        { http2: h2 },
      );
      const stream = await streamFor(server, 'GET', '/events');
      const events = stream.events()[Symbol.asyncIterator]();
      expect((await events.next()).value).toEqual({ data: 'hello' });
      const started = performance.now();
      await server.stop({ graceMs: 5000 });
      expect(performance.now() - started).toBeLessThan(1000);
      expect(NodeAdapterError.isError(reason) && reason.code).toBe('SERVER_STOP');
      expect((await events.next()).done).toBe(true);
      expect(stream.complete).toBe(true);
      expectNoErrorLogs(logger);
    },
  );

  it.each(PROTOCOLS)(
    'after the grace period, stop() aborts what is left and destroys it ($name)',
    async ({ http2: h2 }) => {
      let finallyRan = false;
      let ticks = 0;
      const { server, url, logger } = await serve(
        [
          () => ({
            status: 200,
            body: text(
              (async function* () {
                try {
                  for (;;) {
                    ticks++;
                    yield 'tick\n';
                    await new Promise((r) => setTimeout(r, 10));
                  }
                } finally {
                  finallyRan = true;
                }
              })(),
            ),
          }),
        ],
        { http2: h2 },
      );
      const result = rawGet(`${url}/forever`, h2);
      await waitFor(() => ticks > 2, 'the stream to be under way');
      const started = performance.now();
      await server.stop({ graceMs: 100 });
      const elapsed = performance.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(90);
      expect(elapsed).toBeLessThan(2000);
      const { status, body, error } = await result;
      expect(status).toBe(200);
      expect(body.toString()).toMatch(/^(tick\n)+$/);
      expect(error).toBeDefined();
      await waitFor(() => finallyRan, "the producer's finally");
      expectNoErrorLogs(logger);
    },
  );
});

describe('TLS and HTTP/2', () => {
  it('serves HTTPS', async () => {
    const { server } = await serve([hello], { tls });
    expect(server.address!.url).toMatch(/^https:\/\//);
    const response = await responseFor(server, 'GET', '/secure');
    expect(JSON.parse(response.body)).toEqual({
      hello: '/secure',
      protocol: 'HTTP/1.1',
      scheme: 'https',
    });
    await server.stop();
  });

  it('serves h2 over TLS, and HTTP/1.1 to clients without h2 (allowHTTP1)', async () => {
    const { server } = await serve([hello], { tls, http2: true });
    const h2 = await responseFor(server, 'GET', '/h2');
    expect(JSON.parse(h2.body)).toEqual({ hello: '/h2', protocol: 'HTTP/2.0', scheme: 'https' });
    const h1 = await responseFor(server, 'GET', '/h1', { http2: false });
    expect(JSON.parse(h1.body)).toEqual({ hello: '/h1', protocol: 'HTTP/1.1', scheme: 'https' });
    await server.stop({ graceMs: 1000 });
  });

  it('serves h2c', async () => {
    const { server } = await serve([hello], { http2: true });
    const response = await responseFor(server, 'GET', '/h2c');
    expect(JSON.parse(response.body)).toEqual({
      hello: '/h2c',
      protocol: 'HTTP/2.0',
      scheme: 'http',
    });
    await server.stop();
  });
});

describe('requestListener', () => {
  it('serves under node:http and node:http2 directly', async () => {
    const logger = capturingLogger();
    const listener = requestListener([hello], { logger });
    const h1 = http.createServer(listener);
    const h2 = http2.createServer(listener as never);
    await Promise.all([
      new Promise<void>((r) => h1.listen(0, '127.0.0.1', r)),
      new Promise<void>((r) => h2.listen(0, '127.0.0.1', r)),
    ]);
    const port1 = (h1.address() as { port: number }).port;
    const port2 = (h2.address() as { port: number }).port;
    const a = await rawGet(`http://127.0.0.1:${port1}/one`, false);
    const b = await rawGet(`http://127.0.0.1:${port2}/two`, true);
    expect(JSON.parse(a.body.toString())).toMatchObject({ hello: '/one', protocol: 'HTTP/1.1' });
    expect(JSON.parse(b.body.toString())).toMatchObject({ hello: '/two', protocol: 'HTTP/2.0' });
    h1.close();
    h2.close();
    expectNoErrorLogs(logger);
  });

  it('mounts as Connect/Express middleware: answers what it routes, calls next() otherwise', async () => {
    const plinth = requestListener(
      [
        (request: any) =>
          request.path === '/plinth' ? { status: 200, body: 'from plinth' } : undefined,
      ],
      { logger: capturingLogger() },
    );
    // A minimal Connect: each middleware gets (req, res, next).
    type Middleware = (
      req: http.IncomingMessage,
      res: http.ServerResponse,
      next: () => void,
    ) => void;
    const stack: Middleware[] = [
      (req, _res, next) => {
        req.headers['x-seen'] = 'yes';
        next();
      },
      plinth as Middleware,
      (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('from the next middleware');
      },
    ];
    const server = http.createServer((req, res) => {
      let i = 0;
      const next = () => stack[i++]!(req, res, next);
      next();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    expect(await (await fetch(`${base}/plinth`)).text()).toBe('from plinth');
    expect(await (await fetch(`${base}/other`)).text()).toBe('from the next middleware');
    server.close();
  });
});
