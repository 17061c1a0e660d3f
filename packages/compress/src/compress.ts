import { toWriteableBody } from '@plinth/body-writer';
import type { Interceptor } from '@plinth/interceptor';
import {
  type HttpContext,
  RESPONDER,
  type Response,
  responseSent,
  type WriteableBody,
} from '@plinth/writeable-body';
import compressible from 'compressible';
import { CompressedBody, LowLevelStream } from './bodies';
import {
  type ContentCoding,
  createCompressor,
  DEFAULT_CODINGS,
  HAS_ZSTD,
  type ZlibSettings,
} from './codings';
import { BLOCK_BYTES } from './compressing-sink';
import { CompressError } from './errors';
import { type PlanSettings, planResponse } from './plan';
import { CompressingResponder } from './responder';

/** Options of {@link compress}. */
export interface CompressOptions {
  /**
   * The codings offered, in the server's order of preference (used when the client
   * gives several the same q-value). `zstd` is refused where the running Node has no
   * zstd in `zlib` (Node 20).
   * @default ['br', 'gzip', 'deflate'], then 'zstd' where Node has it
   */
  encodings?: readonly ContentCoding[] | undefined;
  /**
   * Bodies whose length is known and below this many bytes go out uncompressed
   * (compression would cost more than it saves). Bodies of unknown length (streams,
   * sequences, event streams) are always compressed.
   * @default 1024
   */
  threshold?: number | undefined;
  /**
   * Which content types are compressed.
   * @default the `compressible` package's database (text, JSON, XML, JavaScript,
   * SVG, event streams, NDJSON …; not images, video, archives or octet-stream)
   */
  filter?: ((contentType: string) => boolean) | undefined;
  /**
   * Compress responses that say `Cache-Control: no-transform` all the same. That
   * directive binds intermediaries (RFC 9111 5.2.2.6); an application may lift it
   * for its own responses, as for event streams, whose `no-transform` is there to
   * keep proxies from buffering them. `true` for every response, or a predicate.
   * @default false (no-transform responses are left alone)
   */
  ignoreNoTransform?: boolean | ((ctx: HttpContext) => boolean) | undefined;
  /**
   * gzip and deflate level, 0 to 9.
   * @default 6
   */
  level?: number | undefined;
  /**
   * Brotli quality, 0 to 11. Brotli's own default, 11, is meant for files
   * compressed once; for responses made per request, 4 is about gzip's speed with a
   * better ratio.
   * @default 4
   */
  brotliQuality?: number | undefined;
  /**
   * zstd level.
   * @default 3
   */
  zstdLevel?: number | undefined;
  /**
   * The gzip/deflate window (`windowBits`, 9 to 15) of streamed responses (unknown
   * length: sequences, streams, event streams). Each open stream holds its zlib
   * state for as long as it is open; see the README's measurement.
   * @default 12 (4 KiB window)
   */
  streamWindowBits?: number | undefined;
  /**
   * The gzip/deflate `memLevel` (1 to 9) of streamed responses: the hash table and
   * the pending-output buffer, the larger part of zlib's state.
   * @default 5
   */
  streamMemLevel?: number | undefined;
  /**
   * The brotli window (`lgwin`, 10 to 24) of streamed responses.
   * @default 18 (256 KiB)
   */
  streamBrotliWindowBits?: number | undefined;
}

const WHERE = 'compress(options)';

function bad(name: string, expected: string, value: unknown): CompressError {
  return new CompressError(
    'INVALID_ARGUMENT',
    `${WHERE}: options.${name} must be ${expected}, got ${typeof value === 'string' ? JSON.stringify(value) : String(value)}`,
  );
}

function intOption(
  options: CompressOptions,
  name: keyof CompressOptions,
  fallback: number,
  min: number,
  max: number,
): number {
  const value = options[name];
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw bad(name, `an integer from ${min} to ${max}`, value);
  }
  return value;
}

// Line-delimited JSON, which the database does not list yet.
const JSON_LINES = /^application\/(?:x-)?(?:ndjson|jsonl|json-seq)\s*(?:;|$)/i;
const OCTET_STREAM = /^application\/octet-stream\s*(?:;|$)/i;

/**
 * The database's verdict, with two exceptions: line-delimited JSON (absent from it)
 * is compressible, and `application/octet-stream` (listed as compressible) is not:
 * bytes of unknown nature are as often already compressed (archives, media).
 */
function defaultFilter(contentType: string): boolean {
  if (JSON_LINES.test(contentType)) return true;
  if (OCTET_STREAM.test(contentType)) return false;
  return compressible(contentType) === true;
}

