// This package's wording of a value in its error messages (`a number (5)`, `a bigint (2n)`),
// which its tests pin; the other packages share `describeValue` from
// `@plinth/writeable-body`. Moving to the shared wording is a change of messages,
// to make on purpose.
/**
 * Names a value for an error message: its type and, for primitives, the value.
 * @internal
 */
export function describe(value: unknown): string {
  switch (typeof value) {
    case 'undefined':
      return 'undefined';
    case 'string':
      return `a string (${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)})`;
    case 'number':
      return `a number (${String(value)})`;
    case 'boolean':
      return `a boolean (${String(value)})`;
    case 'bigint':
      return `a bigint (${String(value)}n)`;
    case 'symbol':
      return `a symbol (${String(value)})`;
    case 'function':
      return `a function${value.name ? ` (${value.name})` : ''}`;
    default: {
      if (value === null) return 'null';
      const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
      return typeof name === 'string' && name !== '' && name !== 'Object'
        ? `an object (${name})`
        : 'an object';
    }
  }
}
