import type { WriteableBody } from '@plinth/writeable-body';
import { describeValue } from '@plinth/writeable-body';
import { FetchAdapterError } from '../errors';

/**
 * Checks the status of a response (the range `@plinth/node` accepts).
 * @internal
 */
export function checkStatus(status: unknown): number {
  if (typeof status === 'number' && Number.isInteger(status) && status >= 200 && status <= 599) {
    return status;
  }
  throw new FetchAdapterError(
    'INVALID_RESPONSE',
    `response.status must be an integer from 200 to 599, got ${describeValue(status)}`,
  );
}

function badHeader(name: string, why: string, cause?: unknown): FetchAdapterError {
  return new FetchAdapterError(
    'INVALID_RESPONSE',
    `Response header ${JSON.stringify(name)} ${why}; it was not sent`,
    { cause },
  );
}

/**
 * The response's headers as the Fetch `Response` takes them, with the body's default
 * Content-Type and (when `withLength`) its Content-Length when known. The runtime's
 * `Headers` validates names and values (a CR or LF in a value is refused), so a bad
 * header fails here, before anything is sent. Never changes the application's object.
 * @internal
 */
export function outgoingHeaders(
  headers: unknown,
  body: WriteableBody | undefined,
  withLength: boolean,
): HeadersInit | undefined {
  if (headers === undefined || headers === null) {
    // The common case: no headers of the application's, and values known valid.
    if (body === undefined) return undefined;
    const type = body.defaultContentType();
    const length = withLength ? body.contentLength() : undefined;
    if (type === undefined) {
      return length === undefined ? undefined : { 'content-length': String(length) };
    }
    return length === undefined
      ? { 'content-type': type }
      : { 'content-type': type, 'content-length': String(length) };
  }
  if (typeof headers !== 'object') {
    throw new FetchAdapterError(
      'INVALID_RESPONSE',
      `response.headers must be an object, got ${describeValue(headers)}`,
    );
  }
  const out = new Headers();
  const names = Object.keys(headers);
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    const value = (headers as Record<string, unknown>)[name];
    if (value === undefined) continue;
    const values: unknown[] = Array.isArray(value) ? value : [value];
    for (const item of values) {
      if (typeof item === 'number') {
        if (!Number.isFinite(item)) throw badHeader(name, `has the value ${item}`);
      } else if (typeof item !== 'string') {
        throw badHeader(
          name,
          `has a value that is ${describeValue(item)}, not a string, number or array of strings`,
        );
      } else if (/[\r\n\0]/.test(item)) {
        const bad = item.match(/[\r\n\0]/)![0];
        throw badHeader(
          name,
          `has a value with a forbidden character (${bad === '\r' ? 'CR' : bad === '\n' ? 'LF' : 'NUL'})`,
        );
      }
      try {
        out.append(name, String(item));
      } catch (error) {
        throw badHeader(name, 'is not a valid header', error);
      }
    }
  }
  if (body !== undefined) {
    if (!out.has('content-type')) {
      const type = body.defaultContentType();
      if (type !== undefined) out.set('content-type', type);
    }
    if (withLength && !out.has('content-length')) {
      const length = body.contentLength();
      if (length !== undefined) out.set('content-length', String(length));
    }
  }
  return out;
}