/**
 * An interceptor that compresses response bodies with Node's own zlib, negotiated
 * from `Accept-Encoding`. Put it before the interceptors whose responses it should
 * compress (its `leave` sees their Ring responses; its `enter` puts a responder in
 * front of the adapter's, so low-level streaming and `@plinth/sse`'s event streams
 * are compressed too).
 *
 * Every body type the body-writer knows is compressed as it is written: a flush
 * point (every `sink.flush()`, every SSE event and heartbeat, every
 * `writeResponseBody`, and whatever was written before the producer waited) ends
 * in a flushed block that the client decodes at once, while the writes in between
 * are compressed together. See the README for what is left uncompressed.
 *
 * @example
 * ```ts
 * import { compress } from '@plinth/compress';
 * import { createServer } from '@plinth/node';
 * import { eventStream } from '@plinth/sse';
 *
 * const server = createServer([
 *   compress({ ignoreNoTransform: true }), // our own event streams too
 *   eventStream((channel) => void channel.send({ data: 'hello' })),
 * ]);
 * ```
 */
export function compress(options: CompressOptions = {}): Interceptor<HttpContext> {
  if (options === null || typeof options !== 'object') {
    throw new CompressError('INVALID_ARGUMENT', `${WHERE}: options must be an object`);
  }
  const codings = options.encodings ?? DEFAULT_CODINGS;
  if (!Array.isArray(codings) || codings.length === 0) {
    throw bad('encodings', 'a non-empty array of codings', codings);
  }
  for (const coding of codings) {
    if (!['br', 'gzip', 'deflate', 'zstd'].includes(coding)) {
      throw bad('encodings', "an array of 'br', 'gzip', 'deflate', 'zstd'", coding);
    }
    if (coding === 'zstd' && !HAS_ZSTD) {
      throw new CompressError(
        'INVALID_ARGUMENT',
        `${WHERE}: options.encodings has 'zstd', but this Node (${process.version}) has no zstd in zlib`,
      );
    }
  }
  const threshold = intOption(options, 'threshold', 1024, 0, Number.MAX_SAFE_INTEGER);
  const filter = options.filter ?? defaultFilter;
  if (typeof filter !== 'function') throw bad('filter', 'a function', filter);
  const ignore = options.ignoreNoTransform ?? false;
  if (typeof ignore !== 'boolean' && typeof ignore !== 'function') {
    throw bad('ignoreNoTransform', 'a boolean or a function', ignore);
  }
  const level = intOption(options, 'level', 6, 0, 9);
  const brotliQuality = intOption(options, 'brotliQuality', 4, 0, 11);
  const zstdLevel = intOption(options, 'zstdLevel', 3, -131072, 22);
  const known: ZlibSettings = {
    level,
    windowBits: 15,
    memLevel: 8,
    brotliQuality,
    brotliWindowBits: 22,
    zstdLevel,
  };
  const streamed: ZlibSettings = {
    ...known,
    windowBits: intOption(options, 'streamWindowBits', 12, 9, 15),
    memLevel: intOption(options, 'streamMemLevel', 5, 1, 9),
    brotliWindowBits: intOption(options, 'streamBrotliWindowBits', 18, 10, 24),
  };
  const settings: PlanSettings = {
    codings,
    offered: [...codings, 'identity'],
    threshold,
    isCompressible: filter,
    ignoreNoTransform: typeof ignore === 'function' ? ignore : () => ignore,
  };

  const lowLevelStream = (coding: ContentCoding) =>
    new LowLevelStream(() => createCompressor(coding, streamed, undefined, BLOCK_BYTES));

  function enter(ctx: HttpContext): HttpContext {
    const responder = ctx?.[RESPONDER];
    if (responder === undefined || responder instanceof CompressingResponder) return ctx;
    ctx[RESPONDER] = new CompressingResponder(responder, (response, defaultType) => {
      const plan = planResponse(
        ctx,
        response.status,
        response.headers,
        defaultType,
        undefined,
        settings,
      );
      return plan === undefined ? undefined : { plan, create: lowLevelStream };
    });
    return ctx;
  }

  function leave(ctx: HttpContext): HttpContext {
    const response = ctx?.response;
    if (response === undefined || response === null || typeof response !== 'object') return ctx;
    if (responseSent(ctx)) return ctx;
    const raw: unknown = response.body;
    if (raw === undefined || raw === null) return ctx;
    let body: WriteableBody | undefined;
    try {
      body = toWriteableBody(raw);
    } catch {
      return ctx; // the adapter answers a bad body as it would without us
    }
    if (body === undefined) return ctx;
    const length = body.contentLength();
    const plan = planResponse(
      ctx,
      response.status,
      response.headers,
      body.defaultContentType(),
      length,
      settings,
    );
    if (plan === undefined) return ctx;
    let next: Response;
    if (plan.coding === undefined) next = { ...response, headers: plan.headers };
    else {
      const coding = plan.coding;
      const zlibSettings = length === undefined ? streamed : known;
      next = {
        ...response,
        headers: plan.headers,
        body: new CompressedBody(body, raw, () =>
          createCompressor(coding, zlibSettings, length, BLOCK_BYTES),
        ),
      };
    }
    ctx.response = next;
    return ctx;
  }

  return { name: 'plinth.compress', enter, leave };
}
