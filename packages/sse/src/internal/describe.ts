/** @internal A short description of a value for error messages. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
    case 'function':
      return 'a function';
    case 'symbol':
      return value.toString();
    case 'bigint':
      return `${value}n`;
    case 'object':
      return Array.isArray(value)
        ? 'an array'
        : `an object (${(value as object).constructor?.name ?? 'null prototype'})`;
    default:
      return String(value);
  }
}
