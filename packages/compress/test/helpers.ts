import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import http from 'node:http';
import zlib from 'node:zlib';
import { createServer, type Logger, type PlinthServer } from '@plinth/node';

export interface LogEntry {
  level: 'error' | 'warn' | 'info' | 'debug';
  msg: string | undefined;
  obj: Record<string, unknown>;
}

/** A pino-compatible logger that keeps what it is told. */
export function capturingLogger(): Logger & { entries: LogEntry[]; errors(): LogEntry[] } {
  const entries: LogEntry[] = [];
  const log = (level: LogEntry['level']) => (obj: object, msg?: string) => {
    entries.push({ level, msg, obj: obj as Record<string, unknown> });
  };
  return {
    entries,
    errors: () => entries.filter((e) => e.level === 'error'),
    error: log('error'),
    warn: log('warn'),
    info: log('info'),
    debug: log('debug'),
  };
}

/** Starts a Plinth server on an ephemeral loopback port. */
export async function serve(
  interceptors: unknown[],
  options: { http2?: boolean } = {},
): Promise<{ server: PlinthServer; url: string; logger: ReturnType<typeof capturingLogger> }> {
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

/** Waits until `check` is true, polling; fails after `timeoutMs`. */
export async function waitFor(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const start = performance.now();
  while (!check()) {
    if (performance.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The bytes as they came over the wire (still compressed). */
  body: Buffer;
  error: Error | undefined;
}

/** A request with Node's http client; the body is not decoded. */
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

/** Decodes a whole body by its Content-Encoding. */
export function decode(body: Buffer, encoding: string | undefined): Buffer {
  switch (encoding) {
    case 'gzip':
      return zlib.gunzipSync(body);
    case 'deflate':
      return zlib.inflateSync(body);
    case 'br':
      return zlib.brotliDecompressSync(body);
    case undefined:
    case 'identity':
      return body;
    default:
      throw new Error(`unexpected encoding ${encoding}`);
  }
}

/** A streaming decoder for a Content-Encoding (flushes decode as they arrive). */
export function decoder(encoding: string): zlib.Gunzip | zlib.BrotliDecompress | zlib.Inflate {
  if (encoding === 'gzip') return zlib.createGunzip();
  if (encoding === 'br') return zlib.createBrotliDecompress();
  if (encoding === 'deflate') return zlib.createInflate();
  throw new Error(`unexpected encoding ${encoding}`);
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

/** A JSON value of about `bytes` bytes, repetitive as real API answers are. */
export function jsonOfSize(bytes: number): {
  items: { id: number; name: string; tags: string[] }[];
} {
  const items: { id: number; name: string; tags: string[] }[] = [];
  let size = 12;
  for (let id = 0; size < bytes; id++) {
    const item = {
      id,
      name: `item number ${id}`,
      tags: ['alpha', 'beta', id % 2 ? 'odd' : 'even'],
    };
    items.push(item);
    size += JSON.stringify(item).length + 1;
  }
  return { items };
}
