// Helpers every package above this one needs. They live here, where the
// dependency arrows let all of them share one copy (`@plinth/interceptor` keeps
// its own: it depends on nothing). Not part of the contract: marked @internal.

/**
 * The content type of plain text in UTF-8: what strings and error answers are sent as.
 * @internal Shared by Plinth's packages; not for applications to rely on.
 */
export const TEXT_PLAIN_UTF8 = 'text/plain; charset=utf-8';

/**
 * Tells whether a value is a thenable (has a `then` method), as `await` decides.
 * Takes any value: `null` and `undefined` are not thenables.
 * @internal Shared by Plinth's packages; not for applications to rely on.
 */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    value !== undefined &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/**
 * Names a value for an error message: its type, and the value when short
 * (`null`, `string "abc"`, `a function (f)`, `an array`, `an object (Map)`,
 * `symbol Symbol(x)`, `number 3`).
 * @internal Shared by Plinth's packages; not for applications to rely on.
 */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  switch (typeof value) {
    case 'string':
      return `string ${JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value)}`;
    case 'function':
      return `a function${value.name ? ` (${value.name})` : ''}`;
    case 'object':
      return Array.isArray(value)
        ? 'an array'
        : `an object (${(value as object).constructor?.name ?? 'null prototype'})`;
    case 'symbol':
      return `symbol ${String(value)}`;
    default:
      return `${typeof value} ${String(value)}`;
  }
}

/**
 * Tells whether a value is an `Error` named `name` that carries a string `code`:
 * the name-based guard each package's error class uses rather than `instanceof`,
 * which fails across duplicated copies of a package.
 * @internal Shared by Plinth's packages; not for applications to rely on.
 */
export function isCodedError(value: unknown, name: string): boolean {
  return (
    value instanceof Error &&
    value.name === name &&
    typeof (value as { code?: unknown }).code === 'string'
  );
}
