// The path a file() body reads from, for an adapter that has a faster native way to
// send a file (Bun.file, Deno.open; issue 20). Apart from file.ts so that reading it
// imports nothing from `node:`.

/**
 * The key under which a `file()` body carries its path. Registered with
 * `Symbol.for`, so copies of this package agree.
 * @internal
 */
export const FILE_PATH: unique symbol = Symbol.for('plinth.file-path') as never;

/**
 * The path of a `file()` body, or `undefined` for any other value. For adapters
 * that send files natively (`@plinth/fetch` on Bun and Deno); `prepare()` and
 * `writeBody()` remain the portable way to write it.
 *
 * @example
 * ```ts
 * filePathOf(file('public/index.html')); // 'public/index.html'
 * filePathOf('text'); // undefined
 * ```
 */
export function filePathOf(body: unknown): string | undefined {
  if (body === null || typeof body !== 'object') return undefined;
  const path = (body as { [FILE_PATH]?: unknown })[FILE_PATH];
  return typeof path === 'string' ? path : undefined;
}
