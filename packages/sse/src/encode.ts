import { SseError } from './errors';
import { describeValue } from './internal/describe';
import { utf8 } from './internal/portable';

/**
 * One server-sent event.
 *
 * @example
 * ```ts
 * const event: SseEvent = { event: 'price', id: 42, data: { symbol: 'ACME', price: 12.5 } };
 * ```
 */
export interface SseEvent {
  /**
   * The event type (`event:` field); the client dispatches it to listeners of that
   * name. Must not contain CR, LF or NUL.
   * @default undefined (the client's `message` event)
   */
  event?: string | undefined;
  /**
   * The payload. A string is sent as is, split on CR, LF and CRLF into `data:` lines
   * (the client joins them with LF); anything else is JSON-encoded first.
   */
  data: unknown;
  /**
   * The event id (`id:` field), which the client sends back as `Last-Event-ID` when it
   * reconnects. Must not contain CR, LF or NUL. `0` and `''` are sent (`''` resets the
   * client's last event id).
   * @default undefined (no `id:` field)
   */
  id?: string | number | undefined;
  /**
   * The reconnection delay in milliseconds the client should use from now on
   * (`retry:` field): a non-negative integer; `0` is sent.
   * @default undefined (no `retry:` field)
   */
  retry?: number | undefined;
}

const LINE_BREAK = /\r\n|\r|\n/;
const FORBIDDEN = /[\r\n\0]/;

function invalid(field: string, message: string, cause?: unknown): SseError {
  return new SseError('INVALID_EVENT', `Invalid server-sent event: ${field} ${message}`, {
    field,
    cause,
  });
}

function dataLines(text: string, prefix: string): string {
  if (text.indexOf('\n') === -1 && text.indexOf('\r') === -1) return `${prefix}${text}\n`;
  let out = '';
  for (const line of text.split(LINE_BREAK)) out += `${prefix}${line}\n`;
  return out;
}

/** @internal The text of `data` (JSON for anything but a string). Throws an `SseError` naming `data`. */
export function dataText(data: unknown): string {
  if (typeof data === 'string') return data;
  let json: string | undefined;
  try {
    json = JSON.stringify(data);
  } catch (error) {
    throw invalid('data', `cannot be JSON-encoded (${describeValue(data)})`, error);
  }
  if (json === undefined) throw invalid('data', `has no JSON form, got ${describeValue(data)}`);
  return json;
}

/** @internal Validates `event` and returns it. */
export function checkEventName(name: unknown): string | undefined {
  if (name === undefined) return undefined;
  if (typeof name !== 'string')
    throw invalid('event', `must be a string, got ${describeValue(name)}`);
  if (FORBIDDEN.test(name)) {
    throw invalid('event', `must not contain CR, LF or NUL, got ${JSON.stringify(name)}`);
  }
  return name;
}

/** @internal Validates `id` and returns it as a string. */
export function checkId(id: unknown): string | undefined {
  if (id === undefined) return undefined;
  if (typeof id === 'number') {
    if (!Number.isFinite(id)) throw invalid('id', `must be a finite number, got ${String(id)}`);
    return String(id);
  }
  if (typeof id !== 'string') {
    throw invalid('id', `must be a string or a number, got ${describeValue(id)}`);
  }
  if (FORBIDDEN.test(id))
    throw invalid('id', `must not contain CR, LF or NUL, got ${JSON.stringify(id)}`);
  return id;
}

/** @internal Validates `retry`. */
export function checkRetry(retry: unknown): number | undefined {
  if (retry === undefined) return undefined;
  if (typeof retry !== 'number' || !Number.isSafeInteger(retry) || retry < 0) {
    throw invalid('retry', `must be a non-negative integer, got ${describeValue(retry)}`);
  }
  return retry;
}

/** @internal Encodes fields that were already checked. */
export function encodeChecked(
  name: string | undefined,
  id: string | undefined,
  retry: number | undefined,
  data: string,
): string {
  let out = '';
  if (id !== undefined) out += `id: ${id}\n`;
  if (name !== undefined) out += `event: ${name}\n`;
  if (retry !== undefined) out += `retry: ${retry}\n`;
  return `${out}${dataLines(data, 'data: ')}\n`;
}

/**
 * Encodes one event in the `text/event-stream` format, ending with the blank line
 * that dispatches it. Validates first: throws an {@link SseError} (`INVALID_EVENT`,
 * naming the field) for a CR, LF or NUL in `event` or `id` (which would let a value
 * inject fields or whole events), a `retry` that is not a non-negative integer, or
 * `data` without a JSON form.
 *
 * Data is split on CR, LF and CRLF into `data:` lines; a parser joins them with LF,
 * so CR and CRLF line breaks arrive as LF. A trailing line break is kept (an empty
 * last `data:` line).
 *
 * @example
 * ```ts
 * encodeEvent({ event: 'greeting', id: 1, data: 'hello\nworld' });
 * // 'id: 1\nevent: greeting\ndata: hello\ndata: world\n\n'
 * ```
 */
export function encodeEvent(event: SseEvent): string {
  if (event === null || typeof event !== 'object') {
    throw new SseError(
      'INVALID_EVENT',
      `Invalid server-sent event: expected an object { event?, data, id?, retry? }, got ${describeValue(event)}`,
      { field: 'event' },
    );
  }
  const name = checkEventName(event.event);
  const id = checkId(event.id);
  const retry = checkRetry(event.retry);
  return encodeChecked(name, id, retry, dataText(event.data));
}

/**
 * Encodes a comment: one `:` line per line of `text` (split on CR, LF and CRLF).
 * Clients ignore comments; they keep connections and proxies from timing out.
 *
 * @example
 * ```ts
 * encodeComment('two\nlines'); // ': two\n: lines\n'
 * encodeComment('');           // ':\n'
 * ```
 */
export function encodeComment(text: string): string {
  if (typeof text !== 'string') {
    throw new SseError(
      'INVALID_EVENT',
      `Invalid server-sent comment: must be a string, got ${describeValue(text)}`,
      { field: 'comment' },
    );
  }
  if (text === '') return ':\n';
  let out = '';
  for (const line of text.split(LINE_BREAK)) out += line === '' ? ':\n' : `: ${line}\n`;
  return out;
}

/** @internal Encodes to the bytes that go on the wire. */
export function toBytes(text: string): Uint8Array {
  return utf8(text);
}
