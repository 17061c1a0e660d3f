import {
  type BodySink,
  TEXT_PLAIN_UTF8,
  WRITEABLE_BODY,
  type WriteableBody,
} from '@plinth/writeable-body';
import { JSON_TYPE, sequenceBody } from './body';
import { BodyWriterError } from './errors';
import { checkChunk } from './internal/chunk';
import { describe } from './internal/describe';
import { serialiseElement, serialiseElementWith } from './internal/json';
import { isIterableLike } from './internal/kinds';
import { writeSequence } from './internal/sequence';

function checkSource(fn: string, source: unknown): void {
  if (
    source === null ||
    typeof source !== 'object' ||
    !isIterableLike(source) ||
    typeof source === 'string'
  ) {
    throw new BodyWriterError(
      'INVALID_ARGUMENT',
      `${fn}(source): source must be an Iterable or AsyncIterable, got ${describe(source)}`,
    );
  }
}

/**
 * Turns one element of a sequence into its JSON text, instead of `JSON.stringify`:
 * typically compiled once from a JSON Schema by `compileElementSchema`
 * (`@plinth/body-writer/schema`). It returns the JSON of that one element, without
 * separators; anything it throws, or a result that is not a string, fails that
 * element (`UNSERIALISABLE_ELEMENT`).
 */
export type ElementSerializer<T = unknown> = (element: T) => string;

/** Options of the sequence bodies {@link jsonArray} and {@link ndjson}. */
export interface SequenceOptions<T = unknown> {
  /**
   * Serialises each element instead of `JSON.stringify`, for example a serializer
   * compiled from a JSON Schema by `compileElementSchema`
   * (`@plinth/body-writer/schema`), which is faster for elements of a fixed shape.
   * An element it cannot serialise (it throws, or returns something other than a
   * string) fails the write with `UNSERIALISABLE_ELEMENT`: after the first element,
   * the adapter aborts the response, as for a producer that throws.
   * @default undefined (`JSON.stringify`, with its array rules)
   */
  serialize?: ElementSerializer<T> | undefined;
}

function serializerOf(fn: string, options: unknown): ElementSerializer<never> | undefined {
  if (options === undefined) return undefined;
  if (options === null || typeof options !== 'object') {
    throw new BodyWriterError(
      'INVALID_ARGUMENT',
      `${fn}(source, options): options must be an object, got ${describe(options)}`,
    );
  }
  const { serialize } = options as SequenceOptions<never>;
  if (serialize !== undefined && typeof serialize !== 'function') {
    throw new BodyWriterError(
      'INVALID_ARGUMENT',
      `${fn}(source, options): options.serialize must be a function, got ${describe(serialize)}`,
    );
  }
  return serialize;
}

function ndjsonLine(element: unknown, index: number): string {
  return `${serialiseElement(element, index)}\n`;
}

function textChunk(element: unknown): string | Uint8Array {
  return checkChunk(element, 'The text() source');
}

/**
 * A sequence as a JSON array (`application/json; charset=utf-8`): `[`, the elements
 * separated by commas, `]`, written as the elements come, with backpressure. Without
 * options it is what returning the iterable itself as the body does; the options
 * give the elements a serializer of their own (see {@link SequenceOptions}).
 *
 * @throws {BodyWriterError} `INVALID_ARGUMENT` when `source` is not an iterable or
 * `options.serialize` is not a function.
 * @example
 * ```ts
 * import { compileElementSchema } from '@plinth/body-writer/schema';
 *
 * const serialize = compileElementSchema({
 *   type: 'object',
 *   properties: { id: { type: 'integer' }, name: { type: 'string' } },
 *   required: ['id', 'name'],
 * });
 * const handler = () => ({ status: 200, body: jsonArray(rows(), { serialize }) });
 * ```
 */
export function jsonArray<T>(
  source: Iterable<T> | AsyncIterable<T>,
  options?: SequenceOptions<T>,
): WriteableBody {
  checkSource('jsonArray', source);
  const serialize = serializerOf('jsonArray', options);
  if (serialize === undefined) return sequenceBody(source);
  const encode = (element: unknown, index: number): string => {
    const json = serialiseElementWith(serialize, element, index);
    return index === 0 ? json : `,${json}`;
  };
  return {
    [WRITEABLE_BODY]: true,
    defaultContentType: () => JSON_TYPE,
    contentLength: () => undefined,
    writeBody: (sink: BodySink) => writeSequence(source, sink, encode, '[', ']'),
  };
}

/**
 * A sequence as newline-delimited JSON (`application/x-ndjson`): one JSON value and
 * a `\n` per element, written as the elements come, with backpressure. Elements
 * follow `JSON.stringify`'s array rules (`undefined` becomes `null`); one that
 * cannot be serialised (a bigint, a cycle) aborts the response. `options.serialize`
 * replaces `JSON.stringify` (see {@link SequenceOptions}).
 *
 * @throws {BodyWriterError} `INVALID_ARGUMENT` when `source` is not an iterable or
 * `options.serialize` is not a function.
 * @example
 * ```ts
 * async function* events() {
 *   yield { type: 'start' };
 *   yield { type: 'end' };
 * }
 * const handler = () => ({ status: 200, body: ndjson(events()) });
 * // {"type":"start"}\n{"type":"end"}\n
 * ```
 */
export function ndjson<T>(
  source: Iterable<T> | AsyncIterable<T>,
  options?: SequenceOptions<T>,
): WriteableBody {
  checkSource('ndjson', source);
  const serialize = serializerOf('ndjson', options);
  const encode =
    serialize === undefined
      ? ndjsonLine
      : (element: unknown, index: number): string =>
          `${serialiseElementWith(serialize, element, index)}\n`;
  return {
    [WRITEABLE_BODY]: true,
    defaultContentType: () => 'application/x-ndjson',
    contentLength: () => undefined,
    writeBody: (sink: BodySink) => writeSequence(source, sink, encode, undefined, undefined),
  };
}

/**
 * A sequence of strings or byte chunks as `text/plain; charset=utf-8`, one write per
 * element, nothing added between them.
 *
 * @example
 * ```ts
 * function* lines() {
 *   yield 'one\n';
 *   yield 'two\n';
 * }
 * const handler = () => ({ status: 200, body: text(lines()) });
 * ```
 */
export function text(
  source: Iterable<string | Uint8Array> | AsyncIterable<string | Uint8Array>,
): WriteableBody {
  checkSource('text', source);
  return {
    [WRITEABLE_BODY]: true,
    defaultContentType: () => TEXT_PLAIN_UTF8,
    contentLength: () => undefined,
    writeBody: (sink: BodySink) => writeSequence(source, sink, textChunk, undefined, undefined),
  };
}
