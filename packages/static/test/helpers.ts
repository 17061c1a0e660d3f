import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
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

/** A fixed modification time for fixtures: deterministic Last-Modified, a strong date. */
export const MTIME: Date = new Date('2024-03-01T12:00:00.000Z');
export const MTIME_HTTP: string = MTIME.toUTCString();

/** Bytes 0..n-1 of a recognisable pattern (byte i is i mod 251). */
export function pattern(n: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = i % 251;
  return b;
}

/** A temporary directory of files (path → content), all with mtime MTIME. */
export async function fixtureDir(files: Record<string, string | Uint8Array>): Promise<{
  dir: string;
  root: string;
  cleanup(): Promise<void>;
}> {
  const dir = await mkdtemp(join(tmpdir(), 'plinth-static-'));
  const root = join(dir, 'root');
  await mkdir(root);
  for (const [name, content] of Object.entries(files)) {
    const path = join(name.startsWith('../') ? dir : root, name.replace(/^\.\.\//, ''));
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, content);
    await utimes(path, MTIME, MTIME);
  }
  return { dir, root, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export { symlink };

/** Open file descriptors of this process (Linux). */
export function openFds(): number {
  return readdirSync('/proc/self/fd').length;
}

/** Waits until `check` is true, polling each event-loop turn; fails after `timeoutMs`. */
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
  body: Buffer;
  /** Set when the response did not complete (aborted, reset). */
  error: Error | undefined;
}

/**
 * A request with Node's http client, sending the path exactly as given (no
 * normalisation of dot segments or escapes, unlike fetch and curl by default).
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

/** Splits a multipart/byteranges body into its parts' headers and bytes. */
export function parseMultipart(
  body: Buffer,
  contentType: string,
): { headers: Record<string, string>; data: Buffer }[] {
  const boundary = /boundary=([^;]+)/.exec(contentType)?.[1];
  if (boundary === undefined) throw new Error(`no boundary in ${contentType}`);
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: { headers: Record<string, string>; data: Buffer }[] = [];
  let at = body.indexOf(delimiter);
  if (at !== 0 && at !== 2) throw new Error('body does not start with the boundary');
  for (;;) {
    at += delimiter.length;
    if (body.subarray(at, at + 2).toString() === '--') {
      if (body.subarray(at).toString() !== '--\r\n')
        throw new Error('bytes after the close delimiter');
      return parts;
    }
    const headEnd = body.indexOf('\r\n\r\n', at);
    const head = body.subarray(at + 2, headEnd).toString('latin1');
    const headers: Record<string, string> = {};
    for (const line of head.split('\r\n')) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
    }
    const next = body.indexOf(Buffer.from(`\r\n--${boundary}`), headEnd + 4);
    if (next === -1) throw new Error('unterminated part');
    parts.push({ headers, data: body.subarray(headEnd + 4, next) });
    at = next + 2;
  }
}
