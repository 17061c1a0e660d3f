/** A response header value: repeated headers (Set-Cookie) as arrays. */
export type HeaderValue = string | number | readonly string[];

/** Response headers by name; names are case-insensitive on the wire. */
export type ResponseHeaders = Record<string, HeaderValue | undefined>;

/**
 * The Ring-style response map: `{ status, headers?, body? }`. The body is any value
 * the body-writer protocol knows (see `@plinth/body-writer`).
 */
export interface Response<B = unknown> {
  /** The HTTP status code. */
  status: number;
  /** Response headers. */
  headers?: ResponseHeaders | undefined;
  /** The body; `null`/`undefined` for none. */
  body?: B;
}
