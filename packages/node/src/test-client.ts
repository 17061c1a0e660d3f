// One piece: responseFor and streamFor share how a request is opened over
// HTTP/1.1 or HTTP/2, how its body is sent, its timeout and the streaming response
// they read; each half alone would be the same machinery.

import http, { type IncomingHttpHeaders } from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import type { Readable } from 'node:stream';
import { describeValue } from '@plinth/writeable-body';
import { NodeAdapterError } from './errors';
import type { Service } from './options';
import { createServer, PLINTH_SERVER, type PlinthServer } from './server';

/** What the test client sends. */
export interface TestRequestOptions {
  /**
   * Request headers.
   * @default {}
   */
  headers?: Record<string, string | readonly string[]> | undefined;
  /**
   * The request body: a string, bytes, or an (async) iterable of chunks sent as they come.
   * @default undefined (none)
   */
  body?:
    | string
    | Uint8Array
    | Iterable<string | Uint8Array>
    | AsyncIterable<string | Uint8Array>
    | undefined;
  /**
   * Talk HTTP/2 (h2c, or h2 over TLS). For a `PlinthServer` the default follows the
   * server; for a service it makes the temporary server an HTTP/2 one.
   * @default false
   */
  http2?: boolean | undefined;
  /**
   * Give up (and disconnect) when the response has not arrived, or, for
   * `responseFor`, not ended, by then. Milliseconds; `0` for never.
   * @default 10000
   */
  timeoutMs?: number | undefined;
}

/** A whole response, as {@link responseFor} gives it. */
export interface TestResponse {
  /** The status code. */
  readonly status: number;
  /** Response headers, names lower-case (no HTTP/2 pseudo-headers). */
  readonly headers: IncomingHttpHeaders;
  /** The body decoded as UTF-8. */
  readonly body: string;
  /** The body's bytes. */
  readonly bytes: Uint8Array;
}

/** A Server-Sent Event as parsed by `eventsource-parser`. */
export interface ServerSentEvent {
  /** The `event:` field, when sent. */
  event?: string | undefined;
  /** The `data:` lines, joined with `\n`. */
  data: string;
  /** The `id:` field, when sent. */
  id?: string | undefined;
}

/** Everything an event stream carries: events, comments (heartbeats) and retry hints. */
export type EventStreamItem =
  | ({ readonly type: 'event' } & ServerSentEvent)
  | { readonly type: 'comment'; readonly text: string }
  | { readonly type: 'retry'; readonly ms: number };

/**
 * A response whose body is read as it arrives. Not reading is reading slowly: the
 * client stops taking bytes and TCP pushes back on the server. Breaking out of a
 * `for await` (or calling `close()`) disconnects.
 */
export interface StreamingResponse extends AsyncIterable<Uint8Array> {
  /** The status code. */
  readonly status: number;
  /** Response headers, names lower-case (no HTTP/2 pseudo-headers). */
  readonly headers: IncomingHttpHeaders;
  /** True once the body ended cleanly (a terminating chunk or the whole Content-Length). */
  readonly complete: boolean;
  /** The next chunk, or `undefined` at the end. Rejects when the response was cut short. */
  read(): Promise<Uint8Array | undefined>;
  /** The rest of the body. Rejects when the response was cut short. */
  bytes(): Promise<Uint8Array>;
  /** The rest of the body as UTF-8. */
  text(): Promise<string>;
  /** The rest of the body parsed as an event stream, events only. */
  events(): AsyncIterable<ServerSentEvent>;
  /** The rest of the body parsed as an event stream: events, comments and retry hints. */
  eventStream(): AsyncIterable<EventStreamItem>;
  /** Disconnects now (HTTP/1.1: the socket is destroyed; HTTP/2: the stream is cancelled). */
  close(): Promise<void>;
}

interface Target {
  server: PlinthServer;
  owned: boolean;
}

function isPlinthServer(value: unknown): value is PlinthServer {
  return (
    value !== null &&
    typeof value === 'object' &&
    (value as Record<PropertyKey, unknown>)[PLINTH_SERVER] === true
  );
}

async function targetFor(
  service: Service | PlinthServer,
  h2: boolean | undefined,
): Promise<Target> {
  if (isPlinthServer(service)) {
    await service.start();
    return { server: service, owned: false };
  }
  const server = createServer(service, {
    port: 0,
    host: '127.0.0.1',
    ...(h2 === undefined ? {} : { http2: h2 }),
    stopGraceMs: 1000,
    logger:
      (Array.isArray(service) ? undefined : (service as { logger?: undefined }).logger) ?? QUIET,
  });
  await server.start();
  return { server, owned: true };
}

const noop = (): void => {};
// A temporary server of the test client logs nothing unless the service has a logger.
const QUIET = { error: noop, warn: noop, info: noop, debug: noop };

