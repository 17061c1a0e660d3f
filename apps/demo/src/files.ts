import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import { serveFile } from '@plinth/static';
import type { Request, Response } from '@plinth/writeable-body';

/**
 * Resolves a file name from the URL to a regular file inside `root`, or
 * `undefined`. The name is one decoded path segment; refused: empty, `.`/`..`,
 * names starting with a dot, anything with `/`, `\` or NUL (so an encoded
 * `..%2F` cannot climb), absolute paths, and any name whose real path (symlinks
 * followed) is outside the real `root`.
 *
 * @example
 * ```ts
 * await resolveAsset('/srv/assets', 'hello.txt'); // '/srv/assets/hello.txt'
 * await resolveAsset('/srv/assets', '../secret'); // undefined
 * ```
 */
export async function resolveAsset(root: string, name: string): Promise<string | undefined> {
  if (name === '' || name.startsWith('.') || /[/\\\0]/.test(name) || isAbsolute(name)) {
    return undefined;
  }
  try {
    const realRoot = await realpath(root);
    const real = await realpath(join(realRoot, name));
    const rel = relative(realRoot, real);
    if (rel === '' || rel.startsWith(`..${sep}`) || rel === '..' || isAbsolute(rel)) {
      return undefined;
    }
    return (await stat(real)).isFile() ? real : undefined;
  } catch {
    // ENOENT, ENOTDIR, ELOOP, EACCES: all of them are "no such file" to the client.
    return undefined;
  }
}

/**
 * `GET /files/:name` (and HEAD): a file from the assets folder, answered by
 * `@plinth/static`'s `serveFile` (type from the extension, ETag, conditional
 * requests, ranges). With `download`, the file comes as an attachment with a strong
 * ETag, so an interrupted download resumes with `Range` + `If-Range`
 * (`GET /download/:name`).
 * @internal
 */
export function filesHandler(
  assetsDir: string,
  download = false,
): (request: Request) => Promise<Response> {
  return async (request) => {
    const name = request.pathParams?.name ?? '';
    const path = await resolveAsset(assetsDir, name);
    if (path === undefined) {
      return {
        status: 404,
        headers: { 'content-type': 'text/plain; charset=utf-8' },
        body: `no file named ${JSON.stringify(name)} in the assets folder\n`,
      };
    }
    if (!download) return serveFile(request, path);
    return serveFile(request, path, {
      etag: 'strong',
      headers: {
        'content-disposition': `attachment; filename="${name.replace(/["\\\r\n]/g, '_')}"`,
      },
    });
  };
}
