// One piece: choosing the file (variant, open or stat), its validators, the
// preconditions and the ranges are one decision about one descriptor, which must
// be closed on every path that does not hand it to the body; split across files,
// those paths would be harder to follow.
import { randomBytes } from 'node:crypto';
import { constants, type Stats } from 'node:fs';
import { type FileHandle, open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Request, Response } from '@plinth/writeable-body';
import etagOf from 'etag';
import { contentType as mimeContentType } from 'mime-types';
import Negotiator from 'negotiator';
import { StaticError } from './errors';
import { evaluatePreconditions, ifRangeMatches, type Validators } from './internal/conditional';
import { statusForErrno } from './internal/errno';
import { filePartsBody } from './internal/file-body';
import { multipartLayout, type Part, parseRange } from './internal/ranges';
import { strongEtag } from './internal/strong-etag';
import {
  ENCODING_SUFFIX,
  type Encoding,
  type FileConfig,
  fileConfig,
  type ServeFileOptions,
} from './options';

const TEXT = 'text/plain; charset=utf-8';
// O_NONBLOCK: opening a FIFO someone placed in the tree must not hang the request.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

/** @internal A short text response. */
export function textResponse(
  status: number,
  text: string,
  headers: Record<string, string | number> = {},
): Response {
  return {
    status,
    headers: { ...headers, 'content-type': TEXT, 'content-length': Buffer.byteLength(text) },
    body: text,
  };
}

/** @internal What serving a path came to. */
export type FileOutcome =
  | { readonly kind: 'response'; readonly response: Response }
  | { readonly kind: 'directory' }
  | { readonly kind: 'missing' };

const DIRECTORY: FileOutcome = { kind: 'directory' };
const MISSING: FileOutcome = { kind: 'missing' };

interface Opened {
  readonly path: string;
  readonly stats: Stats;
  readonly handle: FileHandle | undefined;
}

/**
 * Opens (GET) or only stats (HEAD: no descriptor, no stream) a path. Resolves with
 * a status for errors the client should see.
 */
async function openPath(path: string, withHandle: boolean): Promise<Opened | number> {
  if (!withHandle) {
    try {
      return { path, stats: await stat(path), handle: undefined };
    } catch (error) {
      return failure(path, error);
    }
  }
  let handle: FileHandle;
  try {
    handle = await open(path, OPEN_FLAGS);
  } catch (error) {
    return failure(path, error);
  }
  try {
    return { path, stats: await handle.stat(), handle };
  } catch (error) {
    await handle.close().catch(() => {});
    return failure(path, error);
  }
}

function failure(path: string, error: unknown): number {
  const status = statusForErrno(error);
  if (status !== undefined) return status;
  throw new StaticError(
    'FILE_ERROR',
    `Cannot open ${basename(path)}: ${(error as Error)?.message ?? String(error)}`,
    { cause: error },
  );
}

function close(opened: Opened): void {
  opened.handle?.close().catch(() => {});
}

function statusResponse(status: number): Response {
  switch (status) {
    case 403:
      return textResponse(403, 'Forbidden');
    case 503:
      // Out of file descriptors: the condition passes; ask the client to retry.
      return textResponse(503, 'Service Unavailable: too many open files', { 'retry-after': 1 });
    default:
      return textResponse(404, 'Not Found');
  }
}

/**
 * The precompressed variant to serve, if any: the codings Accept-Encoding allows,
 * best first (q-values, then the configured order), tried on disk in that order
 * until one exists. `identity` stops the search: the client prefers the original.
 */
async function openVariant(
  request: Request,
  path: string,
  config: FileConfig,
  withHandle: boolean,
): Promise<{ opened: Opened; encoding: Encoding } | undefined> {
  const available: string[] = [...config.encodings, 'identity'];
  // @types/negotiator predates the `preferred` option of negotiator 1.x.
  const negotiator = new Negotiator({ headers: request.headers as never }) as unknown as {
    encodings(available: string[], options: { preferred: string[] }): string[];
  };
  const accepted = negotiator.encodings(available, { preferred: available });
  for (const coding of accepted) {
    if (coding === 'identity') return undefined;
    const encoding = coding as Encoding;
    const opened = await openPath(path + ENCODING_SUFFIX[encoding], withHandle);
    if (typeof opened === 'number') continue;
    if (opened.stats.isFile()) return { opened, encoding };
    close(opened);
  }
  return undefined;
}

