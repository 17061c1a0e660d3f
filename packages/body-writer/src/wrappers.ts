import {
  type BodySink,
  TEXT_PLAIN_UTF8,
  WRITEABLE_BODY,
  type WriteableBody,
} from '@plinth/writeable-body';
import { BodyWriterError } from './errors';
import { checkChunk } from './internal/chunk';
import { describe } from './internal/describe';
import { serialiseElement } from './internal/json';
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

function ndjsonLine(element: unknown, index: number): string {
  return `${serialiseElement(element, index)}\n`;
}

function textChunk(element: unknown): string | Uint8Array {
  return checkChunk(element, 'The text() source');
}

/**
 * A sequence as newline-delimited JSON (`application/x-ndjson`): one JSON value and
 * a `\n` per element, written as the elements come, with backpressure. Elements
 * follow `JSON.stringify`'s array rules (`undefined` becomes `null`); one that
 * cannot be serialised (a bigint, a cycle) aborts the response.
 *
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
export function ndjson(source: Iterable<unknown> | AsyncIterable<unknown>): WriteableBody {
  checkSource('ndjson', source);
  return {
    [WRITEABLE_BODY]: true,
    defaultContentType: () => 'application/x-ndjson',
    contentLength: () => undefined,
    writeBody: (sink: BodySink) => writeSequence(source, sink, ndjsonLine, undefined, undefined),
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
