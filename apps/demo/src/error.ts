/** Options of the {@link DemoError} constructor. */
export interface DemoErrorOptions {
  /**
   * The HTTP status the adapter answers with (a 4xx), the message as the body.
   * @default 400
   */
  status?: number | undefined;
  /**
   * The underlying error.
   * @default undefined
   */
  cause?: unknown;
}

/**
 * The demo's one error class: bad input from a client. It carries the status the
 * `@plinth/node` adapter answers with (the http-errors convention: a 4xx `status`
 * and `expose` make the message the text/plain body), so handlers just throw it.
 *
 * @example
 * ```ts
 * throw new DemoError('limit must be a non-negative integer, got "-1"');
 * ```
 */
export class DemoError extends Error {
  /** Always `'DemoError'`; what {@link DemoError.isError} checks. */
  override readonly name: 'DemoError' = 'DemoError';
  /** The HTTP status to answer with. */
  readonly status: number;
  /** The message is meant for the client (http-errors' `expose`). */
  readonly expose: true = true;

  /** Builds an error answered with `options.status` (400 by default). */
  constructor(message: string, options: DemoErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.status = options.status ?? 400;
  }

  /** Tells whether a value is a `DemoError`, by name rather than `instanceof`. */
  static isError(error: unknown): error is DemoError {
    return error instanceof Error && error.name === 'DemoError';
  }
}
