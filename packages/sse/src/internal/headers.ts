import type { Request, ResponseHeaders } from '@plinth/writeable-body';

/** @internal The content type of every event stream. */
export const SSE_CONTENT_TYPE = 'text/event-stream; charset=utf-8';

/**
 * @internal The headers of an event stream. Names are lower-cased so that headers
 * from the context (CORS) and the options merge without duplicates; ours win except
 * that `options` may override `cache-control`, and nothing overrides the content
 * type. No `Connection` header: on HTTP/1.1 the adapter (Node's http) decides
 * whether the connection stays open and says so, honouring a request's
 * `Connection: close` (RFC 9112 §9.6), and HTTP/2 forbids the header (RFC 9113 §8.2.2).
 */
export function streamHeaders(
  fromContext: ResponseHeaders | undefined,
  fromOptions: ResponseHeaders | undefined,
): ResponseHeaders {
  const headers: ResponseHeaders = {};
  if (fromContext) for (const name in fromContext) headers[name.toLowerCase()] = fromContext[name];
  headers['cache-control'] = 'no-cache, no-transform';
  headers['x-accel-buffering'] = 'no';
  if (fromOptions) for (const name in fromOptions) headers[name.toLowerCase()] = fromOptions[name];
  headers['content-type'] = SSE_CONTENT_TYPE;
  // A streamed body has no known length; a stale one would truncate the stream.
  delete headers['content-length'];
  return headers;
}

/** @internal The `Last-Event-ID` request header, `undefined` when absent or empty. */
export function lastEventIdOf(request: Request | undefined): string | undefined {
  const value = request?.headers?.['last-event-id'];
  const id = Array.isArray(value) ? value[0] : value;
  return id === undefined || id === '' ? undefined : id;
}
