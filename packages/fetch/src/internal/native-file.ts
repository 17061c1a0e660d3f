import { BodyWriterError, filePathOf } from '@plinth/body-writer/portable';
import type { WriteableBody } from '@plinth/writeable-body';
import { discardBody as discard } from '@plinth/writeable-body';
import type { FetchExchange } from '../exchange';
import { outgoingHeaders } from './headers';

// A file() body sent the runtime's own way where it has one (issue 20): Bun.file
// (Bun sends it with sendfile), Deno.open's stream. Elsewhere (Node, workers) a
// file() body writes itself like any body (on Node through node:fs; a worker has no
// file system, and file() lives in the entry that needs node:fs).

interface BunFile {
  exists(): Promise<boolean>;
  readonly size: number;
}
interface BunGlobal {
  file(path: string): BunFile;
}
interface DenoFile {
  stat(): Promise<{ isFile: boolean; isDirectory: boolean; size: number }>;
  readonly readable: ReadableStream<Uint8Array>;
  close(): void;
}
interface DenoGlobal {
  open(path: string): Promise<DenoFile>;
  errors: { NotFound: new () => Error };
}

const runtime = globalThis as { Bun?: BunGlobal; Deno?: DenoGlobal };

function basename(path: string): string {
  const slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return slash === -1 ? path : path.slice(slash + 1);
}

function notFound(path: string, cause?: unknown): BodyWriterError {
  // The base name only, as body-writer's file() says it: the message is shown to the client.
  return new BodyWriterError('FILE_NOT_FOUND', `File not found: ${basename(path)}`, {
    status: 404,
    cause,
  });
}

async function sendBunFile(
  bun: BunGlobal,
  exchange: FetchExchange,
  status: number,
  headers: unknown,
  body: WriteableBody,
  path: string,
): Promise<void> {
  const file = bun.file(path);
  let size: number;
  try {
    if (!(await file.exists())) throw notFound(path);
    size = file.size;
  } catch (error) {
    throw BodyWriterError.isError(error) ? error : notFound(path, error);
  }
  send(exchange, status, headers, body, size, file as unknown as BodyInit, undefined);
}

async function sendDenoFile(
  deno: DenoGlobal,
  exchange: FetchExchange,
  status: number,
  headers: unknown,
  body: WriteableBody,
  path: string,
): Promise<void> {
  let file: DenoFile;
  try {
    file = await deno.open(path);
  } catch (error) {
    throw notFound(path, error);
  }
  let size: number | undefined;
  try {
    const info = await file.stat();
    if (info.isDirectory) throw notFound(path);
    size = info.isFile ? info.size : undefined;
  } catch (error) {
    file.close();
    throw BodyWriterError.isError(error) ? error : notFound(path, error);
  }
  send(exchange, status, headers, body, size, file.readable, () => file.close());
}

function send(
  exchange: FetchExchange,
  status: number,
  headers: unknown,
  body: WriteableBody,
  size: number | undefined,
  native: BodyInit,
  close: (() => void) | undefined,
): void {
  if (exchange.reason !== undefined || exchange.phase !== 'idle') {
    close?.();
    return;
  }
  const withBody = exchange.request.method !== 'HEAD' && status !== 204 && status !== 304;
  // What the headers need of the body: its type, and the length the runtime read.
  const sized = {
    defaultContentType: () => body.defaultContentType(),
    contentLength: () => size,
  } as WriteableBody;
  const noContent = status === 204 || status === 304;
  try {
    exchange.headers = outgoingHeaders(headers, noContent ? undefined : sized, !noContent);
  } catch (error) {
    close?.();
    throw error;
  }
  exchange.status = status;
  exchange.phase = 'ended';
  if (!withBody) {
    close?.();
    exchange.commitEmpty();
    return;
  }
  exchange.commitNative(native);
}

/**
 * Sends a `file()` body natively on Bun and Deno; `undefined` elsewhere, or for any
 * other body, and the body is written as usual.
 * @internal
 */
export function nativeFile(
  exchange: FetchExchange,
  status: number,
  headers: unknown,
  body: WriteableBody,
): Promise<void> | undefined {
  const path = filePathOf(body);
  if (path === undefined) return undefined;
  const bun = runtime.Bun;
  const deno = runtime.Deno;
  if (bun === undefined && deno === undefined) return undefined;
  // The native path reads the file itself: the portable body is never prepared.
  discard(undefined, body);
  return bun !== undefined
    ? sendBunFile(bun, exchange, status, headers, body, path)
    : sendDenoFile(deno!, exchange, status, headers, body, path);
}
