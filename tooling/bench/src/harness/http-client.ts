// Client side of the streaming scenarios: timed downloads over node:http.
import { request } from 'node:http';

/** One download's timing and bytes. @internal */
export interface Download {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** ms from sending the request to the first body byte, and to the last one. */
  ttfb: number;
  ttlb: number;
  bytes: number;
  /** The body, when `keep` was asked for. */
  chunks: Buffer[];
}

/**
 * GETs `path` on 127.0.0.1 over a fresh connection and reads the whole body,
 * keeping the chunks only when `keep` (so that checking happens after timing).
 * @internal
 */
export function download(
  port: number,
  path: string,
  keep: boolean,
  timeoutMs = 120_000,
): Promise<Download> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      const result: Download = {
        status: res.statusCode ?? 0,
        headers: res.headers,
        ttfb: Number.NaN,
        ttlb: Number.NaN,
        bytes: 0,
        chunks: [],
      };
      res.on('data', (chunk: Buffer) => {
        if (result.bytes === 0) result.ttfb = performance.now() - t0;
        result.bytes += chunk.length;
        if (keep) result.chunks.push(chunk);
      });
      res.on('end', () => {
        result.ttlb = performance.now() - t0;
        resolve(result);
      });
      res.on('error', reject);
      res.on('aborted', () =>
        reject(new Error(`GET ${path}: the response was aborted after ${result.bytes} bytes`)),
      );
    });
    req.setTimeout(timeoutMs, () =>
      req.destroy(new Error(`GET ${path}: no progress for ${timeoutMs} ms`)),
    );
    req.on('error', reject);
    req.end();
  });
}

/**
 * GETs `path` and closes the connection after `bytes` of body: a warm-up that runs
 * a server's streaming code without waiting for a whole large body.
 * @internal
 */
export function downloadPrefix(
  port: number,
  path: string,
  bytes: number,
  timeoutMs = 30_000,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let received = 0;
      const done = (): void => {
        req.destroy();
        resolve(received);
      };
      res.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received >= bytes) done();
      });
      res.on('end', done);
      res.on('error', () => resolve(received));
    });
    req.setTimeout(timeoutMs, () =>
      req.destroy(new Error(`GET ${path}: no progress for ${timeoutMs} ms`)),
    );
    req.on('error', reject);
    req.end();
  });
}
