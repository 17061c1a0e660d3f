import type { Readable } from 'node:stream';

/**
 * A Node `Readable`, or something shaped like one (a `readable-stream` copy). By
 * shape only, so that this module imports nothing from `node:` and the portable
 * entry runs where Node's built-ins do not exist (issue 20).
 * @internal
 */
export function isNodeReadable(value: object): value is Readable {
  const v = value as Partial<Readable>;
  return (
    typeof v.pipe === 'function' &&
    typeof v.on === 'function' &&
    typeof v.read === 'function' &&
    typeof v.destroy === 'function'
  );
}

/** A Web `ReadableStream` (from any realm or polyfill). @internal */
export function isWebReadableStream(value: object): value is ReadableStream<unknown> {
  if (typeof ReadableStream === 'function' && value instanceof ReadableStream) return true;
  const v = value as Partial<ReadableStream>;
  return typeof v.getReader === 'function' && typeof v.cancel === 'function';
}

/** A `Blob` or `File`. @internal */
export function isBlob(value: object): value is Blob {
  if (typeof Blob === 'function' && value instanceof Blob) return true;
  const v = value as Partial<Blob>;
  return (
    typeof v.stream === 'function' &&
    typeof v.size === 'number' &&
    typeof v.arrayBuffer === 'function' &&
    typeof v.type === 'string'
  );
}

/** Has `Symbol.iterator` or `Symbol.asyncIterator`. @internal */
export function isIterableLike(value: object): value is Iterable<unknown> | AsyncIterable<unknown> {
  return (
    typeof (value as Partial<Iterable<unknown>>)[Symbol.iterator] === 'function' ||
    typeof (value as Partial<AsyncIterable<unknown>>)[Symbol.asyncIterator] === 'function'
  );
}

/** Bytes of any binary type, as a `Uint8Array` view (no copy). @internal */
export function asBytes(value: object): Uint8Array | undefined {
  if (value instanceof Uint8Array) return value;
  if (ArrayBuffer.isView(value)) {
    return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  }
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (typeof SharedArrayBuffer === 'function' && value instanceof SharedArrayBuffer) {
    return new Uint8Array(value);
  }
  return undefined;
}
