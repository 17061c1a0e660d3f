import { type FileHandle, open } from 'node:fs/promises';
import { basename } from 'node:path';
import { type BodySink, WRITEABLE_BODY, type WriteableBody } from '@plinth/writeable-body';
import { contentType as mimeContentType } from 'mime-types';
import { BodyWriterError } from './errors';
import { FILE_PATH } from './file-path';
import { describe } from './internal/describe';

/** Options of {@link file}. */
export interface FileOptions {
  /**
   * The Content-Type to report instead of the one found from the extension.
   * @default the type of the file's extension in the mime-types table (with
   * `charset=utf-8` for text types), else `application/octet-stream`
   */
  contentType?: string | undefined;
  /**
   * How many bytes to read from the file at a time. Large reads matter: on loopback,
   * 64 KiB reads cap throughput well below what 1 MiB reads reach (see the README's
   * benchmark).
   * @default 1048576 (1 MiB)
   */
  highWaterMark?: number | undefined;
}

/** The default read size of {@link file}: 1 MiB. */
export const DEFAULT_FILE_CHUNK: number = 1024 * 1024;

const NOT_FOUND = new Set(['ENOENT', 'ENOTDIR', 'EISDIR']);

/**
 * A file on disk as a response body (Pedestal's `java.io.File` body). Its
 * Content-Type comes from the extension; `prepare()` opens it and reads its length
 * with `fstat` before the headers go out; `writeBody` streams it in large reads and
 * closes the descriptor in every case (end, error, client gone); `release()` closes
 * it when the body is never written. A missing file (or a directory) fails in
 * `prepare()` with a {@link BodyWriterError} whose `status` is 404.
 *
 * One `file()` value serves one response at a time; once written or released it can
 * be prepared again.
 *
 * @example
 * ```ts
 * import { file } from '@plinth/body-writer';
 *
 * const handler = () => ({ status: 200, body: file('public/report.pdf') });
 * // Content-Type: application/pdf, Content-Length from fstat
 * ```
 */
export function file(path: string, options: FileOptions = {}): WriteableBody {
  if (typeof path !== 'string' || path === '') {
    throw new BodyWriterError(
      'INVALID_ARGUMENT',
      `file(path): path must be a non-empty string, got ${describe(path)}`,
    );
  }
  if (options === null || typeof options !== 'object') {
    throw new BodyWriterError(
      'INVALID_ARGUMENT',
      `file(path, options): options must be an object, got ${describe(options)}`,
    );
  }
  const chunkSize = options.highWaterMark ?? DEFAULT_FILE_CHUNK;
  if (!Number.isSafeInteger(chunkSize) || chunkSize < 1) {
    throw new BodyWriterError(
      'INVALID_ARGUMENT',
      `file(path, options): options.highWaterMark must be a positive integer, got ${describe(chunkSize)}`,
    );
  }
  if (options.contentType !== undefined && typeof options.contentType !== 'string') {
    throw new BodyWriterError(
      'INVALID_ARGUMENT',
      `file(path, options): options.contentType must be a string, got ${describe(options.contentType)}`,
    );
  }
  return new FileBody(path, options.contentType ?? contentTypeOf(path), chunkSize);
}

function contentTypeOf(path: string): string {
  return mimeContentType(basename(path)) || 'application/octet-stream';
}

function fileError(path: string, error: unknown): BodyWriterError {
  const code = (error as { code?: unknown } | null)?.code;
  // The message names the file by its base name only: with status 404 it is shown to
  // the client, and the server's directory layout is none of its business. The
  // cause (Node's error) carries the full path for the log.
  if (typeof code === 'string' && NOT_FOUND.has(code)) {
    return new BodyWriterError('FILE_NOT_FOUND', `File not found: ${basename(path)}`, {
      status: 404,
      cause: error,
    });
  }
  return new BodyWriterError(
    'FILE_ERROR',
    `Cannot read file ${basename(path)}: ${error instanceof Error ? error.message : String(error)}`,
    { cause: error },
  );
}

class FileBody implements WriteableBody {
  readonly [WRITEABLE_BODY] = true as const;
  /** For adapters with a native file path (see `filePathOf`). */
  readonly [FILE_PATH]: string;
  readonly #path: string;
  readonly #contentType: string;
  readonly #chunkSize: number;
  #handle: FileHandle | undefined;
  #length: number | undefined;

  constructor(path: string, contentType: string, chunkSize: number) {
    this.#path = path;
    this[FILE_PATH] = path;
    this.#contentType = contentType;
    this.#chunkSize = chunkSize;
  }

  defaultContentType(): string {
    return this.#contentType;
  }

  contentLength(): number | undefined {
    return this.#length;
  }

  async prepare(): Promise<void> {
    if (this.#handle !== undefined) return; // already prepared (idempotent)
    let handle: FileHandle;
    try {
      handle = await open(this.#path, 'r');
    } catch (error) {
      throw fileError(this.#path, error);
    }
    try {
      const stats = await handle.stat();
      if (stats.isDirectory()) {
        throw Object.assign(new Error(`EISDIR: illegal operation on a directory`), {
          code: 'EISDIR',
          path: this.#path,
        });
      }
      // Only a regular file has a length to announce; a FIFO or a device is read to its end.
      this.#length = stats.isFile() ? stats.size : undefined;
    } catch (error) {
      await handle.close().catch(() => {});
      throw fileError(this.#path, error);
    }
    this.#handle = handle;
  }

  release(): void {
    const handle = this.#handle;
    this.#handle = undefined;
    handle?.close().catch(() => {});
  }

  async writeBody(sink: BodySink): Promise<void> {
    if (this.#handle === undefined) await this.prepare();
    const handle = this.#handle!;
    const length = this.#length;
    this.#handle = undefined; // this write owns the descriptor now
    const signal = sink.signal;
    const chunkSize = this.#chunkSize;
    const path = this.#path;
    const read = async (position: number): Promise<Uint8Array | null> => {
      const want = length === undefined ? chunkSize : Math.min(chunkSize, length - position);
      if (want === 0) return null;
      // A fresh buffer per read: the sink may hold on to a chunk until the socket
      // took it, so a reused buffer would be overwritten under it.
      const buffer = Buffer.allocUnsafeSlow(want);
      let bytesRead: number;
      try {
        ({ bytesRead } = await handle.read(
          buffer,
          0,
          want,
          length === undefined ? null : position,
        ));
      } catch (error) {
        throw fileError(path, error);
      }
      if (bytesRead === 0) {
        if (length === undefined) return null;
        // Content-Length promised more: fail so the response is aborted, not ended short.
        throw new BodyWriterError(
          'FILE_CHANGED',
          `File ${basename(path)} shrank while it was sent: ${position} of ${length} bytes`,
        );
      }
      return bytesRead === want ? buffer : buffer.subarray(0, bytesRead);
    };
    // One read ahead: the next chunk is read from disk while the socket takes this one.
    let next: Promise<Uint8Array | null> | undefined;
    try {
      signal.throwIfAborted();
      let position = 0;
      next = read(0);
      for (;;) {
        const chunk = await next;
        next = undefined;
        if (signal.aborted) throw signal.reason;
        if (chunk === null) return;
        position += chunk.byteLength;
        next = read(position);
        // Settled in finally if we stop first; no unhandled rejection meanwhile.
        next.catch(() => {});
        const pending = sink.write(chunk);
        if (pending !== undefined) await pending;
        if (signal.aborted) throw signal.reason;
      }
    } finally {
      // No read may be in flight when the descriptor closes.
      if (next !== undefined) await next.catch(() => {});
      await handle.close().catch(() => {});
    }
  }
}
