import type { ResponseHeaders } from '@plinth/writeable-body';
import { describe, StaticError } from './errors';

/** A content coding a precompressed variant can have, by file suffix: `.br`, `.zst`, `.gz`. */
export type Encoding = 'br' | 'zstd' | 'gzip';

/** The suffix of each precompressed variant beside the file. */
export const ENCODING_SUFFIX: Readonly<Record<Encoding, string>> = {
  br: '.br',
  zstd: '.zst',
  gzip: '.gz',
};

/** Options of {@link serveFile} (and of {@link serveStatic}, which takes them all). */
export interface ServeFileOptions {
  /**
   * The ETag: `'weak'` from the size and modification time (no read needed),
   * `'strong'` a SHA-256 of the bytes, computed once per version of the file and
   * cached, or `false` for none. Only a strong ETag lets If-Range with an ETag
   * resume a download (RFC 9110 13.1.5).
   * @default 'weak'
   */
  etag?: 'weak' | 'strong' | false | undefined;
  /**
   * Whether to send Last-Modified (and honour If-Modified-Since,
   * If-Unmodified-Since and If-Range dates).
   * @default true
   */
  lastModified?: boolean | undefined;
  /**
   * `max-age` of the Cache-Control header, in seconds.
   * @default 0
   */
  maxAge?: number | undefined;
  /**
   * Adds `immutable` to Cache-Control (for file names that change with their content).
   * @default false
   */
  immutable?: boolean | undefined;
  /**
   * `false` sends no Cache-Control; a string is sent as it is (and `maxAge` and
   * `immutable` are not used).
   * @default true (`public, max-age=<maxAge>[, immutable]`)
   */
  cacheControl?: boolean | string | undefined;
  /**
   * Whether to answer Range requests (and send `Accept-Ranges: bytes`).
   * @default true
   */
  ranges?: boolean | undefined;
  /**
   * The most ranges one request may ask for. A Range header with more is ignored
   * and the whole file is sent with 200, as RFC 9110 14.2 allows; overlapping and
   * adjacent ranges are coalesced before the response is built either way.
   * @default 32
   */
  maxRanges?: number | undefined;
  /**
   * Serve precompressed variants found beside the file (`x.js.br`, `x.js.zst`,
   * `x.js.gz`) when Accept-Encoding allows them: `true` for all three (preferred in
   * that order when the client's q-values tie), or the codings to look for, in the
   * order of preference.
   * @default false
   */
  precompressed?: boolean | readonly Encoding[] | undefined;
  /**
   * The Content-Type.
   * @default the type of the file's extension (mime-types), else `application/octet-stream`
   */
  contentType?: string | undefined;
  /**
   * More headers for the file's responses (200, 206, 304), such as
   * `Content-Disposition` for a download.
   * @default undefined
   */
  headers?: ResponseHeaders | undefined;
  /**
   * How many bytes to read from the file at a time.
   * @default 1048576 (1 MiB)
   */
  highWaterMark?: number | undefined;
}

/** @internal The options of {@link ServeFileOptions}, checked, with defaults applied. */
export interface FileConfig {
  readonly etag: 'weak' | 'strong' | false;
  readonly lastModified: boolean;
  readonly cacheControl: string | undefined;
  readonly ranges: boolean;
  readonly maxRanges: number;
  readonly encodings: readonly Encoding[];
  readonly contentType: string | undefined;
  readonly headers: ResponseHeaders | undefined;
  readonly chunkSize: number;
}

function invalid(where: string, name: string, expected: string, value: unknown): StaticError {
  return new StaticError(
    'INVALID_ARGUMENT',
    `${where}: options.${name} must be ${expected}, got ${describe(value)}`,
  );
}

function optionalBoolean(where: string, options: object, name: string, fallback: boolean): boolean {
  const value = (options as Record<string, unknown>)[name];
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw invalid(where, name, 'a boolean', value);
  return value;
}

/** @internal Checks options up front, naming the bad one. */
export function fileConfig(where: string, options: ServeFileOptions): FileConfig {
  if (options === null || typeof options !== 'object') {
    throw new StaticError(
      'INVALID_ARGUMENT',
      `${where}: options must be an object, got ${describe(options)}`,
    );
  }
  const etag = options.etag ?? 'weak';
  if (etag !== 'weak' && etag !== 'strong' && etag !== false) {
    throw invalid(where, 'etag', "'weak', 'strong' or false", etag);
  }
  const lastModified = optionalBoolean(where, options, 'lastModified', true);
  const maxAge = options.maxAge ?? 0;
  if (!Number.isSafeInteger(maxAge) || maxAge < 0) {
    throw invalid(where, 'maxAge', 'a non-negative integer (seconds)', maxAge);
  }
  const immutable = optionalBoolean(where, options, 'immutable', false);
  let cacheControl: string | undefined;
  const cc = options.cacheControl ?? true;
  if (typeof cc === 'string') cacheControl = cc;
  else if (cc === true) cacheControl = `public, max-age=${maxAge}${immutable ? ', immutable' : ''}`;
  else if (cc !== false) throw invalid(where, 'cacheControl', 'a boolean or a string', cc);
  const ranges = optionalBoolean(where, options, 'ranges', true);
  const maxRanges = options.maxRanges ?? 32;
  if (!Number.isSafeInteger(maxRanges) || maxRanges < 1) {
    throw invalid(where, 'maxRanges', 'a positive integer', maxRanges);
  }
  const pre = options.precompressed ?? false;
  let encodings: readonly Encoding[];
  if (pre === false) encodings = [];
  else if (pre === true) encodings = ['br', 'zstd', 'gzip'];
  else if (Array.isArray(pre) && pre.every((e) => Object.hasOwn(ENCODING_SUFFIX, e))) {
    encodings = [...new Set(pre as readonly Encoding[])];
  } else {
    throw invalid(where, 'precompressed', "a boolean or a list of 'br', 'zstd', 'gzip'", pre);
  }
  if (options.contentType !== undefined && typeof options.contentType !== 'string') {
    throw invalid(where, 'contentType', 'a string', options.contentType);
  }
  if (
    options.headers !== undefined &&
    (options.headers === null || typeof options.headers !== 'object')
  ) {
    throw invalid(where, 'headers', 'an object', options.headers);
  }
  const chunkSize = options.highWaterMark ?? 1024 * 1024;
  if (!Number.isSafeInteger(chunkSize) || chunkSize < 1) {
    throw invalid(where, 'highWaterMark', 'a positive integer', chunkSize);
  }
  return {
    etag,
    lastModified,
    cacheControl,
    ranges,
    maxRanges,
    encodings,
    contentType: options.contentType,
    headers: options.headers,
    chunkSize,
  };
}
