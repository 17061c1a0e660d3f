import { BodyWriterError } from '../errors';
import { describe } from './describe';

/**
 * Why `JSON.stringify` refused a value, in words that name the culprit.
 * @internal
 */
export function jsonFailure(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/bigint/i.test(message)) {
    return 'it contains a bigint (JSON has no bigint: convert it to a string or a number first)';
  }
  if (/circular/i.test(message)) {
    return `it is cyclic (${message.split('\n').join(' ').replace(/\s+/g, ' ')})`;
  }
  return message;
}

/**
 * Serialises a whole JSON body once, turning `JSON.stringify`'s `TypeError`s into a
 * {@link BodyWriterError} that names the value.
 * @internal
 */
export function serialiseBody(body: unknown): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(body);
  } catch (error) {
    throw new BodyWriterError(
      'UNSUPPORTED_BODY',
      `Unsupported body: ${describe(body)} cannot be serialised as JSON: ${jsonFailure(error)}`,
      { cause: error },
    );
  }
  if (json === undefined) {
    throw new BodyWriterError(
      'UNSUPPORTED_BODY',
      `Unsupported body: ${describe(body)} serialises to nothing in JSON (its toJSON returned undefined, a function or a symbol)`,
    );
  }
  return json;
}

/**
 * Serialises one element of a lazy sequence. Follows `JSON.stringify`'s array
 * semantics: `undefined`, functions and symbols become `null`.
 * @internal
 */
export function serialiseElement(element: unknown, index: number): string {
  // A number is written as JSON.stringify writes it (the number's own string, and
  // null for NaN and the infinities), without the fixed cost of a JSON.stringify
  // call: on Node 20 that call is most of what a numeric element costs (issue 22).
  if (typeof element === 'number') return Number.isFinite(element) ? `${element}` : 'null';
  let json: string | undefined;
  try {
    json = JSON.stringify(element);
  } catch (error) {
    throw new BodyWriterError(
      'UNSERIALISABLE_ELEMENT',
      `Element ${index} of the sequence, ${describe(element)}, cannot be serialised as JSON: ${jsonFailure(error)}`,
      { cause: error },
    );
  }
  return json === undefined ? 'null' : json;
}

/**
 * Serialises one element with a sequence's own `serialize` function (a compiled
 * schema, or the application's): what it throws, or a result that is not a string,
 * fails the element as `JSON.stringify`'s errors do.
 * @internal
 */
export function serialiseElementWith(
  serialize: (element: never) => unknown,
  element: unknown,
  index: number,
): string {
  let json: unknown;
  try {
    json = serialize(element as never);
  } catch (error) {
    throw new BodyWriterError(
      'UNSERIALISABLE_ELEMENT',
      `Element ${index} of the sequence, ${describe(element)}, cannot be serialised by the sequence's serialize function: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  if (typeof json !== 'string') {
    throw new BodyWriterError(
      'UNSERIALISABLE_ELEMENT',
      `Element ${index} of the sequence, ${describe(element)}: the sequence's serialize function returned ${describe(json)}, not a string`,
    );
  }
  return json;
}

/**
 * One element of a JSON array: the first as is, each next one after a comma.
 * @internal
 */
export function jsonArrayElement(element: unknown, index: number): string {
  const json = serialiseElement(element, index);
  return index === 0 ? json : `,${json}`;
}
