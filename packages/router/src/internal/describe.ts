// This package's wording of a value in its error messages (`"x"`, `function f`,
// `an array of 2`, `/\d+/`), which its tests pin; the other packages share
// `describeValue` from `@plinth/writeable-body`. Moving to the shared wording is a
// change of messages, to make on purpose.
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
