// @plinth/body-writer/portable: the body-writer protocol without the parts that need
// Node's built-ins (file(), which opens files with node:fs). What runs on Bun, Deno
// and workers (issue 20); the main entry re-exports all of it, plus file().

// The protocol
export { contentLength, defaultContentType, toWriteableBody, writeBodyToStream } from './body';
export type { BodyWriterErrorCode, BodyWriterErrorOptions } from './errors';
// Errors
export { BodyWriterError, isBodyWriterError } from './errors';
// What an adapter with a native file path reads from a file() body
export { filePathOf } from './file-path';
export type { BodyWriterExtension, BodyWriterTest } from './registry';
// Extending the protocol
export { extendBodyWriter } from './registry';
export type { ElementSerializer, SequenceOptions } from './wrappers';
// Body constructors
export { jsonArray, ndjson, text } from './wrappers';
