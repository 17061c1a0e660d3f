// Real servers and real clients for the over-the-wire tests: @plinth/node on an
// ephemeral loopback port, node:http and node:http2 clients, eventsource-parser.
import http from 'node:http';
import http2 from 'node:http2';
import { createServer, type Logger, type PlinthServer } from '@plinth/node';
import { createParser, type EventSourceMessage } from 'eventsource-parser';

export type Protocol = 'http/1.1' | 'h2c';
export const PROTOCOLS: Protocol[] = ['http/1.1', 'h2c'];

export interface Served {
  readonly url: string;
  readonly server: PlinthServer;
  readonly logs: { level: string; obj: object; msg: string | undefined }[];
  stop(graceMs?: number): Promise<void>;
}

/** Serves interceptors with @plinth/node on 127.0.0.1:0 (h2c when asked), logging into an array. */
export async function serve(interceptors: unknown[], protocol: Protocol): Promise<Served> {
  const logs: Served['logs'] = [];
  const logger: Logger = {
    error: (obj, msg) => logs.push({ level: 'error', obj, msg }),
    warn: (obj, msg) => logs.push({ level: 'warn', obj, msg }),
    info: (obj, msg) => logs.push({ level: 'info', obj, msg }),
    debug: (obj, msg) => logs.push({ level: 'debug', obj, msg }),
  };
  const server = createServer(interceptors as never, {
    port: 0,
    http2: protocol === 'h2c',
    logger,
  });
  const { url } = await server.start();
  return { url, server, logs, stop: (graceMs = 1000) => server.stop({ graceMs }) };
}

export interface StreamClient {
  /** Status and headers, once they arrived. */
  readonly response: Promise<{ status: number; headers: Record<string, unknown> }>;
  readonly events: EventSourceMessage[];
  readonly comments: string[];
  readonly retries: number[];
  /** Resolves when the body ended cleanly (HTTP/1.1 terminating chunk / h2 END_STREAM). */
  readonly ended: Promise<void>;
  /** Resolves when the connection/stream closed for any reason; `clean` tells which. */
  readonly closed: Promise<{ clean: boolean }>;
  /** Stops reading (the socket/stream fills up and the server sees backpressure). */
  pause(): void;
  resume(): void;
  /** The client goes away. */
  destroy(): void;
  /** Waits (bounded) until `n` events arrived. */
  waitForEvents(n: number, timeoutMs?: number): Promise<EventSourceMessage[]>;
  /** Waits (bounded) until `n` comments arrived. */
  waitForComments(n: number, timeoutMs?: number): Promise<string[]>;
  /** Bytes received so far. */
  readonly received: number;
}

interface Waiter {
  check: () => boolean;
  resolve: () => void;
}

/** Opens an event stream with a real client and parses it with eventsource-parser. */
export function openStream(
  url: string,
  path: string,
  protocol: Protocol,
  headers: Record<string, string> = {},
): StreamClient {
  const events: EventSourceMessage[] = [];
  const comments: string[] = [];
  const retries: number[] = [];
  const waiters = new Set<Waiter>();
  const wake = (): void => {
    for (const waiter of waiters) {
      if (waiter.check()) {
        waiters.delete(waiter);
        waiter.resolve();
      }
    }
  };
  const parser = createParser({
    onEvent: (event) => {
      events.push(event);
      wake();
    },
    onComment: (comment) => {
      comments.push(comment);
      wake();
    },
    onRetry: (retry) => retries.push(retry),
  });
  const decoder = new TextDecoder();
  let received = 0;
  const onData = (chunk: Buffer): void => {
    received += chunk.byteLength;
    parser.feed(decoder.decode(chunk, { stream: true }));
  };
  let resolveResponse!: (value: { status: number; headers: Record<string, unknown> }) => void;
  let rejectResponse!: (error: unknown) => void;
  const response = new Promise<{ status: number; headers: Record<string, unknown> }>((res, rej) => {
    resolveResponse = res;
    rejectResponse = rej;
  });
  response.catch(() => {}); // a client that leaves early never gets one; tests await it when they care
  let resolveEnded!: () => void;
  const ended = new Promise<void>((resolve) => (resolveEnded = resolve));
  let resolveClosed!: (value: { clean: boolean }) => void;
  const closed = new Promise<{ clean: boolean }>((resolve) => (resolveClosed = resolve));
  let clean = false;

  let pause: () => void;
  let resume: () => void;
  let destroy: () => void;

  if (protocol === 'http/1.1') {
    const req = http.get(`${url}${path}`, { headers, agent: false }, (res) => {
      resolveResponse({ status: res.statusCode ?? 0, headers: { ...res.headers } });
      res.on('data', onData);
      res.on('end', () => {
        clean = true;
        resolveEnded();
      });
      res.on('close', () => resolveClosed({ clean }));
      res.on('error', () => {});
    });
    req.on('error', (error) => {
      rejectResponse(error);
      resolveClosed({ clean });
    });
    pause = () => req.socket?.pause();
    resume = () => req.socket?.resume();
    destroy = () => req.destroy();
  } else {
    const session = http2.connect(url);
    session.on('error', () => {});
    const stream = session.request({ ':path': path, ...headers });
    stream.on('response', (h) => {
      const { ':status': status, ...rest } = h;
      resolveResponse({ status: Number(status), headers: rest });
    });
    stream.on('data', onData);
    stream.on('end', () => {
      clean = stream.rstCode === undefined || stream.rstCode === http2.constants.NGHTTP2_NO_ERROR;
      if (clean) resolveEnded();
    });
    stream.on('close', () => {
      resolveClosed({ clean: clean && stream.rstCode === http2.constants.NGHTTP2_NO_ERROR });
      session.close();
    });
    stream.on('error', (error) => rejectResponse(error));
    pause = () => stream.pause();
    resume = () => stream.resume();
    destroy = () => {
      stream.close(http2.constants.NGHTTP2_CANCEL);
      session.destroy();
    };
  }

  const waitFor = (check: () => boolean, timeoutMs: number, what: string): Promise<void> => {
    if (check()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters.delete(waiter);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const waiter: Waiter = {
        check,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      waiters.add(waiter);
    });
  };

  return {
    response,
    events,
    comments,
    retries,
    ended,
    closed,
    pause: () => pause(),
    resume: () => resume(),
    destroy: () => destroy(),
    async waitForEvents(n, timeoutMs = 3000) {
      await waitFor(() => events.length >= n, timeoutMs, `${n} events (got ${events.length})`);
      return events;
    },
    async waitForComments(n, timeoutMs = 3000) {
      await waitFor(() => comments.length >= n, timeoutMs, `${n} comments`);
      return comments;
    },
    get received() {
      return received;
    },
  };
}

/** A promise with its resolve function, for signalling between server and test. */
export function deferred<T = void>(): {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
} {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Rejects when `promise` takes longer than `ms`. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout>;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)),
        ms,
      );
    }),
  ]);
}
