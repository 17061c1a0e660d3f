import type { Request, Response } from '@plinth/writeable-body';
import type { DemoLogger } from './logger';

const PASSED_HEADERS = ['content-type', 'content-length', 'etag', 'last-modified'] as const;

/**
 * `GET /image/:key`: "a byte stream retrieved from some service, e.g., an image
 * on S3". Fetches `${storeUrl}/store/:key` with `fetch()` and answers its body, a
 * Web `ReadableStream`, which the body-writer streams through chunk by chunk
 * (never buffered whole). Status and type are passed on; a failed or 5xx upstream
 * is 502. The request's signal goes to `fetch()`, so a client that leaves aborts
 * the upstream request too.
 * @internal
 */
export function imageHandler(
  storeUrl: () => string,
  logger: DemoLogger,
): (request: Request) => Promise<Response> {
  return async (request) => {
    const key = request.pathParams?.key ?? '';
    const url = `${storeUrl()}/store/${encodeURIComponent(key)}`;
    let upstream: globalThis.Response;
    try {
      upstream = await fetch(url, {
        method: request.method === 'HEAD' ? 'HEAD' : 'GET',
        signal: request.signal,
        redirect: 'error',
      });
    } catch (error) {
      if (request.signal.aborted) throw error; // the client left; nobody to answer
      logger.warn({ url, err: error }, 'image: the upstream request failed');
      return badGateway(`the store at ${url} did not answer: ${describe(error)}`);
    }
    if (upstream.status >= 500) {
      await upstream.body?.cancel();
      logger.warn({ url, status: upstream.status }, 'image: the upstream failed');
      return badGateway(`the store at ${url} answered ${upstream.status}`);
    }
    const headers: Record<string, string> = {};
    for (const name of PASSED_HEADERS) {
      const value = upstream.headers.get(name);
      if (value !== null) headers[name] = value;
    }
    // fetch() decodes a compressed body, so the upstream's length would be wrong.
    if (upstream.headers.has('content-encoding')) delete headers['content-length'];
    return { status: upstream.status, headers, body: upstream.body ?? undefined };
  };
}

function badGateway(reason: string): Response {
  return {
    status: 502,
    headers: { 'content-type': 'text/plain; charset=utf-8' },
    body: `502 Bad Gateway: ${reason}\n`,
  };
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}
