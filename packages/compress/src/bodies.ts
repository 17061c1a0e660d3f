import type { Transform } from 'node:stream';
import { type BodySink, isThenable, type WriteableBody } from '@plinth/writeable-body';
import { BLOCK_BYTES, CompressingSink } from './compressing-sink';

/**
 * A response body written through a compressing sink: the body of a Ring response
 * the interceptor compresses on `leave`. Its length is unknown (the response is
 * chunked, or framed by HTTP/2), its content type is the inner body's, and
 * `prepare`/`release` are the inner body's.
 * @internal
 */
export class CompressedBody implements WriteableBody {
  readonly '~plinth.writeableBody': true = true;
  private readonly inner: WriteableBody;
  private readonly original: unknown;
  private readonly create: () => Transform;
  private readonly blockBytes: number;

  /** `original` is what the application set as the body, `inner` what it became. */
  constructor(inner: WriteableBody, original: unknown, create: () => Transform) {
    this.inner = inner;
    this.original = original;
    this.create = create;
    const length = inner.contentLength();
    this.blockBytes =
      length === undefined ? BLOCK_BYTES : Math.min(Math.max(length + 1, BLOCK_BYTES), 1024 * 1024);
  }

  defaultContentType(): string | undefined {
    return this.inner.defaultContentType();
  }

  contentLength(): number | undefined {
    return undefined;
  }

  prepare(): void | Promise<void> {
    return this.inner.prepare?.();
  }

  release(): void {
    this.inner.release?.();
    giveUp(this.original);
  }

  async writeBody(sink: BodySink): Promise<void> {
    const compressing = new CompressingSink(sink, this.create(), this.blockBytes);
    try {
      const written = this.inner.writeBody(compressing);
      if (isThenable(written)) await written;
    } catch (error) {
      compressing.fail(error);
      throw error;
    }
    await compressing.finish();
  }
}

/**
 * A stream the application opened and that will not be written is destroyed (or
 * cancelled), as the adapter does with a body it gives up: an fs.ReadStream holds a
 * descriptor.
 */
function giveUp(original: unknown): void {
  if (original === null || typeof original !== 'object') return;
  try {
    const stream = original as { destroy?: unknown; cancel?: unknown; locked?: unknown };
    if (typeof stream.destroy === 'function') (stream.destroy as () => void).call(original);
    else if (typeof stream.cancel === 'function' && stream.locked === false) {
      (stream.cancel as () => Promise<void>).call(original).catch(() => {});
    }
  } catch {
    // Best effort: the response goes out without the body either way.
  }
}

/**
 * The one zlib stream of a low-level response (`writeResponse` then
 * `writeResponseBody`s then `endResponse`), made at its first write.
 * @internal
 */
export class LowLevelStream {
  private sink: CompressingSink | undefined = undefined;
  private readonly create: () => Transform;

  constructor(create: () => Transform) {
    this.create = create;
  }

  sinkFor(target: BodySink): CompressingSink {
    if (this.sink === undefined) this.sink = new CompressingSink(target, this.create());
    else this.sink.target = target;
    return this.sink;
  }

  destroy(reason: unknown): void {
    this.sink?.fail(reason);
  }
}

/**
 * One body of a low-level response, written into the response's zlib stream and
 * ended with a flush point: each `writeResponseBody` (an SSE channel's event, too,
 * through its own flushes) reaches the client decodable at once.
 * @internal
 */
export class CompressedPart implements WriteableBody {
  readonly '~plinth.writeableBody': true = true;
  private readonly inner: WriteableBody | undefined;
  private readonly stream: LowLevelStream;

  /** `inner` undefined: the part that ends the zlib stream. */
  constructor(inner: WriteableBody | undefined, stream: LowLevelStream) {
    this.inner = inner;
    this.stream = stream;
  }

  defaultContentType(): string | undefined {
    return this.inner?.defaultContentType();
  }

  contentLength(): number | undefined {
    return undefined;
  }

  prepare(): void | Promise<void> {
    return this.inner?.prepare?.();
  }

  release(): void {
    this.inner?.release?.();
  }

  async writeBody(sink: BodySink): Promise<void> {
    const compressing = this.stream.sinkFor(sink);
    if (this.inner === undefined) {
      await compressing.finish();
      return;
    }
    try {
      const written = this.inner.writeBody(compressing);
      if (isThenable(written)) await written;
    } catch (error) {
      compressing.fail(error);
      throw error;
    }
    await compressing.idle();
  }
}
