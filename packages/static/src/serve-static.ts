// One piece: mapping a request path under the root (prefix, decoding, the link
// check), directories (index, redirect, listing) and fall-through are the
// directory route's one decision; its options are validated beside it.
import { readdir, realpath } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import type { HttpContext, Request, Response } from '@plinth/writeable-body';
import { describe, StaticError } from './errors';
import { statusForErrno } from './internal/errno';
import { type DotfilesPolicy, escapeHtml, safeSegments } from './internal/safe-path';
import { type FileConfig, fileConfig, type ServeFileOptions } from './options';
import { type FileOutcome, fileOutcome, methodNotAllowed, textResponse } from './serve-file';

/** Options of {@link serveStatic}: those of {@link serveFile} and these. */
export interface ServeStaticOptions extends Omit<ServeFileOptions, 'contentType'> {
  /**
   * The URL path the directory is mounted at: a request outside it passes through
   * untouched, and the rest of its path names the file. Reads the raw
   * `request.path`, so it works in front of a router as well as behind a wildcard
   * route (`['/assets/*path', 'GET', serveStatic('public', { prefix: '/assets' })]`).
   * @default '/'
   */
  prefix?: string | undefined;
  /**
   * The files tried, in order, for a request naming a directory; `false` for none.
   * @default ['index.html']
   */
  index?: readonly string[] | false | undefined;
  /**
   * Redirect (301) a directory requested without its trailing slash to the same
   * path with one, keeping the query, so relative links in its index work.
   * @default true
   */
  redirect?: boolean | undefined;
  /**
   * Files and directories whose name starts with a dot: `'ignore'` answers 404 as
   * if they did not exist, `'deny'` 403, `'allow'` serves them.
   * @default 'ignore'
   */
  dotfiles?: DotfilesPolicy | undefined;
  /**
   * Serve symbolic links that resolve outside the root. By default they are
   * refused with 403 (links inside the root are followed).
   * @default false
   */
  followSymlinks?: boolean | undefined;
  /**
   * What a miss (no such file, or a method other than GET and HEAD) does: `false`
   * answers 404 (405), `true` leaves the context without a response, so the next
   * interceptor or route decides.
   * @default false
   */
  fallthrough?: boolean | undefined;
  /**
   * List a directory that has no index file, as HTML (names escaped).
   * @default false
   */
  listing?: boolean | undefined;
}

/** The interceptor {@link serveStatic} returns. */
export interface StaticInterceptor {
  /** `'serve-static'`. */
  readonly name: string;
  /** Sets `ctx.response` for requests under the prefix (see the options). */
  enter<C extends HttpContext>(ctx: C): Promise<C>;
}

interface StaticConfig {
  readonly root: string;
  readonly file: FileConfig;
  readonly prefix: string;
  readonly index: readonly string[];
  readonly redirect: boolean;
  readonly dotfiles: DotfilesPolicy;
  readonly followSymlinks: boolean;
  readonly fallthrough: boolean;
  readonly listing: boolean;
}

const WHERE = 'serveStatic(root, options)';

function flag(
  options: ServeStaticOptions,
  name: keyof ServeStaticOptions,
  fallback: boolean,
): boolean {
  const value = options[name];
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') {
    throw new StaticError(
      'INVALID_ARGUMENT',
      `${WHERE}: options.${name} must be a boolean, got ${describe(value)}`,
    );
  }
  return value;
}

