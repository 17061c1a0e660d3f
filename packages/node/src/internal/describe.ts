/**
 * Names a value for an error message: its type, and the value when short.
 * @internal
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
