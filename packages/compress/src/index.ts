// @plinth/compress: response compression that streams.

export type { ContentCoding } from './codings';
export { DEFAULT_CODINGS, HAS_ZSTD } from './codings';
export type { CompressOptions } from './compress';
export { compress } from './compress';
export type { CompressErrorCode, CompressErrorOptions } from './errors';
export { CompressError, isCompressError } from './errors';
