// @plinth/body-writer/schema: a JSON Schema for the elements of a sequence, compiled
// once into a serializer faster than JSON.stringify (issue 22), the idea behind
// Fastify's response schemas applied to streams. Its own entry, because it needs
// fast-json-stringify (an optional peer dependency) and that library compiles with
// `new Function`: neither belongs in the main or the portable entry.
import build from 'fast-json-stringify';
import { BodyWriterError } from './errors';
import { describe } from './internal/describe';
import type { ElementSerializer } from './wrappers';

/**
 * A JSON Schema (draft 7, as fast-json-stringify reads it) describing one element of
 * a sequence: usually `{ type: 'object', properties: {...}, required: [...] }`.
 */
export type ElementSchema = Readonly<Record<string, unknown>>;

/**
 * Compiles a JSON Schema for the elements of a sequence into a serializer for
 * {@link jsonArray} and {@link ndjson} (`{ serialize }`), with fast-json-stringify
 * (install it beside this package: it is an optional peer dependency). Compile once,
 * at start-up, and reuse the serializer for every response: compiling takes
 * milliseconds, serialising an element of a fixed shape then takes about half of
 * what `JSON.stringify` does (see the README's benchmark).
 *
 * For an element that matches the schema, the output is byte for byte what
 * `JSON.stringify` gives. For one that does not, the schema decides, as in
 * Fastify's response schemas (no validation: it would cost more than the
 * serialisation saves): properties the schema does not list are left out, values
 * are coerced to the declared type (`"3"` to `3` for an integer, a number to `"5"`
 * for a string, `null` to `{}` for an object), and an element that cannot be
 * written (a `required` property missing, `"abc"` for an integer) fails with
 * `UNSERIALISABLE_ELEMENT`, which aborts its response only. List every property in
 * `required` to make a missing one an error rather than an omission.
 *
 * @throws {BodyWriterError} `INVALID_ARGUMENT` when `schema` is not an object or
 * fast-json-stringify cannot compile it (the cause says why).
 * @example
 * ```ts
 * import { jsonArray, ndjson } from '@plinth/body-writer';
 * import { compileElementSchema } from '@plinth/body-writer/schema';
 *
 * const serialize = compileElementSchema<Row>({
 *   type: 'object',
 *   properties: { id: { type: 'integer' }, name: { type: 'string' } },
 *   required: ['id', 'name'],
 * });
 * const list = () => ({ status: 200, body: jsonArray(rows(), { serialize }) });
 * const feed = () => ({ status: 200, body: ndjson(rows(), { serialize }) });
 * ```
 */
export function compileElementSchema<T = unknown>(schema: ElementSchema): ElementSerializer<T> {
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) {
    throw new BodyWriterError(
      'INVALID_ARGUMENT',
      `compileElementSchema(schema): schema must be a JSON Schema object, got ${describe(schema)}`,
    );
  }
  let serialize: (element: unknown) => string;
  try {
    serialize = build(schema as unknown as Parameters<typeof build>[0]) as (
      element: unknown,
    ) => string;
  } catch (error) {
    throw new BodyWriterError(
      'INVALID_ARGUMENT',
      `compileElementSchema(schema): the schema cannot be compiled: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  return serialize;
}
