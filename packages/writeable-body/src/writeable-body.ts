import type { BodySink } from './body-sink';

/**
 * The brand that marks a {@link WriteableBody}: a string-keyed property, so that the
 * type is structural. A `unique symbol` is a different type in every declaration
 * file that declares it, so the `.d.mts` and the `.d.cts` of this package, or two
 * copies of it in one install, would each have their own `WriteableBody` that the
 * others do not accept (TS2741). A string literal is the same type wherever it is
 * declared, as the Standard Schema spec's `'~standard'` property is. The `~` sorts
 * it after the members a user means to call in an editor's completion list.
 *
 * A plain JSON object is still never taken for a body: `JSON.parse` can make the
 * brand but never the `writeBody` function {@link isWriteableBody} also requires.
 */
export const WRITEABLE_BODY: '~plinth.writeableBody' = '~plinth.writeableBody';

/**
 * The brand of the 0.1 releases, still recognised at run time by
 * {@link isWriteableBody} so that a body made by such a copy is written as a body.
 */
const LEGACY_BRAND: symbol = Symbol.for('plinth.writeable-body');

/**
 * A response body that knows how to write itself to the client: Pedestal's
 * `WriteableBody` protocol as an interface. Implement it for a type of your own
 * (or build one with {@link writeableBody}) and every Plinth adapter can send it.
 */
export interface WriteableBody {
  /**
   * The brand, `'~plinth.writeableBody': true` on every writeable body; see
   * {@link WRITEABLE_BODY}.
   */
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
 * `writeBody` method. Works across copies and versions of this package, including
 * the 0.1 releases, whose brand was the symbol `Symbol.for('plinth.writeable-body')`.
 */
export function isWriteableBody(value: unknown): value is WriteableBody {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return false;
  const candidate = value as Record<PropertyKey, unknown>;
  return (
    (candidate[WRITEABLE_BODY] === true || candidate[LEGACY_BRAND] === true) &&
    typeof candidate.writeBody === 'function'
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
