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
