import { join } from 'node:path';
import { serveFile } from '@plinth/static';
import type { Request, Response } from '@plinth/writeable-body';

/** The files of the web page, by URL path. Nothing else in public/ is served. */
export const PAGE_FILES: Readonly<Record<string, string>> = {
  '/': 'index.html',
  '/app.css': 'app.css',
  '/app.js': 'app.js',
  '/favicon.svg': 'favicon.svg',
};

/**
 * Serves one file of the page (`public/`): a fixed list, so no path from the URL
 * ever reaches the file system here. Served by `@plinth/static`'s `serveFile`:
 * ETag and Last-Modified, so a reload revalidates with a 304; `no-cache` so an
 * edited page shows at once.
 * @internal
 */
export function pageHandler(
  publicDir: string,
  name: string,
): (request: Request) => Promise<Response> {
  const path = join(publicDir, name);
  return (request) => serveFile(request, path, { cacheControl: 'no-cache' });
}