function staticConfig(root: string, options: ServeStaticOptions): StaticConfig {
  if (typeof root !== 'string' || root === '') {
    throw new StaticError(
      'INVALID_ARGUMENT',
      `${WHERE}: root must be a non-empty string, got ${describe(root)}`,
    );
  }
  const file = fileConfig(WHERE, options);
  if ((options as ServeFileOptions).contentType !== undefined) {
    throw new StaticError(
      'INVALID_ARGUMENT',
      `${WHERE}: options.contentType is for serveFile; a directory's types come from the file names`,
    );
  }
  let prefix = options.prefix ?? '/';
  if (typeof prefix !== 'string' || !prefix.startsWith('/')) {
    throw new StaticError(
      'INVALID_ARGUMENT',
      `${WHERE}: options.prefix must be a path starting with "/", got ${describe(prefix)}`,
    );
  }
  if (prefix.length > 1 && prefix.endsWith('/')) prefix = prefix.slice(0, -1);
  const index = options.index ?? ['index.html'];
  if (
    index !== false &&
    !(
      Array.isArray(index) &&
      index.every((n) => typeof n === 'string' && n !== '' && !/[/\\\0]/.test(n))
    )
  ) {
    throw new StaticError(
      'INVALID_ARGUMENT',
      `${WHERE}: options.index must be false or a list of file names, got ${describe(index)}`,
    );
  }
  const dotfiles = options.dotfiles ?? 'ignore';
  if (dotfiles !== 'ignore' && dotfiles !== 'deny' && dotfiles !== 'allow') {
    throw new StaticError(
      'INVALID_ARGUMENT',
      `${WHERE}: options.dotfiles must be 'ignore', 'deny' or 'allow', got ${describe(dotfiles)}`,
    );
  }
  return {
    root: resolve(root),
    file,
    prefix: prefix === '/' ? '' : prefix,
    index: index === false ? [] : index,
    redirect: flag(options, 'redirect', true),
    dotfiles,
    followSymlinks: flag(options, 'followSymlinks', false),
    fallthrough: flag(options, 'fallthrough', false),
    listing: flag(options, 'listing', false),
  };
}

/**
 * A directory as an interceptor (or a route's target): GET and HEAD of a path under
 * `prefix` answer with the file at the same place under `root`, with everything
 * {@link serveFile} does, plus index files, the trailing-slash redirect, an
 * optional listing, and the guarantee that no byte from outside `root` is served:
 * the path is decoded once, dot segments, encoded slashes, backslashes and NUL
 * bytes are refused (403), dotfiles are hidden, and links resolving outside the
 * root are refused unless `followSymlinks` is set. Errors are 403/404/503, never 500.
 *
 * @example
 * ```ts
 * import { createServer } from '@plinth/node';
 * import { serveStatic } from '@plinth/static';
 *
 * const server = createServer([
 *   serveStatic('public', { prefix: '/assets', maxAge: 31536000, immutable: true, precompressed: true }),
 *   () => ({ status: 404, body: 'no such page' }),
 * ]);
 * await server.start();
 * ```
 */
export function serveStatic(root: string, options: ServeStaticOptions = {}): StaticInterceptor {
  if (options === null || typeof options !== 'object') {
    throw new StaticError(
      'INVALID_ARGUMENT',
      `${WHERE}: options must be an object, got ${describe(options)}`,
    );
  }
  const config = staticConfig(root, options);
  let realRoot: Promise<string> | undefined;
  const rootReal = (): Promise<string> => {
    realRoot ??= realpath(config.root).catch((error) => {
      realRoot = undefined;
      throw error;
    });
    return realRoot;
  };
  return {
    name: 'serve-static',
    async enter<C extends HttpContext>(ctx: C): Promise<C> {
      const response = await serveUnder(ctx.request, config, rootReal);
      if (response !== undefined) ctx.response = response;
      return ctx;
    },
  };
}

