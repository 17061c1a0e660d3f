// A real node:http server writing bodies through the protocol, as the README's
// example does (a BodySink over the ServerResponse; headers with the first bytes;
// destroy after bytes were sent), and a raw client: tests of behaviour on the wire.
import {
  createServer,
  get,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BodySink, WriteableBody } from '@plinth/writeable-body';

/** What the server saw of one response. */
export interface Served {
  /** The write's rejection, if any. */
  error?: unknown;
  /** Whether the status and headers had been sent when the write settled. */
  headersSent: boolean;
  /** Writes of the sink that returned a promise (the socket was full). */
  blocked: number;
}

/** A listening server answering every request with `bodyFor()`. */
export interface BodyServer {
  readonly port: number;
  /** One promise per request, in arrival order: settles when its write settles. */
  readonly served: Promise<Served>[];
  /** Called each time a sink write returns a promise, with that promise. */
  onBlocked?: (pending: Promise<void>) => void;
  close(): Promise<void>;
}

function sinkFor(
  res: ServerResponse,
  body: WriteableBody,
  state: Served,
  server: BodyServer,
): BodySink {
  const controller = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) controller.abort(new Error('client left'));
  });
  const head = (): void => {
    if (!res.headersSent) res.writeHead(200, { 'content-type': body.defaultContentType() ?? '' });
  };
  return {
    signal: controller.signal,
    flush() {},
    write(chunk) {
      head();
      if (res.write(chunk)) return undefined;
      state.blocked++;
      const pending = new Promise<void>((resolve, reject) => {
        const onDrain = (): void => {
          res.off('close', onClose);
          resolve();
        };
        const onClose = (): void => {
          res.off('drain', onDrain);
          reject(controller.signal.reason);
        };
        res.once('drain', onDrain);
        res.once('close', onClose);
      });
      server.onBlocked?.(pending);
      return pending;
    },
  };
}

/** Starts a server on an ephemeral loopback port. */
export async function bodyServer(bodyFor: () => WriteableBody): Promise<BodyServer> {
  const served: Promise<Served>[] = [];
  let server!: BodyServer;
  const http: Server = createServer((_req, res) => {
    const body = bodyFor();
    const state: Served = { headersSent: false, blocked: 0 };
    served.push(
      (async () => {
        try {
          await body.writeBody(sinkFor(res, body, state, server));
          if (!res.headersSent)
            res.writeHead(200, { 'content-type': body.defaultContentType() ?? '' });
          res.end();
        } catch (error) {
          state.error = error;
          state.headersSent = res.headersSent;
          if (!res.headersSent) res.writeHead(500).end('failed');
          else res.destroy(error as Error);
          return state;
        }
        state.headersSent = res.headersSent;
        return state;
      })(),
    );
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  server = {
    port: (http.address() as AddressInfo).port,
    served,
    close: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
  return server;
}

/** A response as the client saw it: complete, or cut before its end. */
export interface Received {
  status: number;
  contentType: string | undefined;
  body: Buffer;
  /** True when the response ended cleanly (its terminating chunk arrived). */
  complete: boolean;
}

/** GETs `/` and reads the whole response, or until the server cuts it. */
export function fetchBody(port: number): Promise<Received> {
  return new Promise((resolve, reject) => {
    const req = get(
      { host: '127.0.0.1', port, path: '/', agent: false },
      (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        const done = (complete: boolean): void =>
          resolve({
            status: res.statusCode ?? 0,
            contentType: res.headers['content-type'],
            body: Buffer.concat(chunks),
            complete,
          });
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => done(res.complete));
        res.on('error', () => done(false));
        res.on('aborted', () => done(false));
      },
    );
    req.on('error', reject);
  });
}

/** Resolves when `promise` does, or rejects after `ms` naming `what`. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)),
        ms,
      );
    }),
  ]).finally(() => clearTimeout(timer));
}
