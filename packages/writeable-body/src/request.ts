/** Request headers as Node gives them: names lower-cased, repeated ones as arrays. */
export type RequestHeaders = Readonly<Record<string, string | string[] | undefined>>;

/** Options for reading a whole request body. */
export interface ReadBodyOptions {
  /**
   * The most bytes to accept. A body that declares or sends more fails with an
   * error whose `status` is 413, without the rest being read into memory.
   * @default 1048576 (1 MiB)
   */
  limit?: number;
}

/**
 * The request body: a byte stream read on demand. Nothing is read until one of
 * these is called (or the body is iterated), and it can be read once.
 */
export interface RequestBody extends AsyncIterable<Uint8Array> {
  /** The declared length (Content-Length), when there is one. */
  readonly length: number | undefined;
  /** Reads the whole body (up to `limit`). */
  bytes(options?: ReadBodyOptions): Promise<Uint8Array>;
  /** Reads the whole body as UTF-8 text (up to `limit`). */
  text(options?: ReadBodyOptions): Promise<string>;
  /**
   * Reads and parses the body as JSON (up to `limit`); malformed JSON fails with an
   * error whose `status` is 400.
   */
  json<T = unknown>(options?: ReadBodyOptions): Promise<T>;
}

/**
 * The Ring-style request map every Plinth package shares. Adapters build it
 * cheaply: parts a request does not use are computed on first access.
 */
export interface Request {
  /** The method, upper-case as sent (`GET`, `POST`, …). */
  readonly method: string;
  /** The request target as sent: path and query string. */
  readonly url: string;
  /** The path part of the target, not decoded. */
  readonly path: string;
  /** The query string without `?`, or `undefined` when the target has none. */
  readonly queryString: string | undefined;
  /** Lower-cased header names. */
  readonly headers: RequestHeaders;
  /** The body, read on demand. */
  readonly body: RequestBody;
  /** The peer's address. */
  readonly remoteAddress: string | undefined;
  /** `http` or `https`. */
  readonly scheme: 'http' | 'https';
  /** The host name the client asked for (Host or `:authority`), without the port. */
  readonly host: string;
  /** The port the client asked for, or the default port of the scheme. */
  readonly port: number | undefined;
  /** `HTTP/1.0`, `HTTP/1.1` or `HTTP/2.0`. */
  readonly protocol: string;
  /** Aborted when the client disconnects (or the response is aborted). */
  readonly signal: AbortSignal;
  /** Path parameters, set by a router. */
  pathParams?: Record<string, string>;
  /** Decoded query parameters, set by the router's `queryParams` interceptor. */
  query?: Record<string, string | string[]>;
  /** The adapter's own objects (Node's request and response), for escape hatches. */
  readonly raw?: { readonly req: unknown; readonly res: unknown };
}
