import type { Transform } from 'node:stream';
import zlib from 'node:zlib';

/** A content coding this package can produce. */
export type ContentCoding = 'br' | 'gzip' | 'deflate' | 'zstd';

/**
 * Tells whether the running Node has zstd in `zlib` (Node 22.15 and 23.8 on; absent
 * on Node 20). Detected, never assumed.
 */
export const HAS_ZSTD: boolean =
  typeof (zlib as { createZstdCompress?: unknown }).createZstdCompress === 'function';

/**
 * The codings in the server's order of preference, zstd last and only where Node
 * has it: what {@link compress} offers unless told otherwise.
 */
export const DEFAULT_CODINGS: readonly ContentCoding[] = Object.freeze(
  HAS_ZSTD ? ['br', 'gzip', 'deflate', 'zstd'] : ['br', 'gzip', 'deflate'],
);

/**
 * The zlib settings of one response, resolved from the options.
 * @internal
 */
export interface ZlibSettings {
  /** gzip/deflate level. */
  readonly level: number;
  /** gzip/deflate window (8..15) and memLevel (1..9). */
  readonly windowBits: number;
  readonly memLevel: number;
  /** Brotli quality (0..11) and window (10..24). */
  readonly brotliQuality: number;
  readonly brotliWindowBits: number;
  /** zstd level. */
  readonly zstdLevel: number;
}

const C = zlib.constants as Record<string, number>;

/**
 * Makes the zlib stream for one response. Every write to it is a flushed block
 * (the `flush` option), so a write is a flush point: the compressing sink decides
 * when to write (at each `flush()`, when a block is full, or once per turn of the
 * event loop). The flush kind is the coding's own: Z_SYNC_FLUSH for gzip/deflate,
 * BROTLI_OPERATION_FLUSH for brotli (a zlib flush constant there means something
 * else and can hang the stream), ZSTD_e_flush for zstd.
 * @internal
 */
export function createCompressor(
  coding: ContentCoding,
  settings: ZlibSettings,
  sizeHint: number | undefined,
  blockBytes: number,
): Transform {
  // Two blocks may wait in zlib: the producer fills the next one while one compresses.
  const writableHighWaterMark = 2 * blockBytes;
  switch (coding) {
    case 'gzip':
    case 'deflate': {
      const options = {
        level: settings.level,
        windowBits: settings.windowBits,
        memLevel: settings.memLevel,
        flush: C.Z_SYNC_FLUSH,
        writableHighWaterMark,
      };
      return coding === 'gzip' ? zlib.createGzip(options) : zlib.createDeflate(options);
    }
    case 'br': {
      const params: Record<number, number> = {
        [C.BROTLI_PARAM_QUALITY as number]: settings.brotliQuality,
        [C.BROTLI_PARAM_LGWIN as number]: settings.brotliWindowBits,
      };
      if (sizeHint !== undefined) params[C.BROTLI_PARAM_SIZE_HINT as number] = sizeHint;
      return zlib.createBrotliCompress({
        flush: C.BROTLI_OPERATION_FLUSH,
        finishFlush: C.BROTLI_OPERATION_FINISH,
        params,
        writableHighWaterMark,
      } as zlib.BrotliOptions);
    }
    case 'zstd': {
      const create = (zlib as unknown as { createZstdCompress: (o: object) => Transform })
        .createZstdCompress;
      return create({
        flush: C.ZSTD_e_flush,
        finishFlush: C.ZSTD_e_end,
        params: { [C.ZSTD_c_compressionLevel as number]: settings.zstdLevel },
        writableHighWaterMark,
      });
    }
  }
}
