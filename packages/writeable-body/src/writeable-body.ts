import type { BodySink } from './body-sink';

/**
 * The brand that marks a {@link WriteableBody}. Registered with `Symbol.for` so that
 * two copies of this package in one install agree on it, and so that a plain JSON
 * object (which cannot carry a symbol key) is never taken for a body.
 */
export const WRITEABLE_BODY: unique symbol = Symbol.for('plinth.writeable-body') as never;

/**
 * A response body that knows how to write itself to the client: Pedestal's
 * `WriteableBody` protocol as an interface. Implement it for a type of your own
 * (or build one with {@link writeableBody}) and every Plinth adapter can send it.
 */
export interface WriteableBody {
  /** The brand; `true` on every writeable body. */
  readonly [WRITEABLE_BODY]: true;
  /**
   * The Content-Type used when the response sets none, or `undefined` for none.
   */
  defaultContentType(): string | undefined;
  /** The exact length in bytes when it is known before writing, else `undefined`. */
  contentLength(): number | undefined;
  /**
   * Writes the body to the sink. May return a promise; the response ends when it
   * settles. A rejection after bytes were sent aborts the response, so the client
   * can tell that it is incomplete.
   */
  writeBody(sink: BodySink): void | Promise<void>;
  /**
   * Optional: called once before the headers are sent, so the body can learn what
   * it must report (a file's length from `stat`) and acquire what it writes from (an
   * open descriptor). A rejection happens before anything is sent, so the adapter
   * can still answer with an error status. After `prepare`, the adapter calls
   * exactly one of {@link WriteableBody.writeBody} or {@link WriteableBody.release}.
   */
  prepare?(): void | Promise<void>;
  /**
   * Optional: called instead of `writeBody` when a prepared body will not be written
   * (HEAD, 204/304, an error before the body). Frees what `prepare` acquired.
   */
  release?(): void;
}

/** The parts a {@link writeableBody} is made of. */
export interface WriteableBodySpec {
  /**
   * The default Content-Type.
   * @default undefined (none)
   */
  contentType?: string | undefined;
  /**
   * The length in bytes, when known.
   * @default undefined (unknown: the response is chunked)
   */
  length?: number | undefined;
  /** Writes the body; see {@link WriteableBody.writeBody}. */
  write: (sink: BodySink) => void | Promise<void>;
}

/**
 * Builds a {@link WriteableBody} from its parts.
 *
 * @example
 * ```ts
 * const csv = writeableBody({
 *   contentType: 'text/csv; charset=utf-8',
 *   async write(sink) {
 *     for await (const row of rows()) await sink.write(`${row.join(',')}\n`);
 *   },
 * });
 * ```
 */
export function writeableBody(spec: WriteableBodySpec): WriteableBody {
  if (spec === null || typeof spec !== 'object') {
    throw new TypeError(`writeableBody(spec): spec must be an object, got ${describe(spec)}`);
  }
  if (typeof spec.write !== 'function') {
    throw new TypeError(
      `writeableBody(spec): spec.write must be a function, got ${describe(spec.write)}`,
    );
  }
  const { contentType, length, write } = spec;
  if (length !== undefined && !(Number.isSafeInteger(length) && length >= 0)) {
    throw new TypeError(
      `writeableBody(spec): spec.length must be a non-negative integer, got ${String(length)}`,
    );
  }
  return {
    [WRITEABLE_BODY]: true,
    defaultContentType: () => contentType,
    contentLength: () => length,
    writeBody: write,
  };
}

/**
 * Tells whether a value is a {@link WriteableBody}: it carries the brand and a
 * `writeBody` method. Works across copies of this package.
 */
export function isWriteableBody(value: unknown): value is WriteableBody {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    (value as Partial<WriteableBody>)[WRITEABLE_BODY] === true &&
    typeof (value as Partial<WriteableBody>).writeBody === 'function'
  );
}

/** @internal */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'object')
    return `an object (${value.constructor?.name ?? 'null prototype'})`;
  return `${typeof value} ${String(value)}`;
}
