import { quote } from './describe';

const BAD_ESCAPE = /%(?![0-9A-Fa-f]{2})/;

/**
 * Decodes a percent-encoded string (`+` left alone), or returns `undefined` when the
 * encoding is malformed: a `%` not followed by two hex digits, or bytes that are not
 * UTF-8. Never throws.
 * @internal
 */
export function decodeOrUndefined(raw: string): string | undefined {
  if (raw.indexOf('%') === -1) return raw;
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}

/**
 * Says what is wrong with a string that {@link decodeOrUndefined} refused, naming the
 * offending escape when there is one.
 * @internal
 */
export function malformedReason(raw: string): string {
  const bad = BAD_ESCAPE.exec(raw);
  if (bad) {
    const sequence = raw.slice(bad.index, bad.index + 3);
    const where = raw.length > sequence.length ? ` in ${quote(raw)}` : '';
    return `${quote(sequence)}${where} is not a percent-encoded byte (% must be followed by two hex digits)`;
  }
  return `the percent-encoded bytes in ${quote(raw)} are not valid UTF-8`;
}
