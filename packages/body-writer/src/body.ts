import {
  type BodySink,
  isThenable,
  isWriteableBody,
  TEXT_PLAIN_UTF8,
  WRITEABLE_BODY,
  type WriteableBody,
} from '@plinth/writeable-body';
import { BodyWriterError } from './errors';
import { describe } from './internal/describe';
import { jsonArrayElement, serialiseBody } from './internal/json';
import {
  asBytes,
  isBlob,
  isIterableLike,
  isNodeReadable,
  isWebReadableStream,
} from './internal/kinds';
import { writeSequence } from './internal/sequence';
import { writeNodeReadable, writeWebStream } from './internal/streams';
import { utf8Length } from './internal/utf8';
import { type BodyWriterExtension, findExtension, registry } from './registry';

/** `application/json; charset=utf-8`: JSON values and lazy sequences. @internal */
export const JSON_TYPE: string = 'application/json; charset=utf-8';
/** `application/octet-stream`: bytes, functions, streams. @internal */
export const OCTET_TYPE: string = 'application/octet-stream';

function fixed(
  contentType: string | undefined,
  length: number | undefined,
  writeBody: (sink: BodySink) => void | Promise<void>,
): WriteableBody {
  return {
    [WRITEABLE_BODY]: true,
    defaultContentType: () => contentType,
    contentLength: () => length,
    writeBody,
  };
}

function unsupported(body: unknown, why: string): BodyWriterError {
  return new BodyWriterError('UNSUPPORTED_BODY', `Unsupported body: ${describe(body)}; ${why}`);
}

function stringBody(value: string, contentType: string): WriteableBody {
  return fixed(contentType, utf8Length(value), (sink) => {
    sink.write(value);
  });
}

function bytesBody(bytes: Uint8Array): WriteableBody {
  return fixed(OCTET_TYPE, bytes.byteLength, (sink) => {
    sink.write(bytes);
  });
}

/**
 * The JSON array of a lazy sequence: `[`, the elements separated by commas, `]`.
 * @internal
 */
export function sequenceBody(source: Iterable<unknown> | AsyncIterable<unknown>): WriteableBody {
  return fixed(JSON_TYPE, undefined, (sink) =>
    writeSequence(source, sink, jsonArrayElement, '[', ']'),
  );
}

function extensionBody(value: unknown, extension: BodyWriterExtension<any>): WriteableBody {
  const { contentType, length, write } = extension;
  const type = typeof contentType === 'function' ? contentType(value) : contentType;
  if (type !== undefined && typeof type !== 'string') {
    throw unsupported(value, `its registered contentType returned ${describe(type)}, not a string`);
  }
  const size = length?.(value);
  if (size !== undefined && !(Number.isSafeInteger(size) && size >= 0)) {
    throw unsupported(
      value,
      `its registered length returned ${describe(size)}, not a non-negative integer`,
    );
  }
  return fixed(type, size, (sink) => write(value, sink));
}

/**
 * Normalises any supported body to a `WriteableBody` (see the body table in the
 * README), or `undefined` for `null`/`undefined` (no body). JSON values are
 * serialised here, once, so their length is known and a value that cannot be
 * serialised fails now, before anything is written.
 *
 * Order: a `WriteableBody` (by its `WRITEABLE_BODY` brand) is itself; then the registry
 * ({@link extendBodyWriter}, newest first); then the built-in rules.
 *
 * @throws {BodyWriterError} code `UNSUPPORTED_BODY`, naming the type, for a symbol,
 * a bigint, a non-finite number, a promise, or a value that cannot be serialised as
 * JSON (a cycle, a bigint inside).
 *
 * @example
 * ```ts
 * const body = toWriteableBody({ hello: 'world' })!;
 * body.defaultContentType(); // 'application/json; charset=utf-8'
 * body.contentLength(); // 17
 * ```
 */
