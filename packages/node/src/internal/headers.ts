import type { WriteableBody } from '@plinth/writeable-body';
import { describeValue } from '@plinth/writeable-body';
import { NodeAdapterError } from '../errors';

// RFC 9110 token, and Node's own test for a header value (so nothing that passes
// here makes Node throw later, after part of the response went out).
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const INVALID_VALUE = /[^\t\x20-\x7e\x80-\xff]/;

// Connection-specific headers are forbidden in HTTP/2 (RFC 9113, 8.2.2).
const H2_DROPPED = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
]);

/** @internal The headers to send, as `writeHead` takes them. */
export type OutgoingHeaders = Record<string, string | number | readonly string[]>;

function badHeader(name: string, why: string): NodeAdapterError {
  return new NodeAdapterError(
    'INVALID_RESPONSE',
    `Response header ${JSON.stringify(name)} ${why}; it was not sent`,
  );
}

function checkValue(name: string, value: string): void {
  if (INVALID_VALUE.test(value)) {
    const bad = value.match(INVALID_VALUE)![0];
    const what =
      bad === '\r'
        ? 'CR'
        : bad === '\n'
          ? 'LF'
          : `U+${bad.charCodeAt(0).toString(16).padStart(4, '0')}`;
    throw badHeader(name, `has a value with a forbidden character (${what})`);
  }
}

/**
 * Checks the status of a response.
 * @internal
 */
export function checkStatus(status: unknown): number {
  if (typeof status === 'number' && Number.isInteger(status) && status >= 200 && status <= 599) {
    return status;
  }
  throw new NodeAdapterError(
    'INVALID_RESPONSE',
    `response.status must be an integer from 200 to 599, got ${describeValue(status)}`,
  );
}

/**
 * Validates the response's headers and adds the body's default Content-Type and
 * (when `withLength`) its Content-Length, 0 when there is no body. Never changes
 * the application's object.
 * @internal
 */
export function outgoingHeaders(
  headers: unknown,
  body: WriteableBody | undefined,
  withLength: boolean,
  h2: boolean,
  closeConnection: boolean,
): OutgoingHeaders {
  if ((headers === undefined || headers === null) && !closeConnection) {
    // The common case, no headers of the application's: one object literal.
    if (body === undefined) return withLength ? { 'content-length': 0 } : {};
    const type = body.defaultContentType();
    const length = withLength ? body.contentLength() : undefined;
    if (type === undefined) return length === undefined ? {} : { 'content-length': length };
    return length === undefined
      ? { 'content-type': type }
      : { 'content-type': type, 'content-length': length };
  }
  // Plain object (not null-prototype: Node's writeHead walks it fastest); a
  // "__proto__" header name is dropped by the assignment, which is harmless.
  const out: OutgoingHeaders = {};
  let hasType = false;
  let hasLength = false;
  if (headers !== undefined && headers !== null) {
    if (typeof headers !== 'object') {
      throw new NodeAdapterError(
        'INVALID_RESPONSE',
        `response.headers must be an object, got ${describeValue(headers)}`,
      );
    }
    const names = Object.keys(headers);
    for (let i = 0; i < names.length; i++) {
      const name = names[i]!;
      const value = (headers as Record<string, unknown>)[name];
      if (value === undefined) continue;
      if (!TOKEN.test(name)) throw badHeader(name, 'is not a valid header name');
      if (typeof value === 'string') checkValue(name, value);
      else if (typeof value === 'number') {
        if (!Number.isFinite(value)) throw badHeader(name, `has the value ${value}`);
      } else if (Array.isArray(value)) {
        for (const item of value) {
          if (typeof item !== 'string') {
            throw badHeader(
              name,
              `has an array value holding ${describeValue(item)}, not a string`,
            );
          }
          checkValue(name, item);
        }
      } else {
        throw badHeader(
          name,
          `has a value that is ${describeValue(value)}, not a string, number or array of strings`,
        );
      }
      const lower = name.toLowerCase();
      if (lower === 'content-type') hasType = true;
      else if (lower === 'content-length' || lower === 'transfer-encoding') hasLength = true;
      if (h2 && H2_DROPPED.has(lower)) continue;
      out[name] = value as string | number | readonly string[];
    }
  }
  if (body === undefined) {
    // A status-only response says so, rather than being an empty chunked body.
    if (withLength && !hasLength) out['content-length'] = 0;
  } else {
    if (!hasType) {
      const type = body.defaultContentType();
      if (type !== undefined) out['content-type'] = type;
    }
    if (withLength && !hasLength) {
      const length = body.contentLength();
      if (length !== undefined) out['content-length'] = length;
    }
  }
  if (closeConnection && !h2) out.connection = 'close';
  return out;
}
