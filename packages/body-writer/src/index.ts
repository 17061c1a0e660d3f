// @plinth/body-writer: how every standard body type writes itself to the client.

// The protocol
export { contentLength, defaultContentType, toWriteableBody, writeBodyToStream } from './body';
export type { BodyWriterErrorCode, BodyWriterErrorOptions } from './errors';
// Errors
export { BodyWriterError, isBodyWriterError } from './errors';
export type { FileOptions } from './file';
// Body constructors
export { DEFAULT_FILE_CHUNK, file } from './file';
export type { BodyWriterExtension, BodyWriterTest } from './registry';
// Extending the protocol
export { extendBodyWriter } from './registry';
export { ndjson, text } from './wrappers';