/**
 * @internal The core of {@link serveFile} and {@link serveStatic}: the response for
 * `path`, or word that it is a directory or missing (so the directory route can
 * look for an index, redirect or fall through).
 */
export async function fileOutcome(
  request: Request,
  path: string,
  config: FileConfig,
): Promise<FileOutcome> {
  // A conditional GET often ends in 304 (or 412): `stat` first and open only for a
  // body. Otherwise open first and take the validators from the open descriptor.
  const conditional = CONDITIONAL_HEADERS.some((name) => request.headers[name] !== undefined);
  let early = request.method === 'GET' && !conditional;
  for (;;) {
    const outcome = await fileOutcomeOnce(request, path, config, early);
    if (outcome !== CHANGED) return outcome;
    // The file changed between `stat` and `open`: start again, opening first.
    early = true;
  }
}

const CONDITIONAL_HEADERS = [
  'if-none-match',
  'if-modified-since',
  'if-match',
  'if-unmodified-since',
];

/** The file changed between `stat` and `open`. */
const CHANGED: unique symbol = Symbol('changed');

async function fileOutcomeOnce(
  request: Request,
  path: string,
  config: FileConfig,
  isGet: boolean,
): Promise<FileOutcome | typeof CHANGED> {
  const original = await openPath(path, isGet);
  if (typeof original === 'number')
    return original === 404 ? MISSING : { kind: 'response', response: statusResponse(original) };
  if (original.stats.isDirectory()) {
    close(original);
    return DIRECTORY;
  }
  if (!original.stats.isFile()) {
    // A FIFO, socket or device has no length and no validators: not served.
    close(original);
    return MISSING;
  }
  let selected = original;
  let encoding: Encoding | undefined;
  if (config.encodings.length > 0) {
    let variant: Awaited<ReturnType<typeof openVariant>>;
    try {
      variant = await openVariant(request, path, config, isGet);
    } catch (error) {
      close(original);
      throw error;
    }
    if (variant !== undefined) {
      close(original);
      selected = variant.opened;
      encoding = variant.encoding;
    }
  }
  try {
    const response = await respond(request, selected, encoding, path, config);
    return response === CHANGED ? CHANGED : { kind: 'response', response };
  } catch (error) {
    close(selected);
    throw error;
  }
}

