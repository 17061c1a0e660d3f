/**
 * Test plumbing shared by the packages' tests (static, compress, …). It depends on
 * no Plinth package, so any package's tests can use it without a cycle; a helper
 * that needs a server takes the `createServer` to use as an argument.
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import http from 'node:http';

export interface LogEntry {
  level: 'error' | 'warn' | 'info' | 'debug';
  msg: string | undefined;
  obj: Record<string, unknown>;
}

type LogFn = (obj: object, msg?: string) => void;

/** A pino-compatible logger that keeps what it is told. */
export interface CapturingLogger {
  error: LogFn;
  warn: LogFn;
  info: LogFn;
  debug: LogFn;
  entries: LogEntry[];
  /** The entries logged at `level`. */
  at(level: LogEntry['level']): LogEntry[];
  /** The entries logged at `error`. */
  errors(): LogEntry[];
}

/** A pino-compatible logger that keeps what it is told. */
export function capturingLogger(): CapturingLogger {
  const entries: LogEntry[] = [];
  const log =
    (level: LogEntry['level']): LogFn =>
    (obj, msg) => {
      entries.push({ level, msg, obj: obj as Record<string, unknown> });
    };
  const at = (level: LogEntry['level']) => entries.filter((e) => e.level === level);
  return {
    entries,
    at,
    errors: () => at('error'),
    error: log('error'),
    warn: log('warn'),
    info: log('info'),
    debug: log('debug'),
  };
}

/** What a test server factory needs: Plinth's `createServer` has this shape. */
export type CreateServer<S> = (
  interceptors: never,
  options: { port: number; host: string; logger: CapturingLogger },
) => S;

/**
 * Starts a server made by `createServer` on an ephemeral loopback port with a
 * capturing logger; `url` has no trailing slash.
 */
export async function startServer<S extends { start(): Promise<{ url: string }> }>(
  createServer: CreateServer<S>,
  interceptors: unknown[],
  options: object = {},
): Promise<{ server: S; url: string; logger: CapturingLogger }> {
  const logger = capturingLogger();
  const server = createServer(interceptors as never, {
    port: 0,
    host: '127.0.0.1',
    logger,
    ...options,
  });
  const { url } = await server.start();
  return { server, url: url.replace(/\/$/, ''), logger };
}

/** Open file descriptors of this process (Linux). */
export function openFds(): number {
  return readdirSync('/proc/self/fd').length;
}

/**
 * Waits until `check` is true, polling every few milliseconds; fails after
 * `timeoutMs` naming `what`. Resolves with the time waited.
 */
export async function waitFor(
  check: () => boolean,
  what: string,
  timeoutMs = 5000,
): Promise<number> {
  const start = performance.now();
  while (!check()) {
    if (performance.now() - start > timeoutMs) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  return performance.now() - start;
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The bytes as they came over the wire (not decoded). */
  body: Buffer;
  /** Set when the response did not complete (aborted, reset, refused). */
  error: Error | undefined;
}

/**
 * A request with Node's http client on a fresh connection, sending `path` exactly
 * as given (no normalisation of dot segments or escapes, unlike fetch and curl by
 * default); the body is read to its end or to an error and not decoded.
 */
export function request(
  base: string,
  path: string,
  options: { method?: string; headers?: Record<string, string> } = {},
): Promise<RawResponse> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const req = http.request(
      {
        host: hostname,
        port,
        path,
        method: options.method ?? 'GET',
        headers: options.headers,
        agent: false,
      },
      (res) => {
        let error: Error | undefined;
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('aborted', () => {
          error ??= new Error('aborted');
        });
        res.on('error', (e) => {
          error ??= e;
        });
        res.on('close', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks),
            error: error ?? (res.complete ? undefined : new Error('incomplete')),
          }),
        );
      },
    );
    req.on('error', (e) =>
      resolve({ status: 0, headers: {}, body: Buffer.concat(chunks), error: e }),
    );
    req.end();
  });
}

/** Runs curl and resolves with its exit code and output. */
export function curl(
  args: string[],
): Promise<{ code: number | null; stdout: Buffer; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('curl', args);
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out), stderr }));
  });
}