async function serveUnder(
  request: Request,
  config: StaticConfig,
  rootReal: () => Promise<string>,
): Promise<Response | undefined> {
  const path = request.path;
  const { prefix } = config;
  if (
    prefix !== '' &&
    !(path.startsWith(prefix) && (path.length === prefix.length || path[prefix.length] === '/'))
  ) {
    return undefined; // not ours
  }
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    return config.fallthrough ? undefined : methodNotAllowed();
  }
  const safe = safeSegments(path.slice(prefix.length), config.dotfiles);
  if (safe.kind === 'refused') {
    if (safe.status === 404 && config.fallthrough) return undefined;
    return textResponse(
      safe.status,
      safe.status === 400
        ? `Bad Request: ${safe.reason}`
        : safe.status === 403
          ? 'Forbidden'
          : 'Not Found',
    );
  }
  const target = join(config.root, ...safe.segments);
  // The link check and the file's own work run side by side (both wait on the
  // file system's thread pool); a response for a path the check refuses is given
  // up unsent, its descriptor closed.
  const [checked, served] = await Promise.allSettled([
    config.followSymlinks ? undefined : outsideRoot(target, rootReal),
    fileOutcome(request, target, config.file),
  ]);
  if (checked.status === 'rejected' || checked.value !== undefined) {
    if (served.status === 'fulfilled') discard(served.value);
    if (checked.status === 'rejected') throw checked.reason;
    const refusal = checked.value!;
    return refusal === 404 && config.fallthrough ? undefined : statusText(refusal);
  }
  if (served.status === 'rejected') throw served.reason;
  const outcome = served.value;
  if (outcome.kind === 'response') {
    // A trailing slash names a directory; a file is not served under that name.
    if (safe.directory && safe.segments.length > 0 && outcome.response.status < 400) {
      discard(outcome);
      return config.fallthrough ? undefined : statusText(404);
    }
    return outcome.response;
  }
  if (outcome.kind === 'missing') return config.fallthrough ? undefined : statusText(404);
  // A directory.
  if (!safe.directory) {
    if (!config.redirect) return config.fallthrough ? undefined : statusText(404);
    // One leading slash only: `//evil.example/dir` must not become a protocol-relative
    // Location pointing at another host.
    const location = `${path.replace(/^\/+/, '/')}/${request.queryString === undefined ? '' : `?${request.queryString}`}`;
    return textResponse(301, `Moved Permanently: ${location}`, { location });
  }
  for (const name of config.index) {
    const index = await fileOutcome(request, join(target, name), config.file);
    if (index.kind === 'response') return index.response;
  }
  if (config.listing) return listing(request, target, path);
  return config.fallthrough ? undefined : statusText(404);
}

/** Releases the descriptor a response that will not be sent holds. */
function discard(outcome: FileOutcome): void {
  if (outcome.kind !== 'response') return;
  const body = outcome.response.body as { release?: () => void } | undefined;
  if (typeof body?.release === 'function') body.release();
}

function statusText(status: number): Response {
  return status === 403
    ? textResponse(403, 'Forbidden')
    : status === 503
      ? textResponse(503, 'Service Unavailable', { 'retry-after': 1 })
      : textResponse(404, 'Not Found');
}

/** 403 when the path resolves (through links) outside the root, 404 when it is missing. */
async function outsideRoot(
  target: string,
  rootReal: () => Promise<string>,
): Promise<number | undefined> {
  let real: string;
  let base: string;
  try {
    [real, base] = await Promise.all([realpath(target), rootReal()]);
  } catch (error) {
    const status = statusForErrno(error);
    if (status !== undefined) return status;
    throw error;
  }
  if (real === base || real.startsWith(base.endsWith(sep) ? base : base + sep)) return undefined;
  return 403;
}

async function listing(request: Request, dir: string, path: string): Promise<Response> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    return statusText(statusForErrno(error) ?? 404);
  }
  const items = entries
    .filter((e) => !e.name.startsWith('.'))
    .map((e) => (e.isDirectory() ? `${e.name}/` : e.name))
    .sort()
    .map(
      (name) =>
        `<li><a href="${escapeHtml(encodeURIComponent(name.replace(/\/$/, '')) + (name.endsWith('/') ? '/' : ''))}">${escapeHtml(name)}</a></li>`,
    );
  const title = escapeHtml(safeDecode(path));
  const html = `<!doctype html>\n<meta charset="utf-8">\n<title>Index of ${title}</title>\n<h1>Index of ${title}</h1>\n<ul>\n${items.join('\n')}\n</ul>\n`;
  return {
    status: 200,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'content-length': Buffer.byteLength(html),
    },
    body: request.method === 'HEAD' ? undefined : html,
  };
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
