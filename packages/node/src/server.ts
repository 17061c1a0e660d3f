// One piece: createServer validates its options, builds the Node server, tracks
// its connections and implements stop(), all over the state of one closure (the
// sockets, sessions and live exchanges stop() must reach).

import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import net, { type AddressInfo, type Socket } from 'node:net';
import { describeValue } from '@plinth/writeable-body';
import { NodeAdapterError } from './errors';
import type { Exchange } from './exchange';
import { abortExchange, signalStop } from './internal/abort';
import { headerListSize, refuseHeaders } from './internal/h2';
import { LiveList } from './internal/live';
import { abortReason } from './internal/reasons';
import { handle, makeServerState, type PlinthListener } from './listener';
import type { ServerOptions, Service } from './options';

/** Where a started server listens. */
export interface ServerAddress {
  /** The port (the one picked when `port` was 0). */
  readonly port: number;
  /** The address listened on, as Node reports it (`127.0.0.1`, `::`). */
  readonly host: string;
  /** A base URL for clients: `http://127.0.0.1:41234` (`https` with TLS). */
  readonly url: string;
}

/** Options of {@link PlinthServer.stop}. */
export interface StopOptions {
  /**
   * How long in-flight responses may take to finish before they are aborted
   * (`SERVER_STOP`) and their connections destroyed. Milliseconds.
   * @default the server's `stopGraceMs` option (10000)
   */
  graceMs?: number | undefined;
}

/** The Node server behind a {@link PlinthServer}. */
export type NodeServer = http.Server | https.Server | http2.Http2Server | http2.Http2SecureServer;

/** A server made by {@link createServer}. */
export interface PlinthServer {
  /** The Node server (not listening until `start()`). */
  readonly server: NodeServer;
  /** The request listener the server runs. */
  readonly listener: PlinthListener;
  /** True when the server speaks HTTP/2. */
  readonly http2: boolean;
  /** True when the server uses TLS. */
  readonly secure: boolean;
  /** The address once started, else `undefined`. */
  readonly address: ServerAddress | undefined;
  /** Starts listening; resolves with the address. Calling it again resolves with the same one. */
  start(): Promise<ServerAddress>;
  /**
   * Graceful shutdown: stops accepting connections, closes idle keep-alive ones,
   * aborts low-level streams (their signal with `SERVER_STOP`, so an event stream
   * ends), lets other in-flight responses finish within `graceMs`, then aborts and
   * destroys what is left. Resolves when every connection is closed.
   */
  stop(options?: StopOptions): Promise<void>;
}

/** @internal Marks servers made here, for the test client. */
export const PLINTH_SERVER: unique symbol = Symbol.for('plinth.node.server') as never;

function checkNumber(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new NodeAdapterError(
      'INVALID_ARGUMENT',
      `createServer(service, options): options.${name} must be a non-negative integer, got ${describeValue(value)}`,
    );
  }
  return value;
}

/**
 * Clears the timer http.Server starts on 'listening' to enforce its timeouts, which
 * only close() clears (and which would keep the server object alive).
 */
function stopConnectionChecks(server: NodeServer): void {
  for (const symbol of Object.getOwnPropertySymbols(server)) {
    if (symbol.description === 'http.server.connectionsCheckingInterval') {
      clearInterval((server as unknown as Record<symbol, NodeJS.Timeout>)[symbol]);
    }
  }
}

/**
 * The default of `connectionsCheckingInterval`: a quarter of the shortest timeout it
 * enforces, so a timeout is late by at most a quarter of itself, within [50, 1000] ms.
 */
function checkingInterval(headersTimeout: number, requestTimeout: number): number {
  const shortest = Math.min(
    headersTimeout === 0 ? Number.POSITIVE_INFINITY : headersTimeout,
    requestTimeout === 0 ? Number.POSITIVE_INFINITY : requestTimeout,
  );
  return Math.max(50, Math.min(1000, Math.floor(shortest / 4)));
}

function urlHost(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}

