import type { ReadBodyOptions, Request, RequestBody, RequestHeaders } from '@plinth/writeable-body';
import { describeValue } from '@plinth/writeable-body';
import { FetchAdapterError } from './errors';
import type { FetchExchange } from './exchange';

/** The default most bytes `request.body` reads: 1 MiB, as on Node. */
export const DEFAULT_BODY_LIMIT: number = 1024 * 1024;

function checkLimit(options: ReadBodyOptions | undefined, fallback: number): number {
  if (options === undefined) return fallback;
  if (options === null || typeof options !== 'object') {
    throw new FetchAdapterError(
      'INVALID_ARGUMENT',
      `request.body: options must be an object, got ${describeValue(options)}`,
    );
  }
  const limit = options.limit;
  if (limit === undefined) return fallback;
  if (typeof limit !== 'number' || !(limit >= 0) || !Number.isSafeInteger(limit)) {
    throw new FetchAdapterError(
      'INVALID_ARGUMENT',
      `request.body: options.limit must be a non-negative integer, got ${describeValue(limit)}`,
    );
  }
  return limit;
}

function tooLarge(limit: number, declared: number | undefined): FetchAdapterError {
  return new FetchAdapterError(
    'BODY_TOO_LARGE',
    declared === undefined
      ? `Request body is larger than the limit of ${limit} bytes`
      : `Request body of ${declared} bytes (Content-Length) is larger than the limit of ${limit} bytes`,
    { status: 413 },
  );
}

const EMPTY = new Uint8Array(0);

/**
 * The request body over the Fetch request's `ReadableStream`: read on demand, once,
 * with the limits and errors of `@plinth/node`.
 * @internal
 */
export class FetchRequestBody implements RequestBody {
  readonly #request: globalThis.Request;
  readonly #limit: number;
  #used = false;

  constructor(request: globalThis.Request, limit: number) {
    this.#request = request;
    this.#limit = limit;
  }

  get length(): number | undefined {
    const value = this.#request.headers.get('content-length');
    if (value === null || value === '') return undefined;
    const length = Number(value);
    return Number.isSafeInteger(length) && length >= 0 ? length : undefined;
  }

  #claim(): ReadableStream<Uint8Array> | null {
    if (this.#used || this.#request.bodyUsed) {
      throw new FetchAdapterError(
        'BODY_CONSUMED',
        'request.body was already read; it can be read once',
      );
    }
    this.#used = true;
    return this.#request.body;
  }

  async bytes(options?: ReadBodyOptions): Promise<Uint8Array> {
    const limit = checkLimit(options, this.#limit);
    const declared = this.length;
    if (declared !== undefined && declared > limit) {
      // Not read at all: the runtime discards the rest.
      this.#used = true;
      this.#request.body?.cancel().catch(() => {});
      throw tooLarge(limit, declared);
    }
    const stream = this.#claim();
    if (stream === null) return EMPTY;
    const reader = stream.getReader();
    const chunks: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > limit) {
        reader.cancel().catch(() => {});
        throw tooLarge(limit, undefined);
      }
      chunks.push(value);
    }
    if (chunks.length === 1) return chunks[0]!;
    const out = new Uint8Array(total);
    let at = 0;
    for (const chunk of chunks) {
      out.set(chunk, at);
      at += chunk.byteLength;
    }
    return out;
  }

  async text(options?: ReadBodyOptions): Promise<string> {
    return new TextDecoder().decode(await this.bytes(options));
  }

  async json<T = unknown>(options?: ReadBodyOptions): Promise<T> {
    const text = await this.text(options);
    try {
      return JSON.parse(text) as T;
    } catch (error) {
      throw new FetchAdapterError(
        'MALFORMED_JSON',
        `Request body is not valid JSON: ${(error as Error).message}`,
        { status: 400, cause: error },
      );
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    const stream = this.#claim();
    if (stream === null) {
      return { next: () => Promise.resolve({ done: true, value: undefined }) };
    }
    const reader = stream.getReader();
    return {
      next: () =>
        reader
          .read()
          .then((step) =>
            step.done ? { done: true, value: undefined } : { done: false, value: step.value },
          ),
      return: () => {
        reader.cancel().catch(() => {});
        return Promise.resolve({ done: true, value: undefined });
      },
    };
  }
}

function splitHost(authority: string | null): [string, number | undefined] {
  if (authority === null || authority === '') return ['', undefined];
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

/** The path and query of an absolute URL, as a Node request's `url` has them. */
function targetOf(url: string): string {
  const authority = url.indexOf('//');
  const slash = url.indexOf('/', authority === -1 ? 0 : authority + 2);
  if (slash === -1) return '/';
  const hash = url.indexOf('#', slash);
  return hash === -1 ? url.slice(slash) : url.slice(slash, hash);
}

/**
 * The request map (SPEC's `Request`) over a Fetch `Request`. Everything but
 * `method` and `url` is computed when first read.
 * @internal
 */
export class FetchHttpRequest implements Request {
  readonly method: string;
  readonly url: string;
  declare pathParams?: Record<string, string>;
  declare query?: Record<string, string | string[]>;
  readonly #exchange: FetchExchange;
  #headers: RequestHeaders | undefined = undefined;
  #body: FetchRequestBody | undefined = undefined;

  constructor(exchange: FetchExchange) {
    this.#exchange = exchange;
    const request = exchange.request;
    this.method = request.method;
    this.url = targetOf(request.url);
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
    if (this.#headers === undefined) {
      // Lower-cased names (the Fetch Headers already are); repeated headers arrive
      // joined by ", ", except Set-Cookie, kept as an array as Node does.
      const out: Record<string, string | string[]> = Object.create(null);
      const headers = this.#exchange.request.headers;
      headers.forEach((value, name) => {
        out[name] = value;
      });
      if (out['set-cookie'] !== undefined && typeof headers.getSetCookie === 'function') {
        out['set-cookie'] = headers.getSetCookie();
      }
      this.#headers = out;
    }
    return this.#headers;
  }

  get body(): RequestBody {
    if (this.#body === undefined) {
      this.#body = new FetchRequestBody(this.#exchange.request, this.#exchange.state.bodyLimit);
    }
    return this.#body;
  }

  get remoteAddress(): string | undefined {
    return this.#exchange.remoteAddress;
  }

  get scheme(): 'http' | 'https' {
    return this.#exchange.request.url.startsWith('https:') ? 'https' : 'http';
  }

  get #authority(): string | null {
    const request = this.#exchange.request;
    const host = request.headers.get('host');
    if (host !== null) return host;
    const url = request.url;
    const start = url.indexOf('//');
    if (start === -1) return null;
    const end = url.indexOf('/', start + 2);
    return url.slice(start + 2, end === -1 ? url.length : end);
  }

  get host(): string {
    return splitHost(this.#authority)[0];
  }

  get port(): number | undefined {
    return splitHost(this.#authority)[1] ?? (this.scheme === 'https' ? 443 : 80);
  }

  /**
   * The Fetch API does not tell the HTTP version: `HTTP/1.1` unless the runtime's
   * request says otherwise.
   */
  get protocol(): string {
    return 'HTTP/1.1';
  }

  get signal(): AbortSignal {
    return this.#exchange.signal;
  }

  get raw(): { readonly req: unknown; readonly res: unknown } {
    return { req: this.#exchange.request, res: undefined };
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