function checkArgs(fn: string, method: unknown, url: unknown, options: unknown): void {
  if (typeof method !== 'string' || !/^[A-Za-z]+$/.test(method)) {
    throw new NodeAdapterError(
      'INVALID_ARGUMENT',
      `${fn}: method must be an HTTP method name, got ${describeValue(method)}`,
    );
  }
  if (typeof url !== 'string' || !url.startsWith('/')) {
    throw new NodeAdapterError(
      'INVALID_ARGUMENT',
      `${fn}: url must be a path starting with "/", got ${describeValue(url)}`,
    );
  }
  if (options !== undefined && (options === null || typeof options !== 'object')) {
    throw new NodeAdapterError(
      'INVALID_ARGUMENT',
      `${fn}: options must be an object, got ${describeValue(options)}`,
    );
  }
}

async function sendBody(
  out: NodeJS.WritableStream & { destroyed?: boolean },
  body: TestRequestOptions['body'],
): Promise<void> {
  if (body === undefined) {
    out.end();
    return;
  }
  if (typeof body === 'string' || body instanceof Uint8Array) {
    out.end(body);
    return;
  }
  for await (const chunk of body as AsyncIterable<string | Uint8Array>) {
    if (!out.write(chunk)) {
      await new Promise<void>((resolve) => {
        out.once('drain', resolve);
        out.once('close', resolve);
      });
    }
  }
  out.end();
}

function fixedLength(body: TestRequestOptions['body']): number | undefined {
  if (typeof body === 'string') return Buffer.byteLength(body);
  if (body instanceof Uint8Array) return body.byteLength;
  return undefined;
}

class Streaming implements StreamingResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  complete = false;
  readonly #stream: Readable;
  readonly #iterator: AsyncIterator<Buffer>;
  readonly #disconnect: () => void;
  readonly #finished: () => void;
  #done = false;

  constructor(
    status: number,
    headers: IncomingHttpHeaders,
    stream: Readable,
    disconnect: () => void,
    finished: () => void,
  ) {
    this.status = status;
    this.headers = headers;
    this.#stream = stream;
    this.#iterator = stream[Symbol.asyncIterator]();
    this.#disconnect = disconnect;
    this.#finished = finished;
  }

  async read(): Promise<Uint8Array | undefined> {
    if (this.#done) return undefined;
    let step: IteratorResult<Buffer>;
    try {
      step = await this.#iterator.next();
    } catch (error) {
      this.#end();
      throw error;
    }
    if (step.done) {
      this.complete = true;
      this.#end();
      return undefined;
    }
    return step.value;
  }

  #end(): void {
    if (this.#done) return;
    this.#done = true;
    this.#finished();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    try {
      for (;;) {
        const chunk = await this.read();
        if (chunk === undefined) return;
        yield chunk;
      }
    } finally {
      if (!this.#done) await this.close();
    }
  }

  async bytes(): Promise<Uint8Array> {
    const chunks: Uint8Array[] = [];
    for await (const chunk of this) chunks.push(chunk);
    return Buffer.concat(chunks);
  }

  async text(): Promise<string> {
    return Buffer.from(await this.bytes()).toString('utf8');
  }

  async *eventStream(): AsyncIterable<EventStreamItem> {
    const queue: EventStreamItem[] = [];
    const { createParser } = await loadParser();
    const parser = createParser({
      onEvent: (e) => queue.push({ type: 'event', ...e }),
      onComment: (text) => queue.push({ type: 'comment', text }),
      onRetry: (ms) => queue.push({ type: 'retry', ms }),
    });
    const decoder = new TextDecoder();
    for await (const chunk of this) {
      parser.feed(decoder.decode(chunk, { stream: true }));
      while (queue.length !== 0) yield queue.shift()!;
    }
  }

  async *events(): AsyncIterable<ServerSentEvent> {
    for await (const item of this.eventStream()) {
      if (item.type === 'event') {
        const { type: _type, ...event } = item;
        yield event;
      }
    }
  }

  async close(): Promise<void> {
    if (this.#done) return;
    this.#done = true;
    const stream = this.#stream;
    const closed = stream.destroyed
      ? Promise.resolve()
      : new Promise<void>((resolve) => stream.once('close', () => resolve()));
    this.#disconnect();
    await closed;
    this.#finished();
  }
}

/**
 * Loads `eventsource-parser` when an event stream is first read: it is an optional
 * peer dependency, needed only by `eventStream()` and `events()`, so neither the
 * adapter nor the rest of the test client requires it to be installed.
 */
async function loadParser(): Promise<typeof import('eventsource-parser')> {
  try {
    return await import('eventsource-parser');
  } catch (error) {
    throw new Error(
      'eventStream() and events() of @plinth/node/testing need the optional peer dependency eventsource-parser; add it to your devDependencies',
      { cause: error },
    );
  }
}

function stripPseudo(headers: Record<string, unknown>): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!name.startsWith(':')) out[name] = value as string;
  }
  return out;
}

