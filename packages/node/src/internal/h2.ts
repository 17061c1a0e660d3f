import { constants, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';
import { TEXT_PLAIN_UTF8 } from '@plinth/writeable-body';
import type { Logger } from '../logger';

/**
 * HTTP/2: a response that leaves the request body unread (a 413, a 431) ends the
 * stream itself once the response is out, with `RST_STREAM(NO_ERROR)` as RFC 9113
 * §8.1 allows, instead of leaving it half-open until the client stops sending. Node
 * sends the reset after the response's last frame (`close(NO_ERROR)` on a stream
 * whose writable side is ending waits for it to finish). Nothing is done when the
 * client already ended its side.
 * @internal
 */
export function closeUnreadStream(res: Http2ServerResponse): void {
  const stream = res.stream;
  if (stream === undefined || stream.closed || stream.destroyed) return;
  if ((stream.state as { remoteClose?: number } | undefined)?.remoteClose === 1) return;
  stream.close(constants.NGHTTP2_NO_ERROR);
}

/**
 * The size of a request's header list as RFC 9113 §6.5.2 counts it (and as Node's
 * HTTP/2 layer does once its `maxHeaderListSize` setting is acknowledged): the
 * length of every name and value, pseudo-headers included, plus 32 per field.
 * @internal
 */
export function headerListSize(rawHeaders: readonly string[]): number {
  let size = 0;
  for (let i = 0; i < rawHeaders.length; i++) size += rawHeaders[i]!.length;
  return size + (rawHeaders.length >> 1) * 32;
}

/**
 * Answers `431 Request Header Fields Too Large` (text/plain, with the sizes) to an
 * HTTP/2 request whose header list is over `maxHeaderSize`, before any interceptor
 * runs, and ends the stream (see {@link closeUnreadStream}).
 * @internal
 */
export function refuseHeaders(
  req: Http2ServerRequest,
  res: Http2ServerResponse,
  logger: Logger,
  size: number,
  limit: number,
): void {
  const text = `Request header fields too large: ${size} bytes, over the limit of ${limit} (maxHeaderSize)`;
  logger.info({ method: req.method, url: req.url, status: 431, size, limit }, 'client error');
  try {
    res.writeHead(431, {
      'content-type': TEXT_PLAIN_UTF8,
      'content-length': Buffer.byteLength(text),
    });
    if (req.method === 'HEAD') res.end();
    else res.end(text);
    closeUnreadStream(res);
  } catch {
    // The stream is already gone: nobody to answer.
  }
}
