/**
 * A short description of a value for error messages: its type, and the value itself
 * when it is short.
 * @internal
 */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return quote(value);
  if (typeof value === 'function') return value.name ? `function ${value.name}` : 'a function';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (value instanceof RegExp) return String(value);
  if (typeof value === 'object') return `an object (${Object.prototype.toString.call(value)})`;
  if (typeof value === 'symbol') return value.toString();
  return `${typeof value} ${String(value)}`;
}

/**
 * Quotes a string for a message (JSON-style, so control characters are visible),
 * shortened to `max` characters.
 * @internal
 */
export function quote(value: string, max = 120): string {
  const short = value.length > max ? `${value.slice(0, max)}…` : value;
  return JSON.stringify(short);
}
