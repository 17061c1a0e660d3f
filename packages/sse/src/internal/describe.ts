import { describeValue as describeShared } from '@plinth/writeable-body';

/**
 * @internal A short description of a value for error messages: the shared
 * `describeValue` of `@plinth/writeable-body`, with this package's wording for
 * primitives kept (a string quoted, a number bare: `got "5"`, `got 1.5`), since
 * its messages read that way and tests pin them.
 */
export function describeValue(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
    case 'function':
      return 'a function';
    case 'symbol':
      return value.toString();
    case 'bigint':
      return `${value}n`;
    case 'number':
    case 'boolean':
      return String(value);
    default:
      // null, undefined, arrays and objects read the same in every package.
      return describeShared(value);
  }
}