/**
 * Builds a server for a service: the application's interceptors behind the
 * adapter's (see {@link requestListener}), over HTTP/1.1, HTTPS, h2 over TLS or
 * h2c, with start/stop. Options can be given in the service object, in `options`
 * (which win), or both.
 *
 * @example
 * ```ts
 * import { createServer } from '@plinth/node';
 *
 * const server = createServer({
 *   port: 8080,
 *   interceptors: [(request) => ({ status: 200, body: { hello: 'world' } })],
 * });
 * const { url } = await server.start();
 * process.on('SIGTERM', () => server.stop({ graceMs: 5000 }));
 * ```
 */
export function createServer(service: Service, options: ServerOptions = {}): PlinthServer {
  const fn = 'createServer(service, options)';
  if (options === null || typeof options !== 'object') {
    throw new NodeAdapterError(
      'INVALID_ARGUMENT',
      `${fn}: options must be an object, got ${describeValue(options)}`,
    );
  }
  const opts: ServerOptions = {
    ...(Array.isArray(service) ? {} : (service as ServerOptions)),
    ...options,
  };
  const port = checkNumber('port', opts.port, 8080);
  if (port > 65535) {
    throw new NodeAdapterError(
      'INVALID_ARGUMENT',
      `${fn}: options.port must be at most 65535, got ${port}`,
    );
  }
  const host = opts.host ?? '127.0.0.1';
  const headersTimeout = checkNumber('headersTimeout', opts.headersTimeout, 60_000);
  const requestTimeout = checkNumber('requestTimeout', opts.requestTimeout, 0);
  const keepAliveTimeout = checkNumber('keepAliveTimeout', opts.keepAliveTimeout, 72_000);
  const connectionsCheckingInterval = checkNumber(
    'connectionsCheckingInterval',
    opts.connectionsCheckingInterval,
    checkingInterval(headersTimeout, requestTimeout),
  );
  if (connectionsCheckingInterval < 1 || connectionsCheckingInterval > 2_147_483_647) {
    throw new NodeAdapterError(
      'INVALID_ARGUMENT',
      `${fn}: options.connectionsCheckingInterval must be from 1 to 2147483647 ms, got ${connectionsCheckingInterval}`,
    );
  }
  const maxHeaderSize = checkNumber('maxHeaderSize', opts.maxHeaderSize, 16_384);
  const defaultGrace = checkNumber('stopGraceMs', opts.stopGraceMs, 10_000);
  const live = new LiveList<Exchange>();
  const state = makeServerState(fn, service, opts, live);
  const isH2 = opts.http2 === true;
  // HTTP/2: Node enforces maxHeaderListSize only once the client acknowledged the
  // server's SETTINGS (with a stream reset); a larger header list sent before that
  // reaches the listener and is answered 431 here, as HTTP/1.1 does.
  const listener: PlinthListener = isH2
    ? (req, res) => {
        if (req.httpVersionMajor === 2) {
          const size = headerListSize(req.rawHeaders);
          if (size > maxHeaderSize) {
            refuseHeaders(
              req as http2.Http2ServerRequest,
              res as http2.Http2ServerResponse,
              state.logger,
              size,
              maxHeaderSize,
            );
            return;
          }
        }
        handle(state, req, res, undefined);
      }
    : (req, res) => handle(state, req, res, undefined);
  const secure = opts.tls !== undefined;

  let server: NodeServer;
  if (isH2) {
    const settings = { maxHeaderListSize: maxHeaderSize };
    server = secure
      ? http2.createSecureServer(
          { ...opts.tls, allowHTTP1: opts.allowHTTP1 ?? true, settings },
          listener as never,
        )
      : http2.createServer({ settings }, listener as never);
  } else {
    // Only what differs from Node's defaults goes in at creation; the timeouts are
    // set as properties below.
    const httpOptions = maxHeaderSize === 16_384 ? {} : { maxHeaderSize };
    server = secure
      ? https.createServer({ ...opts.tls, ...httpOptions }, listener as never)
      : http.createServer(httpOptions, listener as never);
  }
  if (!isH2 || opts.allowHTTP1 !== false) {
    const h1 = server as http.Server;
    h1.headersTimeout = headersTimeout;
    h1.requestTimeout = requestTimeout;
    h1.keepAliveTimeout = keepAliveTimeout;
    // Read by Node when the server starts listening (one interval timer per server);
    // off the per-request path.
    (h1 as { connectionsCheckingInterval?: number }).connectionsCheckingInterval =
      connectionsCheckingInterval;
  }

  // Every TCP socket, for the final destroy; and the sockets HTTP/1.1 requests arrive
  // on (TLS sockets for HTTPS), to close the idle ones ourselves (see stop()).
  const sockets = new Set<Socket>();
  const httpSockets = new Set<Socket>();
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    if (!isH2 && !secure) {
      httpSockets.add(socket);
      socket.once('close', () => httpSockets.delete(socket));
    }
  });
  if (!isH2 && secure) {
    server.on('secureConnection', (socket: Socket) => {
      httpSockets.add(socket);
      socket.once('close', () => httpSockets.delete(socket));
    });
  }
  if (isH2) {
    server.on('session', (session: http2.ServerHttp2Session) => {
      sessions.add(session);
      session.once('close', () => sessions.delete(session));
    });
  }

  let address: ServerAddress | undefined;
  let starting: Promise<ServerAddress> | undefined;
  let stopping: Promise<void> | undefined;

  const start = (): Promise<ServerAddress> => {
    if (starting !== undefined) return starting;
    starting = new Promise<ServerAddress>((resolve, reject) => {
      const onError = (error: Error): void => {
        starting = undefined;
        reject(error);
      };
      server.once('error', onError);
      server.listen(port, host, () => {
        server.off('error', onError);
        const info = server.address() as AddressInfo;
        const scheme = secure ? 'https' : 'http';
        address = {
          port: info.port,
          host: info.address,
          url: `${scheme}://${urlHost(info.address)}:${info.port}`,
        };
        state.logger.info(
          { url: address.url, protocol: isH2 ? 'h2' : 'http/1.1' },
          'server listening',
        );
        resolve(address);
      });
    });
    return starting;
  };

  const stop = (stopOptions: StopOptions = {}): Promise<void> => {
    if (stopping !== undefined) return stopping;
    const graceMs = checkNumber('graceMs', stopOptions?.graceMs, defaultGrace);
    stopping = (async () => {
      if (!server.listening) return;
      state.stopping = true;
      const closed = new Promise<void>((resolve) => server.once('close', () => resolve()));
      if (isH2) {
        server.close();
      } else {
        // Stop listening only. http.Server#close() would also run
        // closeIdleConnections(), which in Node 20 destroys a connection whose
        // response has ended but is still flushing (a large body written in one
        // piece): idle connections are closed below instead, by what they carry.
        net.Server.prototype.close.call(server);
      }
      const closeIdle = (): void => {
        const busy = new Set<unknown>();
        for (const exchange of live.toArray()) busy.add(exchange.req.socket);
        for (const socket of httpSockets) if (!busy.has(socket)) socket.destroy();
      };
      closeIdle();
      for (const session of sessions) session.close();
      for (const exchange of live.toArray()) if (exchange.lowLevel) signalStop(exchange);
      if (live.size !== 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, graceMs);
          state.onClosed = () => {
            closeIdle();
            if (live.size === 0) {
              clearTimeout(timer);
              resolve();
            }
          };
        });
      }
      state.onClosed = undefined;
      if (live.size !== 0) {
        state.logger.info({ responses: live.size }, 'stop: aborting responses still in flight');
        for (const exchange of live.toArray()) {
          abortExchange(exchange, abortReason('SERVER_STOP'), true);
        }
      }
      // What is left holds no response (idle, or a request that never completed).
      for (const session of sessions) session.destroy();
      for (const socket of sockets) socket.destroy();
      stopConnectionChecks(server);
      await closed;
      state.logger.info({}, 'server stopped');
    })();
    return stopping;
  };

  return {
    [PLINTH_SERVER]: true,
    server,
    listener,
    http2: isH2,
    secure,
    get address() {
      return address;
    },
    start,
    stop,
  } as PlinthServer;
}
