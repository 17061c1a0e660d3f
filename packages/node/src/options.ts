import type { SecureContextOptions, TlsOptions } from 'node:tls';
import type { Handler, Interceptor } from '@plinth/interceptor';
import type { Logger } from './logger';

/** Options of {@link requestListener} (and of {@link createServer}). */
export interface ListenerOptions {
  /**
   * Where the adapter logs: a pino instance or anything with pino's
   * `error/warn/info/debug(obj, msg)` methods.
   * @default jsonLogger() — JSON lines on stderr, level `info`
   */
  logger?: Logger | undefined;
  /**
   * The most bytes `request.body.bytes()/text()/json()` read when not told
   * otherwise; more is a 413.
   * @default 1048576 (1 MiB)
   */
  bodyLimit?: number | undefined;
  /**
   * How long the interceptor chain may take to start a response, in milliseconds;
   * `0` turns the limit off. When it expires with nothing sent, the adapter answers
   * `503` with `Retry-After: 5` (and `Connection: close` on HTTP/1.1), aborts
   * `request.signal` with the reason `TIMEOUT`, and logs one warning naming the
   * interceptor and stage still pending; a response the chain sets later is ignored.
   * A response that started in time (its body's first byte or `flush()`, a
   * low-level `writeResponse`; see the README, "Which responses count as started")
   * is never cut by it, however long it streams; a ring body that has produced
   * nothing yet has not started, and is stopped and replaced by the 503. At most
   * 2147483647 (Node's longest timer).
   * @default 0 (off: a long poll must not be cut silently; 30000 is a sensible value
   * for ordinary request/response services)
   */
  handlerTimeout?: number | undefined;
  /**
   * Log one line at `info` through `logger` when each response ends: method, url,
   * route template (when a router set `ctx.route`), status, body bytes, time to the
   * first byte and to the last one in milliseconds (`ttfbMs`, `durationMs`) and how
   * it ended (`end`: `FINISHED`, or the abort reason such as `CLIENT_DISCONNECT`).
   * Off by default: it costs a log call per request, and many deployments log
   * requests at their proxy (see the README, "Access log").
   * @default false
   */
  accessLog?: boolean | undefined;
}

/** Options of {@link createServer}. */
export interface ServerOptions extends ListenerOptions {
  /**
   * The port to listen on; `0` picks a free one (see the address `start()` resolves with).
   * @default 8080
   */
  port?: number | undefined;
  /**
   * The interface to listen on. Use `'0.0.0.0'` or `'::'` to accept connections
   * from other machines.
   * @default '127.0.0.1'
   */
  host?: string | undefined;
  /**
   * Serve HTTP/2 (Node's compatibility API). With `tls`: h2 over TLS (and HTTP/1.1
   * for clients without ALPN h2, see `allowHTTP1`); without: cleartext h2c (prior
   * knowledge).
   * @default false
   */
  http2?: boolean | undefined;
  /**
   * Certificates and keys: serve HTTPS (or h2 over TLS with `http2`).
   * @default undefined (cleartext)
   */
  tls?: (SecureContextOptions & TlsOptions) | undefined;
  /**
   * With `http2` and `tls`: also answer HTTP/1.1 clients.
   * @default true
   */
  allowHTTP1?: boolean | undefined;
  /**
   * HTTP/1.1: how long a client may take to send the request headers (slowloris
   * guard). Milliseconds.
   * @default 60000
   */
  headersTimeout?: number | undefined;
  /**
   * HTTP/1.1: how long a client may take to send the whole request, body
   * included. `0` disables it, so long uploads and streamed responses are never cut
   * by it (Node's own default of 300 s would).
   * @default 0
   */
  requestTimeout?: number | undefined;
  /**
   * HTTP/1.1: how long an idle keep-alive connection stays open. Longer than the
   * 60 s idle timeout of common load balancers, so the balancer closes first and
   * never sends on a connection the server is closing.
   * @default 72000
   */
  keepAliveTimeout?: number | undefined;
  /**
   * HTTP/1.1: how often Node checks every connection against `headersTimeout` and
   * `requestTimeout`, in milliseconds. A timeout is only enforced when the check runs,
   * so a client is cut off between the timeout and the timeout plus this interval.
   * One timer per server; each run walks the connections still receiving a request.
   * Node's own default is 30 s, which made `headersTimeout: 300` mean anything up to
   * 30.3 s. At least 1.
   * @default a quarter of the shorter of `headersTimeout` and `requestTimeout` (when
   * not 0), between 50 and 1000 (1000 with the default timeouts)
   */
  connectionsCheckingInterval?: number | undefined;
  /**
   * The largest request header block in bytes; larger is answered 431 by Node
   * (HTTP/1.1) or refused by the HTTP/2 session.
   * @default 16384
   */
  maxHeaderSize?: number | undefined;
  /**
   * What `stop()` waits for in-flight responses before it destroys them, when not
   * told otherwise. Milliseconds.
   * @default 10000
   */
  stopGraceMs?: number | undefined;
}

/** A service: its interceptors (or handlers) and the server options, in one object. */
export interface ServiceOptions extends ServerOptions {
  /** The application's interceptors, after the adapter's own. Handlers are turned into interceptors. */
  interceptors: readonly (Interceptor<any> | Handler)[];
}

/** What {@link createServer}, {@link requestListener} and the test client serve. */
export type Service = ServiceOptions | readonly (Interceptor<any> | Handler)[];