async function respond(
  request: Request,
  file: Opened,
  encoding: Encoding | undefined,
  originalPath: string,
  config: FileConfig,
): Promise<Response | typeof CHANGED> {
  const { stats } = file;
  const size = stats.size;
  const headers: Record<string, string | number | readonly string[]> = {};
  // Validators (RFC 9110 8.8): a variant has its own bytes, so its own tag.
  let etag: string | undefined;
  if (config.etag === 'weak') {
    etag = etagOf(stats, { weak: true });
    if (encoding !== undefined) etag = `${etag.slice(0, -1)}-${encoding}"`;
  } else if (config.etag === 'strong') {
    etag = await strongEtag(file.path, stats, file.handle);
  }
  let lastModified: number | undefined;
  if (config.lastModified) {
    lastModified = Math.floor(stats.mtimeMs / 1000) * 1000;
    headers['last-modified'] = new Date(lastModified).toUTCString();
  }
  if (etag !== undefined) headers.etag = etag;
  if (config.cacheControl !== undefined) headers['cache-control'] = config.cacheControl;
  if (config.encodings.length > 0) headers.vary = 'Accept-Encoding';
  if (config.headers !== undefined) Object.assign(headers, config.headers);
  const validators: Validators = {
    etag,
    lastModified,
    // 8.8.2.2: a modification date is strong once it is a second in the past.
    strongDate: Date.now() - stats.mtimeMs >= 1000,
  };

  const precondition = evaluatePreconditions(request.method, request.headers, validators);
  if (precondition === 'failed') {
    close(file);
    return textResponse(412, 'Precondition Failed');
  }
  if (precondition === 'not-modified') {
    // 15.4.5: a 304 carries the validators and caching headers, no content headers.
    close(file);
    return { status: 304, headers };
  }

  if (config.ranges) headers['accept-ranges'] = 'bytes';
  if (encoding !== undefined) headers['content-encoding'] = encoding;
  const type =
    config.contentType ?? (mimeContentType(basename(originalPath)) || 'application/octet-stream');

  // 14.2: Range is defined for GET only; a HEAD answers as a GET without Range would.
  let range = config.ranges && request.method === 'GET' ? header(request, 'range') : undefined;
  if (range !== undefined) {
    const ifRange = header(request, 'if-range');
    if (ifRange !== undefined && !ifRangeMatches(ifRange, validators)) range = undefined;
  }
  const wanted = parseRange(range, size, config.maxRanges);
  let status = 200;
  let parts: Part[];
  let length: number;
  let bodyType = type;
  if (wanted.kind === 'unsatisfiable') {
    close(file);
    // 15.5.17: the current length, so the client can ask again.
    return textResponse(416, 'Range Not Satisfiable', {
      ...headers,
      'content-range': `bytes */${size}`,
    });
  }
  if (wanted.kind === 'whole') {
    parts = size === 0 ? [] : [{ start: 0, end: size - 1 }];
    length = size;
  } else if (wanted.ranges.length === 1) {
    const only = wanted.ranges[0]!;
    status = 206;
    parts = [only];
    length = only.end - only.start + 1;
    headers['content-range'] = `bytes ${only.start}-${only.end}/${size}`;
  } else {
    status = 206;
    const boundary = randomBytes(12).toString('hex');
    ({ parts, length } = multipartLayout(wanted.ranges, size, type, boundary));
    bodyType = `multipart/byteranges; boundary=${boundary}`;
  }
  headers['content-type'] = bodyType;
  headers['content-length'] = length;
  let handle = file.handle;
  if (handle === undefined) {
    if (request.method !== 'GET') return { status, headers }; // HEAD: no descriptor, no body
    // A conditional GET that needs the body after all: open now, and check that the
    // bytes are those the validators and the length above describe.
    const late = await openPath(file.path, true);
    if (typeof late === 'number') return statusResponse(late);
    if (!sameVersion(late.stats, stats)) {
      close(late);
      return CHANGED;
    }
    handle = late.handle!;
  }
  if (length === 0) {
    handle.close().catch(() => {});
    return { status, headers, body: '' };
  }
  return {
    status,
    headers,
    body: filePartsBody(handle, file.path, parts, length, bodyType, config.chunkSize),
  };
}

function sameVersion(a: Stats, b: Stats): boolean {
  return a.ino === b.ino && a.dev === b.dev && a.size === b.size && a.mtimeMs === b.mtimeMs;
}

function header(request: Request, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/**
 * The response for a file the application chose (a download after an access
 * check, say), with everything RFC 9110 offers: ETag and Last-Modified,
 * conditional requests (412, 304), single and multiple ranges (206, 416), If-Range,
 * precompressed variants when asked for. HEAD gets the same head without the file
 * being opened.
 *
 * A GET's 200/206 response holds the open file: return it from the handler (the
 * adapter writes it or releases it; either closes the descriptor). A missing file
 * is a 404, a forbidden one 403, running out of descriptors 503; a directory is a
 * 404 here (see {@link serveStatic} for directories). Methods other than GET and
 * HEAD get 405 with `Allow: GET, HEAD`.
 *
 * @example
 * ```ts
 * import { serveFile } from '@plinth/static';
 *
 * const download = async (request) => {
 *   if (!(await mayDownload(request))) return { status: 403 };
 *   return serveFile(request, '/srv/reports/2026.pdf', {
 *     etag: 'strong', // lets a paused download resume with If-Range
 *     headers: { 'content-disposition': 'attachment; filename="2026.pdf"' },
 *   });
 * };
 * ```
 */
export async function serveFile(
  request: Request,
  path: string,
  options: ServeFileOptions = {},
): Promise<Response> {
  if (typeof path !== 'string' || path === '' || path.includes('\0')) {
    throw new StaticError(
      'INVALID_ARGUMENT',
      `serveFile(request, path): path must be a non-empty string without NUL, got ${JSON.stringify(path)}`,
    );
  }
  const config = fileConfig('serveFile(request, path, options)', options);
  if (request.method !== 'GET' && request.method !== 'HEAD') return methodNotAllowed();
  const outcome = await fileOutcome(request, path, config);
  return outcome.kind === 'response' ? outcome.response : textResponse(404, 'Not Found');
}

/** @internal 405 for anything but GET and HEAD. */
export function methodNotAllowed(): Response {
  return textResponse(405, 'Method Not Allowed', { allow: 'GET, HEAD' });
}
