import zlib from 'node:zlib';
import { createServer, type PlinthServer } from '@plinth/node';
import { type CapturingLogger, startServer } from '@plinth/test-support';

export {
  type CapturingLogger,
  capturingLogger,
  curl,
  openFds,
  type RawResponse,
  request,
  waitFor,
} from '@plinth/test-support';

/** Starts a Plinth server on an ephemeral loopback port with a capturing logger. */
export function serve(
  interceptors: unknown[],
  options: { http2?: boolean } = {},
): Promise<{ server: PlinthServer; url: string; logger: CapturingLogger }> {
  return startServer(createServer, interceptors, options);
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
