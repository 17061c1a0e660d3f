import { type Response, TEXT_PLAIN_UTF8 } from '@plinth/writeable-body';

/**
 * A short text/plain error response. `nosniff` because the text may quote the
 * request (a path), and no browser should take it for HTML.
 * @internal
 */
export function textResponse(status: number, body: string, allow?: string): Response<string> {
  const headers: Record<string, string> = {
    'content-type': TEXT_PLAIN_UTF8,
    'x-content-type-options': 'nosniff',
  };
  if (allow !== undefined) headers.allow = allow;
  return { status, headers, body };
}

/**
 * A request path or method for a message: at most 200 characters. Raw paths are
 * percent-encoded ASCII as they came from the client.
 * @internal
 */
export function shown(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
