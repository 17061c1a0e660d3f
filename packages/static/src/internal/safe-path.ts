/** How a dotfile (a path segment starting with `.`) is treated. */
export type DotfilesPolicy = 'ignore' | 'deny' | 'allow';

/** What a request path maps to under the root. */
export type SafePath =
  | { readonly kind: 'ok'; readonly segments: readonly string[]; readonly directory: boolean }
  | { readonly kind: 'refused'; readonly status: 400 | 403 | 404; readonly reason: string };

/**
 * Maps the raw path of a request (after the mount prefix) to file-name segments,
 * decoding each segment exactly once. Nothing that could name a file outside the
 * root survives: a segment that decodes to `.` or `..` (`%2e%2e` too), or holds a
 * slash (`%2F`), a backslash or a NUL byte is refused with 403, whatever it would
 * resolve to; a malformed escape is a 400. Dotfiles follow `dotfiles`.
 *
 * @internal
 */
export function safeSegments(rawPath: string, dotfiles: DotfilesPolicy): SafePath {
  const raw = rawPath.split('/');
  const segments: string[] = [];
  for (const piece of raw) {
    if (piece === '') continue; // leading, trailing or doubled slash
    let name: string;
    try {
      name = decodeURIComponent(piece);
    } catch {
      return { kind: 'refused', status: 400, reason: `malformed percent-encoding in "${piece}"` };
    }
    if (name === '.' || name === '..') {
      return { kind: 'refused', status: 403, reason: 'dot segment' };
    }
    if (name.includes('/') || name.includes('\\') || name.includes('\0')) {
      return { kind: 'refused', status: 403, reason: 'slash, backslash or NUL in a segment' };
    }
    if (name.startsWith('.') && dotfiles !== 'allow') {
      return dotfiles === 'deny'
        ? { kind: 'refused', status: 403, reason: 'dotfile' }
        : { kind: 'refused', status: 404, reason: 'dotfile' };
    }
    segments.push(name);
  }
  return { kind: 'ok', segments, directory: rawPath.endsWith('/') };
}

/** @internal Escapes text for HTML (a directory listing). */
export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}