async function open(
  fn: string,
  service: Service | PlinthServer,
  method: string,
  url: string,
  options: TestRequestOptions,
): Promise<StreamingResponse> {
  checkArgs(fn, method, url, options);
  const target = await targetFor(service, options.http2);
  const { server, owned } = target;
  const address = server.address!;
  const useH2 = options.http2 ?? server.http2;
  const timeoutMs = options.timeoutMs ?? 10_000;
  let settled = false;
  const finished = (): void => {
    if (settled) return;
    settled = true;
    if (owned) void server.stop({ graceMs: 1000 });
  };
  const headers: Record<string, string | readonly string[]> = { ...options.headers };
  const length = fixedLength(options.body);
  if (
    length !== undefined &&
    !Object.keys(headers).some((h) => h.toLowerCase() === 'content-length')
  ) {
    headers['content-length'] = String(length);
  }
  try {
    if (useH2) {
      const session = http2.connect(address.url, { rejectUnauthorized: false } as never);
      session.on('error', noop);
      const stream = session.request({
        ':method': method.toUpperCase(),
        ':path': url,
        ...headers,
      } as never);
      stream.on('error', noop);
      void sendBody(stream, options.body).catch(noop);
      const head = await withTimeout(
        new Promise<http2.IncomingHttpHeaders & http2.IncomingHttpStatusHeader>(
          (resolve, reject) => {
            stream.once('response', resolve);
            stream.once('error', reject);
            stream.once('close', () =>
              reject(
                new Error(`${fn}: the stream closed before a response (code ${stream.rstCode})`),
              ),
            );
          },
        ),
        timeoutMs,
        () => session.destroy(),
        `${fn}: no response to ${method} ${url} within ${timeoutMs} ms`,
      );
      stream.removeAllListeners('error');
      stream.on('error', noop);
      const closeSession = (): void => {
        session.close();
        finished();
      };
      return new Streaming(
        head[':status'] ?? 0,
        stripPseudo(head),
        stream,
        () => stream.close(http2.constants.NGHTTP2_CANCEL),
        closeSession,
      );
    }
    const request = (server.secure ? https : http).request(address.url + url, {
      method: method.toUpperCase(),
      headers: headers as http.OutgoingHttpHeaders,
      agent: false,
      rejectUnauthorized: false,
    });
    void sendBody(request, options.body).catch(noop);
    const response = await withTimeout(
      new Promise<http.IncomingMessage>((resolve, reject) => {
        request.once('response', resolve);
        request.once('error', reject);
      }),
      timeoutMs,
      () => request.destroy(),
      `${fn}: no response to ${method} ${url} within ${timeoutMs} ms`,
    );
    response.on('error', noop);
    return new Streaming(
      response.statusCode ?? 0,
      response.headers,
      response,
      () => {
        response.destroy();
        request.destroy();
      },
      finished,
    );
  } catch (error) {
    finished();
    throw error;
  }
}

function withTimeout<T>(
  promise: Promise<T>,
  ms: number,
  onTimeout: () => void,
  message: string,
): Promise<T> {
  if (ms === 0) return promise;
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      onTimeout();
      reject(new Error(message));
    }, ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/**
 * Sends one request to a service over a real loopback socket and resolves with the
 * whole response, the body read to its end (Pedestal's `response-for`). Given a
 * service (interceptors, or a service object), it starts a server on an ephemeral
 * port for the request and stops it afterwards; given a {@link PlinthServer}, it
 * starts it if needed and leaves it running.
 *
 * @example
 * ```ts
 * const hello = (request) => ({ status: 200, body: { hello: request.path } });
 * const response = await responseFor([hello], 'GET', '/world');
 * // response.status === 200, JSON.parse(response.body) => { hello: '/world' }
 * ```
 */
export async function responseFor(
  service: Service | PlinthServer,
  method: string,
  url: string,
  options: TestRequestOptions = {},
): Promise<TestResponse> {
  const response = await open(
    'responseFor(service, method, url, options)',
    service,
    method,
    url,
    options,
  );
  const timeoutMs = options.timeoutMs ?? 10_000;
  const bytes = await withTimeout(
    response.bytes(),
    timeoutMs,
    () => void response.close(),
    `responseFor: the body of ${method} ${url} did not end within ${timeoutMs} ms`,
  );
  return {
    status: response.status,
    headers: response.headers,
    body: Buffer.from(bytes).toString('utf8'),
    bytes,
  };
}

/**
 * Sends one request and resolves as soon as the status and headers arrive, with a
 * {@link StreamingResponse} to read the body from as it comes: chunk by chunk,
 * slowly, or as parsed Server-Sent Events; or to disconnect mid-stream. A
 * temporary server (for a service) stops when the body ended or was closed.
 *
 * @example
 * ```ts
 * const stream = await streamFor(service, 'GET', '/events');
 * for await (const event of stream.events()) {
 *   if (event.data === 'done') break; // disconnects
 * }
 * ```
 */
export function streamFor(
  service: Service | PlinthServer,
  method: string,
  url: string,
  options: TestRequestOptions = {},
): Promise<StreamingResponse> {
  return open('streamFor(service, method, url, options)', service, method, url, options);
}
