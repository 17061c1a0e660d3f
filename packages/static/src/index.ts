// @plinth/static: files and directories to RFC 9110.

// Errors
export type { StaticErrorCode, StaticErrorOptions } from './errors';
export { isStaticError, StaticError } from './errors';
export type { DotfilesPolicy } from './internal/safe-path';
// Options
export type { Encoding, ServeFileOptions } from './options';
// A file the application chose
export { serveFile } from './serve-file';
// A directory
export type { ServeStaticOptions, StaticInterceptor } from './serve-static';
export { serveStatic } from './serve-static';
