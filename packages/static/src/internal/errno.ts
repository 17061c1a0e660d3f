/** How a file-system error reaches the client. */
export type FsOutcome = 404 | 403 | 503 | undefined;

/**
 * The status for a file-system error code: missing things 404, forbidden ones 403,
 * running out of descriptors 503 (the server is overloaded, not broken), and
 * `undefined` for errors that are the server's fault (500).
 */
export function statusForErrno(error: unknown): FsOutcome {
  const code = (error as { code?: unknown } | null)?.code;
  switch (code) {
    case 'ENOENT':
    case 'ENOTDIR':
    case 'ENAMETOOLONG':
    case 'ELOOP':
    case 'EISDIR':
      return 404;
    case 'EACCES':
    case 'EPERM':
      return 403;
    case 'EMFILE':
    case 'ENFILE':
      return 503;
    default:
      return undefined;
  }
}
