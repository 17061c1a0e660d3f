// Conditional requests, RFC 9110 section 13. Written here rather than taken from
// `fresh` because `fresh` answers a different question ("may a cache reuse this?"):
// it ANDs If-None-Match with If-Modified-Since (13.1.3 says the latter MUST be
// ignored when the former is present), treats a request's `Cache-Control: no-cache`
// as a reason not to answer 304, and knows nothing of If-Match, If-Unmodified-Since
// or If-Range.

/** The validators of the selected representation. */
export interface Validators {
  /** The ETag as sent (`"x"` or `W/"x"`), or `undefined` when none is sent. */
  readonly etag: string | undefined;
  /**
   * Last-Modified in milliseconds, truncated to the second as sent, or `undefined`
   * when none is sent.
   */
  readonly lastModified: number | undefined;
  /**
   * Whether Last-Modified is a strong validator (RFC 9110 8.8.2.2: it is at least a
   * second older than the response's date, so two changes cannot share it).
   */
  readonly strongDate: boolean;
}

/** What the preconditions decided (RFC 9110 13.2.2). */
export type Precondition = 'proceed' | 'not-modified' | 'failed';

type Headers = Readonly<Record<string, string | string[] | undefined>>;

function header(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/**
 * Evaluates If-Match, If-Unmodified-Since, If-None-Match and If-Modified-Since in
 * the order of RFC 9110 section 13.2.2, for a representation that exists.
 */
export function evaluatePreconditions(
  method: string,
  headers: Headers,
  validators: Validators,
): Precondition {
  const safe = method === 'GET' || method === 'HEAD';
  // Step 1 (13.1.1): If-Match, strong comparison; `*` matches any current representation.
  const ifMatch = header(headers, 'if-match');
  if (ifMatch !== undefined) {
    if (!listMatches(ifMatch, validators.etag, strongMatch)) return 'failed';
  } else {
    // Step 2 (13.1.4): If-Unmodified-Since, only without If-Match.
    const since = httpDate(header(headers, 'if-unmodified-since'));
    if (since !== undefined && validators.lastModified !== undefined) {
      if (validators.lastModified > since) return 'failed';
    }
  }
  // Step 3 (13.1.2): If-None-Match, weak comparison.
  const ifNoneMatch = header(headers, 'if-none-match');
  if (ifNoneMatch !== undefined) {
    if (listMatches(ifNoneMatch, validators.etag, weakMatch)) {
      return safe ? 'not-modified' : 'failed';
    }
    return 'proceed';
  }
  // Step 4 (13.1.3): If-Modified-Since, GET and HEAD only, ignored with If-None-Match.
  if (safe) {
    const since = httpDate(header(headers, 'if-modified-since'));
    if (since !== undefined && validators.lastModified !== undefined) {
      if (validators.lastModified <= since) return 'not-modified';
    }
  }
  return 'proceed';
}

/**
 * RFC 9110 13.1.5: whether an If-Range value lets the Range header apply. An
 * entity-tag matches only by strong comparison (a weak tag never does); a date only
 * when it equals a strong Last-Modified exactly. Anything else means "send it all".
 */
export function ifRangeMatches(value: string, validators: Validators): boolean {
  const trimmed = value.trim();
  if (trimmed.startsWith('"') || trimmed.startsWith('W/')) {
    const tags = parseEntityTags(trimmed);
    return tags !== undefined && tags.length === 1 && strongMatch(tags[0]!, validators.etag);
  }
  const date = httpDate(trimmed);
  return (
    date !== undefined &&
    validators.strongDate &&
    validators.lastModified !== undefined &&
    validators.lastModified === date
  );
}

function strongMatch(tag: string, current: string | undefined): boolean {
  return (
    current !== undefined && !tag.startsWith('W/') && !current.startsWith('W/') && tag === current
  );
}

function weakMatch(tag: string, current: string | undefined): boolean {
  if (current === undefined) return false;
  const a = tag.startsWith('W/') ? tag.slice(2) : tag;
  const b = current.startsWith('W/') ? current.slice(2) : current;
  return a === b;
}

function listMatches(
  value: string,
  current: string | undefined,
  match: (tag: string, current: string | undefined) => boolean,
): boolean {
  // `*` matches when the resource has a current representation, which it has here.
  if (value.trim() === '*') return true;
  const tags = parseEntityTags(value);
  if (tags === undefined) return false;
  for (const tag of tags) if (match(tag, current)) return true;
  return false;
}

/**
 * Parses a comma-separated list of entity-tags (RFC 9110 8.8.3), keeping each as
 * sent (`"x"` or `W/"x"`). Empty list elements are allowed (5.6.1). Returns
 * `undefined` for a malformed list, which then matches nothing.
 */
export function parseEntityTags(value: string): string[] | undefined {
  const tags: string[] = [];
  let i = 0;
  const n = value.length;
  for (;;) {
    while (i < n && (value[i] === ' ' || value[i] === '\t' || value[i] === ',')) i++;
    if (i >= n) return tags;
    const start = i;
    if (value.startsWith('W/', i)) i += 2;
    if (value[i] !== '"') return undefined;
    const close = value.indexOf('"', i + 1);
    if (close === -1) return undefined;
    // etagc = %x21 / %x23-7E / obs-text: no controls, no space, no DQUOTE.
    for (let j = i + 1; j < close; j++) {
      const c = value.charCodeAt(j);
      if (c < 0x21 || c === 0x7f) return undefined;
    }
    i = close + 1;
    tags.push(value.slice(start, i));
    while (i < n && (value[i] === ' ' || value[i] === '\t')) i++;
    if (i < n && value[i] !== ',') return undefined;
  }
}

// RFC 9110 5.6.7: IMF-fixdate, and the obsolete RFC 850 and asctime forms that a
// recipient must accept. Date.parse alone would accept much more ("2024", "tomorrow").
const IMF_FIXDATE = /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/;
const RFC850_DATE = /^[A-Z][a-z]{5,8}, \d{2}-[A-Z][a-z]{2}-\d{2} \d{2}:\d{2}:\d{2} GMT$/;
const ASCTIME_DATE = /^[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2} \d{4}$/;

/** Parses an HTTP-date into milliseconds, or `undefined` when it is not one. */
export function httpDate(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  let ms: number;
  if (IMF_FIXDATE.test(text) || RFC850_DATE.test(text)) ms = Date.parse(text);
  // asctime carries no zone; HTTP says it is GMT.
  else if (ASCTIME_DATE.test(text)) ms = Date.parse(`${text} GMT`);
  else return undefined;
  return Number.isNaN(ms) ? undefined : ms;
}
