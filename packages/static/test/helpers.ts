import { mkdir, mkdtemp, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
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
