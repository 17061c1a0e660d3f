import type { Readable } from 'node:stream';
import type { ReadBodyOptions, Request, RequestBody, RequestHeaders } from '@plinth/writeable-body';
import { describeValue } from '@plinth/writeable-body';
import { NodeAdapterError } from './errors';
import type { Exchange } from './exchange';

/** The default most bytes `request.body` reads: 1 MiB. */
export const DEFAULT_BODY_LIMIT: number = 1024 * 1024;

function checkLimit(options: ReadBodyOptions | undefined, fallback: number): number {
  if (options === undefined) return fallback;
  if (options === null || typeof options !== 'object') {
    throw new NodeAdapterError(
      'INVALID_ARGUMENT',
      `request.body: options must be an object, got ${describeValue(options)}`,
    );
  }
  const limit = options.limit;
  if (limit === undefined) return fallback;
  if (typeof limit !== 'number' || !(limit >= 0) || !Number.isSafeInteger(limit)) {
    throw new NodeAdapterError(
      'INVALID_ARGUMENT',
      `request.body: options.limit must be a non-negative integer, got ${describeValue(limit)}`,
    );
  }
  return limit;
}

function tooLarge(limit: number, declared: number | undefined): NodeAdapterError {
  return new NodeAdapterError(
    'BODY_TOO_LARGE',
    declared === undefined
      ? `Request body is larger than the limit of ${limit} bytes`
      : `Request body of ${declared} bytes (Content-Length) is larger than the limit of ${limit} bytes`,
    { status: 413 },
  );
}

/**
 * The request body: read on demand, once.
 * @internal
 */
export class NodeRequestBody implements RequestBody {
  readonly #exchange: Exchange;
  readonly #limit: number;
  #used = false;

  constructor(exchange: Exchange, limit: number) {
    this.#exchange = exchange;
    this.#limit = limit;
  }

  get length(): number | undefined {
    const value = this.#exchange.req.headers['content-length'];
    if (typeof value !== 'string' || value === '') return undefined;
    const length = Number(value);
    return Number.isSafeInteger(length) && length >= 0 ? length : undefined;
  }

  #claim(): Readable {
    if (this.#used) {
      throw new NodeAdapterError(
        'BODY_CONSUMED',
        'request.body was already read; it can be read once',
      );
    }
    this.#used = true;
    return this.#exchange.req as unknown as Readable;
  }

  async bytes(options?: ReadBodyOptions): Promise<Uint8Array> {
    const limit = checkLimit(options, this.#limit);
    const declared = this.length;
    if (declared !== undefined && declared > limit) {
      // Not read at all: the connection closes after the 413 instead.
      this.#exchange.closeAfter = true;
      throw tooLarge(limit, declared);
    }
    const stream = this.#claim();
    const chunks: Buffer[] = [];
    let total = 0;
    // destroyOnReturn: false, so stopping at the limit leaves the connection able to
    // carry the 413 (then closed, since the rest of the body is left unread).
    for await (const chunk of stream.iterator({ destroyOnReturn: false })) {
      const buffer = chunk as Buffer;
      total += buffer.byteLength;
      if (total > limit) {
        this.#exchange.closeAfter = true;
        stream.pause();
        throw tooLarge(limit, undefined);
      }
      chunks.push(buffer);
    }
    return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total);
  }

  async text(options?: ReadBodyOptions): Promise<string> {
    const bytes = await this.bytes(options);
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  }

  async json<T = unknown>(options?: ReadBodyOptions): Promise<T> {
    const text = await this.text(options);
    try {
      return JSON.parse(text) as T;
    } catch (error) {
      throw new NodeAdapterError(
        'MALFORMED_JSON',
        `Request body is not valid JSON: ${(error as Error).message}`,
        { status: 400, cause: error },
      );
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    return this.#claim().iterator({ destroyOnReturn: false }) as AsyncIterator<Uint8Array>;
  }
}

function splitHost(authority: string | undefined): [string, number | undefined] {
  if (authority === undefined || authority === '') return ['', undefined];
  let end = authority.length;
  let port: number | undefined;
  const colon = authority.lastIndexOf(':');
  // "[::1]:8080" or "host:8080", not the colons inside "[::1]".
  if (colon !== -1 && authority.indexOf(']', colon) === -1) {
    const n = Number(authority.slice(colon + 1));
    if (Number.isInteger(n) && n > 0 && n < 65536) port = n;
    end = colon;
  }
  let host = authority.slice(0, end);
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  return [host.toLowerCase(), port];
}

/**
 * The request map (SPEC's `Request`) over a Node request. Everything but `method`
 * and `url` is computed when first read, so a request that does not look at its
 * headers, query or body pays nothing for them. It is a class with getters: assign
 * `pathParams` / `query` on it rather than spreading it into a new object (a spread
 * copy keeps only `method`, `url` and what was assigned).
 * @internal
 */
export class NodeHttpRequest implements Request {
  readonly method: string;
  readonly url: string;
  /** Path parameters, set by a router. */
  declare pathParams?: Record<string, string>;
  /** Decoded query parameters, set by the router's `queryParams` interceptor. */
  declare query?: Record<string, string | string[]>;
  readonly #exchange: Exchange;
  #body: NodeRequestBody | undefined = undefined;
  #raw: { readonly req: unknown; readonly res: unknown } | undefined = undefined;

  constructor(exchange: Exchange) {
    this.#exchange = exchange;
    const req = exchange.req;
    this.method = req.method ?? 'GET';
    this.url = req.url ?? '/';
  }

  get path(): string {
    const url = this.url;
    const q = url.indexOf('?');
    return q === -1 ? url : url.slice(0, q);
  }

  get queryString(): string | undefined {
    const url = this.url;
    const q = url.indexOf('?');
    return q === -1 ? undefined : url.slice(q + 1);
  }

  get headers(): RequestHeaders {
    return this.#exchange.req.headers as RequestHeaders;
  }

  get body(): RequestBody {
    if (this.#body === undefined) {
      this.#body = new NodeRequestBody(this.#exchange, this.#exchange.serverState.bodyLimit);
    }
    return this.#body;
  }

  get remoteAddress(): string | undefined {
    return this.#exchange.req.socket?.remoteAddress;
  }

  get scheme(): 'http' | 'https' {
    const req = this.#exchange.req;
    if (req.httpVersionMajor === 2) {
      return req.headers[':scheme'] === 'https' ? 'https' : 'http';
    }
    return (req.socket as { encrypted?: boolean } | null)?.encrypted === true ? 'https' : 'http';
  }

  get #authority(): string | undefined {
    const headers = this.#exchange.req.headers;
    return (headers[':authority'] as string | undefined) ?? headers.host;
  }

  get host(): string {
    return splitHost(this.#authority)[0];
  }

  get port(): number | undefined {
    return splitHost(this.#authority)[1] ?? (this.scheme === 'https' ? 443 : 80);
  }

  get protocol(): string {
    return this.#exchange.protocol;
  }

  get signal(): AbortSignal {
    return this.#exchange.signal;
  }

  get raw(): { readonly req: unknown; readonly res: unknown } {
    if (this.#raw === undefined) this.#raw = { req: this.#exchange.req, res: this.#exchange.res };
    return this.#raw;
  }

  /** The fields a log line wants (not the body, not the raw objects). */
  toJSON(): object {
    return {
      method: this.method,
      url: this.url,
      protocol: this.protocol,
      remoteAddress: this.remoteAddress,
      pathParams: this.pathParams,
    };
  }
}
