import { RouterError } from './errors';
import { malformedReason } from './internal/decode';
import { quote } from './internal/describe';
import type { QueryParams } from './types';

const PLUS = /\+/g;

function decodePart(raw: string, what: () => string): string {
  const spaced = raw.indexOf('+') === -1 ? raw : raw.replace(PLUS, ' ');
  if (spaced.indexOf('%') === -1) return spaced;
  try {
    return decodeURIComponent(spaced);
  } catch (cause) {
    throw new RouterError(
      'MALFORMED_QUERY',
      `malformed query string: ${what()}: ${malformedReason(raw)}`,
      {
        status: 400,
        cause,
      },
    );
  }
}

function add(query: QueryParams, key: string, value: string): void {
  const previous = query[key];
  if (previous === undefined) query[key] = value;
  else if (typeof previous === 'string') query[key] = [previous, value];
  else previous.push(value);
}

/**
 * Decodes a query string (without the `?`) as `application/x-www-form-urlencoded`:
 *
 * - pairs are separated by `&`; only the first `=` of a pair splits key from value
 *   (`a=b=c` gives `{ a: 'b=c' }`); a pair without `=` (or `a=`) has the value `''`;
 *   empty pairs (`&&`) are skipped;
 * - `+` is a space, `%XX` escapes are UTF-8 (`%2B` is a literal `+`);
 * - a key given more than once gives an array of its values, in order;
 * - the result is a null-prototype object, so `__proto__` or `constructor` are
 *   ordinary keys;
 * - an empty or absent query string gives `{}`.
 *
 * Throws a {@link RouterError} (`MALFORMED_QUERY`, `status` 400) naming the bad
 * escape when a `%` is not followed by two hex digits or the bytes are not UTF-8.
 * Cost: one pass over the string; keys and values without `%` or `+` are sliced,
 * not decoded.
 *
 * @example
 * ```ts
 * parseQuery('limit=10&tag=a&tag=b&q=hello+world'); // { limit: '10', tag: ['a', 'b'], q: 'hello world' }
 * parseQuery('q=%zz'); // throws RouterError: malformed query string: … "%zz" …
 * ```
 */
export function parseQuery(queryString: string | null | undefined): QueryParams {
  const query: QueryParams = Object.create(null);
  if (!queryString) return query;
  if (typeof queryString !== 'string') {
    throw new TypeError(`parseQuery(queryString): expected a string, got ${typeof queryString}`);
  }
  const s = queryString;
  const n = s.length;
  let start = 0;
  let eq = -1;
  let escaped = false;
  for (let i = 0; i <= n; i++) {
    const c = i === n ? 38 : s.charCodeAt(i);
    if (c === 38 /* & */) {
      if (i > start) {
        const rawKey = eq === -1 ? s.slice(start, i) : s.slice(start, eq);
        const rawValue = eq === -1 ? '' : s.slice(eq + 1, i);
        if (escaped) {
          const key = decodePart(rawKey, () => `the key ${quote(rawKey)}`);
          add(
            query,
            key,
            decodePart(rawValue, () => `the value of ${quote(key)}`),
          );
        } else {
          add(query, rawKey, rawValue);
        }
      }
      start = i + 1;
      eq = -1;
      escaped = false;
    } else if (c === 61 /* = */) {
      if (eq === -1) eq = i;
    } else if (c === 37 /* % */ || c === 43 /* + */) {
      escaped = true;
    }
  }
  return query;
}