export function toWriteableBody(body: unknown): WriteableBody | undefined {
  if (body === null || body === undefined) return undefined;
  if (typeof body === 'object' || typeof body === 'function') {
    if (isWriteableBody(body)) return body;
  }
  if (registry.length !== 0) {
    const extension = findExtension(body);
    if (extension !== undefined) return extensionBody(body, extension);
  }
  switch (typeof body) {
    case 'string':
      return stringBody(body, TEXT_PLAIN_UTF8);
    case 'number':
      if (!Number.isFinite(body)) {
        throw unsupported(body, 'JSON has no NaN or Infinity');
      }
      return stringBody(String(body), JSON_TYPE);
    case 'boolean':
      return stringBody(body ? 'true' : 'false', JSON_TYPE);
    case 'bigint':
      throw unsupported(body, 'JSON has no bigint: convert it to a string or a number first');
    case 'symbol':
      throw unsupported(body, 'a symbol cannot be sent');
    case 'function': {
      const fn = body as (sink: BodySink) => void | Promise<void>;
      return fixed(OCTET_TYPE, undefined, (sink) => fn(sink));
    }
    default:
      return objectBody(body as object);
  }
}

function objectBody(body: object): WriteableBody {
  const bytes = asBytes(body);
  if (bytes !== undefined) return bytesBody(bytes);
  if (Array.isArray(body)) return stringBody(serialiseBody(body), JSON_TYPE);
  if (isNodeReadable(body)) {
    return fixed(OCTET_TYPE, undefined, (sink) => writeNodeReadable(body, sink));
  }
  if (isWebReadableStream(body)) {
    return fixed(OCTET_TYPE, undefined, (sink) => writeWebStream(body, sink));
  }
  if (isBlob(body)) {
    return fixed(body.type || OCTET_TYPE, body.size, (sink) =>
      writeWebStream(body.stream() as ReadableStream<unknown>, sink),
    );
  }
  if (isThenable(body)) {
    throw unsupported(body, 'a promise is not a body: await it first');
  }
  if (isIterableLike(body)) return sequenceBody(body);
  return stringBody(serialiseBody(body), JSON_TYPE);
}

/**
 * The Content-Type a body gets when the response sets none, or `undefined` (no
 * body, or a registered type with none).
 *
 * @throws {BodyWriterError} as {@link toWriteableBody} does.
 * @example
 * ```ts
 * defaultContentType('hi'); // 'text/plain; charset=utf-8'
 * defaultContentType(new Uint8Array(2)); // 'application/octet-stream'
 * ```
 */
export function defaultContentType(body: unknown): string | undefined {
  return toWriteableBody(body)?.defaultContentType();
}

/**
 * The length of a body in bytes when it is known before writing, else `undefined`.
 * For a `file()` body the length is known only after its `prepare()`; call
 * {@link toWriteableBody} once, `prepare()` it, and ask the body itself.
 *
 * @throws {BodyWriterError} as {@link toWriteableBody} does.
 * @example
 * ```ts
 * contentLength('héllo'); // 6
 * contentLength((function* () {})()); // undefined
 * ```
 */
export function contentLength(body: unknown): number | undefined {
  return toWriteableBody(body)?.contentLength();
}

/**
 * Writes any supported body to a sink: normalises it ({@link toWriteableBody}),
 * calls its `prepare()` if it has one, then its `writeBody(sink)`. Returns
 * `undefined` when the body was written synchronously (a string, bytes, JSON, no
 * body) and otherwise a promise that resolves when the body is written, or rejects:
 * with the producer's error, or with `sink.signal.reason` when the signal aborted.
 * A function body may call it to write other bodies into its sink.
 *
 * @throws {BodyWriterError} synchronously, as {@link toWriteableBody} does.
 * @example
 * ```ts
 * const body = async (sink: BodySink) => {
 *   await writeBodyToStream('header\n', sink);
 *   await writeBodyToStream(ndjson(rows()), sink);
 * };
 * ```
 */
export function writeBodyToStream(body: unknown, sink: BodySink): undefined | Promise<void> {
  const writeable = toWriteableBody(body);
  if (writeable === undefined) return undefined;
  if (typeof writeable.prepare === 'function') {
    const prepared = writeable.prepare();
    if (prepared !== undefined && isThenable(prepared)) {
      return (prepared as Promise<void>).then(() => writeable.writeBody(sink));
    }
  }
  const written = writeable.writeBody(sink);
  return written !== undefined && isThenable(written) ? (written as Promise<void>) : undefined;
}
