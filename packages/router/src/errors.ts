import { isCodedError } from '@plinth/writeable-body';
/**
 * What went wrong, as {@link RouterError.code}:
 *
 * - `INVALID_ROUTE`: a route table entry is malformed (bad path, method, target or option).
 * - `DUPLICATE_ROUTE`: two routes share a name, or one would hide the other.
 * - `UNKNOWN_ROUTE`: `urlFor` was given a name no route has.
 * - `MISSING_PARAM`: `urlFor` lacks a value for a path parameter.
 * - `INVALID_PARAM`: `urlFor` got a parameter the route does not have, or a value the
 *   route would not match (empty, failing its constraint, not well-formed Unicode).
 * - `INVALID_RESPONSE`: a route's handler returned something that is not a response.
 * - `MALFORMED_QUERY`: a query string has a malformed percent-encoding (status 400).
 */
export type RouterErrorCode =
  | 'INVALID_ROUTE'
  | 'DUPLICATE_ROUTE'
  | 'UNKNOWN_ROUTE'
  | 'MISSING_PARAM'
  | 'INVALID_PARAM'
  | 'INVALID_RESPONSE'
  | 'MALFORMED_QUERY';

/** Options of a {@link RouterError}. */
export interface RouterErrorOptions {
  /** The name of the route concerned, when there is one. */
  route?: string | undefined;
  /** The HTTP status a request that caused this error deserves (400 for malformed input). */
  status?: number | undefined;
  /** The underlying error. */
  cause?: unknown;
}

/**
 * The one error class of `@plinth/router`: table errors at construction, `urlFor`
 * errors, and malformed request input (with `status` 400).
 *
 * @example
 * ```ts
 * try {
 *   app.urlFor('user', { params: {} });
 * } catch (e) {
 *   if (RouterError.isError(e) && e.code === 'MISSING_PARAM') console.error(e.message);
 * }
 * ```
 */
export class RouterError extends Error {
  override readonly name: 'RouterError' = 'RouterError';
  /** What went wrong. */
  readonly code: RouterErrorCode;
  /** The name of the route concerned, when there is one. */
  readonly route: string | undefined;
  /**
   * The HTTP status for errors caused by a request (400); `undefined` for
   * programming errors. The http-errors convention, so an adapter can map it.
   */
  readonly status: number | undefined;
  /** Malformed request input is safe to show the client; programming errors are not. */
  readonly expose: boolean;

  constructor(code: RouterErrorCode, message: string, options: RouterErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.route = options.route;
    this.status = options.status;
    this.expose = options.status !== undefined && options.status < 500;
  }

  /**
   * Tells whether a value is a {@link RouterError}, by name rather than `instanceof`,
   * so that errors from another copy of this package are recognised too.
   */
  static isError(error: unknown): error is RouterError {
    return isCodedError(error, 'RouterError');
  }
}

/**
 * Tells whether a value is a {@link RouterError}, by name rather than `instanceof`, so
 * that errors from another copy of this package count too: the package's guard,
 * the same test as {@link RouterError.isError}.
 *
 * @example
 * ```ts
 * try {
 *   app.urlFor('user', { params: {} });
 * } catch (error) {
 *   if (isRouterError(error) && error.code === 'MISSING_PARAM') console.error(error.message);
 * }
 * ```
 */
export function isRouterError(error: unknown): error is RouterError {
  return RouterError.isError(error);
}
