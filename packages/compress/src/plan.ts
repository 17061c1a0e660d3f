import type { HttpContext, ResponseHeaders } from '@plinth/writeable-body';
import Negotiator from 'negotiator';
import type { ContentCoding } from './codings';

/**
 * What {@link planResponse} needs from the options.
 * @internal
 */
export interface PlanSettings {
  readonly codings: readonly ContentCoding[];
  readonly offered: readonly string[];
  readonly threshold: number;
  readonly isCompressible: (contentType: string) => boolean;
  readonly ignoreNoTransform: (ctx: HttpContext) => boolean;
}

/**
 * The decision for one response: compress with `coding` (the headers to send say
 * so), or only add `Vary` (the answer depended on Accept-Encoding, but the client
 * takes none of ours), or leave it alone (`undefined`).
 * @internal
 */
export interface Plan {
  readonly coding: ContentCoding | undefined;
  readonly headers: ResponseHeaders;
}

/** Reads a response header whatever the case of its name. @internal */
export function headerOf(headers: ResponseHeaders | undefined, name: string): string | undefined {
  if (headers === undefined || headers === null) return undefined;
  const direct = headers[name];
  if (direct !== undefined) return String(direct);
  for (const key of Object.keys(headers)) {
    if (key.toLowerCase() === name) {
      const value = headers[key];
      return value === undefined ? undefined : String(value);
    }
  }
  return undefined;
}

/**
 * The coding the client prefers among ours, through `negotiator` (q-values,
 * `identity`, `*`, `q=0`); `undefined` for identity. A missing header means identity
 * (RFC 9110 allows any coding then, but clients that decode send the header), and a
 * value that cannot be parsed means identity too, never an error.
 * @internal
 */
export function negotiate(
  accept: string | string[] | undefined,
  codings: readonly ContentCoding[],
  offered: readonly string[],
): ContentCoding | undefined {
  if (accept === undefined) return undefined;
  const value = Array.isArray(accept) ? accept.join(', ') : accept;
  if (value.trim() === '') return undefined;
  try {
    // negotiator 1.x takes the server's preference order; its types (0.6) do not say so.
    const negotiator = new Negotiator({ headers: { 'accept-encoding': value } }) as unknown as {
      encodings(available: readonly string[], options: { preferred: readonly string[] }): string[];
    };
    const chosen = negotiator.encodings(offered, { preferred: offered })[0];
    return codings.includes(chosen as ContentCoding) ? (chosen as ContentCoding) : undefined;
  } catch {
    return undefined;
  }
}

const UNCOMPRESSED_STATUS = new Set([204, 206, 304]);

/**
 * Decides whether a response is compressed, and the headers it goes out with.
 * Not compressed: HEAD, 1xx/204/206/304, a Content-Range, `Cache-Control:
 * no-transform` (unless the application opted out of respecting it), a
 * Content-Encoding already there (a precompressed file), a type that is not
 * compressible, a known length under the threshold.
 * @internal
 */
export function planResponse(
  ctx: HttpContext,
  status: number,
  headers: ResponseHeaders | undefined,
  defaultType: string | undefined,
  length: number | undefined,
  settings: PlanSettings,
): Plan | undefined {
  const request = ctx.request;
  if (request?.method === 'HEAD') return undefined;
  if (status < 200 || UNCOMPRESSED_STATUS.has(status)) return undefined;
  if (headerOf(headers, 'content-encoding') !== undefined) return undefined;
  if (headerOf(headers, 'content-range') !== undefined) return undefined;
  const cacheControl = headerOf(headers, 'cache-control');
  if (
    cacheControl !== undefined &&
    /(?:^|,)\s*no-transform\s*(?:,|$)/i.test(cacheControl) &&
    !settings.ignoreNoTransform(ctx)
  ) {
    return undefined;
  }
  const type = headerOf(headers, 'content-type') ?? defaultType;
  if (type === undefined || !settings.isCompressible(type)) return undefined;
  if (length !== undefined && length < settings.threshold) return undefined;

  const coding = negotiate(
    request?.headers?.['accept-encoding'],
    settings.codings,
    settings.offered,
  );
  const out: ResponseHeaders = {};
  let vary: string | undefined;
  let etag: string | undefined;
  for (const key of Object.keys(headers ?? {})) {
    const value = headers![key];
    if (value === undefined) continue;
    switch (key.toLowerCase()) {
      case 'vary':
        vary = String(value);
        continue;
      case 'etag':
        etag = String(value);
        continue;
      case 'content-length':
      case 'accept-ranges':
        if (coding !== undefined) continue;
        break;
    }
    out[key] = value;
  }
  out.vary = mergeVary(vary);
  if (etag !== undefined)
    out.etag = coding !== undefined && !etag.startsWith('W/') ? `W/${etag}` : etag;
  if (coding !== undefined) out['content-encoding'] = coding;
  return { coding, headers: out };
}

/** `Vary` with Accept-Encoding added once (`*` stays `*`). @internal */
export function mergeVary(vary: string | undefined): string {
  if (vary === undefined || vary.trim() === '') return 'Accept-Encoding';
  const names = vary.split(',').map((v) => v.trim().toLowerCase());
  if (names.includes('*') || names.includes('accept-encoding')) return vary;
  return `${vary}, Accept-Encoding`;
}
