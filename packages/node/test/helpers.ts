import { spawn } from 'node:child_process';
import http from 'node:http';
import http2 from 'node:http2';
import { capturingLogger, type LogEntry } from '@plinth/test-support';
import { expect } from 'vitest';
import { createServer, type PlinthServer, type ServerOptions } from '../src/index';

export { capturingLogger, type LogEntry, openFds, waitFor } from '@plinth/test-support';

/** The protocols a behaviour is checked over. */
export const PROTOCOLS = [
  { name: 'HTTP/1.1', http2: false },
  { name: 'h2c', http2: true },
] as const;

/** Starts a server on an ephemeral loopback port with a capturing logger. */
export async function serve(
  interceptors: unknown[],
  options: ServerOptions = {},
): Promise<{ server: PlinthServer; url: string; logger: ReturnType<typeof capturingLogger> }> {
  const logger = capturingLogger();
  const server = createServer(interceptors as never, {
    port: 0,
    host: '127.0.0.1',
    logger,
    ...options,
  });
  const { url } = await server.start();
  return { server, url, logger };
}

export function expectNoErrorLogs(logger: { at(level: 'error'): LogEntry[] }): void {
  expect(logger.at('error').map((e) => e.msg)).toEqual([]);
}

/** Runs curl and resolves with its exit code and output. */
export function curl(
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('curl', args);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * A raw request (GET unless `method` says otherwise) whose response body is read to
 * the end or to an error; `onData` sees each chunk as it arrives.
 */
export function rawGet(
  url: string,
  h2: boolean,
  options: { method?: string; onData?: (chunk: Buffer) => void } = {},
): Promise<{
  status: number;
  body: Buffer;
  error: Error | undefined;
  headers: Record<string, unknown>;
}> {
  const method = options.method ?? 'GET';
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const collect = (chunk: Buffer) => {
      chunks.push(chunk);
      options.onData?.(chunk);
    };
    if (h2) {
      const { origin, pathname, search } = new URL(url);
      const session = http2.connect(origin);
      session.on('error', () => {});
      const stream = session.request({ ':path': pathname + search, ':method': method });
      let status = 0;
      let headers: Record<string, unknown> = {};
      stream.on('response', (h) => {
        status = Number(h[':status']);
        headers = h;
      });
      stream.on('data', collect);
      let error: Error | undefined;
      stream.on('error', (e) => {
        error = e;
      });
      stream.on('close', () => {
        session.close();
        resolve({
          status,
          headers,
          body: Buffer.concat(chunks),
          error:
            error ??
            (stream.rstCode !== http2.constants.NGHTTP2_NO_ERROR
              ? new Error(`stream reset ${stream.rstCode}`)
              : undefined),
        });
      });
      return;
    }
    const req = http.request(url, { method, agent: false }, (res) => {
      let error: Error | undefined;
      res.on('data', collect);
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
    });
    req.on('error', (e) =>
      resolve({ status: 0, headers: {}, body: Buffer.concat(chunks), error: e }),
    );
    req.end();
  });
}
