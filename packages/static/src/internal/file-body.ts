import type { FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';
import { type BodySink, WRITEABLE_BODY, type WriteableBody } from '@plinth/writeable-body';
import { StaticError } from '../errors';
import type { Part } from './ranges';

/**
 * Parts of an open file (one range, the whole file, or a multipart layout) as a
 * response body. It owns the descriptor from the moment it is built: `writeBody`
 * closes it in every case (end, error, client gone), `release()` closes it when the
 * body is never written (the adapter calls exactly one of them). Reads are large,
 * one read ahead of the socket, into fresh buffers (the sink may keep a chunk until
 * the socket took it). A file that ends early fails with `FILE_CHANGED`, so the
 * response is aborted rather than ended short.
 *
 * @internal
 */
export function filePartsBody(
  handle: FileHandle,
  path: string,
  parts: readonly Part[],
  length: number,
  contentType: string,
  chunkSize: number,
): WriteableBody {
  return new FilePartsBody(handle, path, parts, length, contentType, chunkSize);
}

class FilePartsBody implements WriteableBody {
  readonly [WRITEABLE_BODY] = true as const;
  #handle: FileHandle | undefined;
  readonly #path: string;
  readonly #parts: readonly Part[];
  readonly #length: number;
  readonly #contentType: string;
  readonly #chunkSize: number;

  constructor(
    handle: FileHandle,
    path: string,
    parts: readonly Part[],
    length: number,
    contentType: string,
    chunkSize: number,
  ) {
    this.#handle = handle;
    this.#path = path;
    this.#parts = parts;
    this.#length = length;
    this.#contentType = contentType;
    this.#chunkSize = chunkSize;
  }

  defaultContentType(): string {
    return this.#contentType;
  }

  contentLength(): number {
    return this.#length;
  }

  release(): void {
    const handle = this.#handle;
    this.#handle = undefined;
    handle?.close().catch(() => {});
  }

  async writeBody(sink: BodySink): Promise<void> {
    const handle = this.#handle;
    if (handle === undefined) {
      throw new StaticError('FILE_ERROR', 'this file body was already written or released');
    }
    this.#handle = undefined; // this write owns the descriptor now
    const signal = sink.signal;
    const steps = chunks(this.#parts, this.#chunkSize);
    const path = this.#path;
    const next = (): Promise<Uint8Array> | undefined => {
      const step = steps.next();
      if (step.done) return undefined;
      const value = step.value;
      if (value instanceof Uint8Array) return Promise.resolve(value);
      const pending = readExactly(handle, path, value[0], value[1]);
      pending.catch(() => {}); // awaited below, or settled in finally
      return pending;
    };
    let ahead: Promise<Uint8Array> | undefined;
    try {
      signal.throwIfAborted();
      ahead = next();
      while (ahead !== undefined) {
        const chunk = await ahead;
        if (signal.aborted) throw signal.reason;
        // Read the next chunk while the socket takes this one.
        ahead = next();
        const pending = sink.write(chunk);
        if (pending !== undefined) await pending;
        if (signal.aborted) throw signal.reason;
      }
    } finally {
      // No read may be in flight when the descriptor closes.
      if (ahead !== undefined) await ahead.catch(() => {});
      // Not awaited: the response may end while the descriptor closes.
      handle.close().catch(() => {});
    }
  }
}

/** Splits the parts into literal chunks and `[position, length]` reads. */
function* chunks(
  parts: readonly Part[],
  chunkSize: number,
): Generator<Uint8Array | readonly [number, number]> {
  for (const part of parts) {
    if (part instanceof Uint8Array) {
      yield part;
      continue;
    }
    for (let position = part.start; position <= part.end; position += chunkSize) {
      yield [position, Math.min(chunkSize, part.end - position + 1)];
    }
  }
}

async function readExactly(
  handle: FileHandle,
  path: string,
  position: number,
  length: number,
): Promise<Uint8Array> {
  const buffer = Buffer.allocUnsafeSlow(length);
  let filled = 0;
  while (filled < length) {
    let bytesRead: number;
    try {
      ({ bytesRead } = await handle.read(buffer, filled, length - filled, position + filled));
    } catch (error) {
      throw new StaticError(
        'FILE_ERROR',
        `Cannot read ${basename(path)}: ${(error as Error).message}`,
        { cause: error },
      );
    }
    if (bytesRead === 0) {
      // Content-Length promised more: fail so the response is aborted, not ended short.
      throw new StaticError(
        'FILE_CHANGED',
        `${basename(path)} shrank while it was sent: no byte at ${position + filled}`,
      );
    }
    filled += bytesRead;
  }
  return buffer;
}
