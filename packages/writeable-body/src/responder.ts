import type { Request } from './request';
import type { Response } from './response';

/**
 * The key under which an adapter puts its {@link Responder} on the context.
 * Registered with `Symbol.for`, so copies of this package agree at run time.
 *
 * It stays a symbol, unlike the `WRITEABLE_BODY` brand: a symbol key keeps the
 * responder out of `Object.keys(ctx)` and `JSON.stringify(ctx)`. Its type is a
 * `unique symbol`, different in every declaration file, but the member it keys in
 * {@link HttpContext} is optional, so a context typed by any copy (or by the
 * `.d.mts` or the `.d.cts`) is assignable to the `HttpContext` of any other.
 * Plugins reach the responder through {@link writeResponse} and its siblings, which
 * take any such context, rather than by indexing the context with this key.
 */
export const RESPONDER: unique symbol = Symbol.for('plinth.responder') as never;

/**
 * The key under which a responder that wraps the adapter's (as `@plinth/compress`'s
 * does, to compress low-level streams) names the responder it wraps, so that the
 * adapter's own interceptors still find theirs. Registered with `Symbol.for`.
 * @internal
 */
export const WRAPPED_RESPONDER: unique symbol = Symbol.for('plinth.responder.wrapped') as never;

/**
 * @internal The responder on `ctx[RESPONDER]` or behind its wrappers (at most 8) that
 * `owns` accepts: how an adapter finds its own responder. `undefined` when none is.
 */
export function findResponder<T>(
  ctx: HttpContext | undefined,
  owns: (responder: object) => responder is T & object,
): T | undefined {
  let responder: unknown = ctx?.[RESPONDER];
  for (let depth = 0; depth < 8 && responder !== null && typeof responder === 'object'; depth++) {
    if (owns(responder)) return responder;
    responder = (responder as { [WRAPPED_RESPONDER]?: unknown })[WRAPPED_RESPONDER];
  }
  return undefined;
}

/**
 * The adapter's handle on one response, for low-level streaming. Packages that
 * must stream without depending on an adapter (`@plinth/sse`) use it through
 * {@link writeResponse}, {@link writeResponseBody}, {@link endResponse} and
 * {@link responseSent}.
 */
export interface Responder {
  /** True once status and headers went out. */
  readonly sent: boolean;
  /** True once the response ended (or was aborted). */
  readonly ended: boolean;
  /** Aborted when the client leaves or the response is aborted. */
  readonly signal: AbortSignal;
  /** The protocol of the response: `HTTP/1.1`, `HTTP/2.0`, … */
  readonly protocol: string;
  /**
   * Begins the response: sends status and headers now (with the body's default
   * content type when the response has a body and sets none; no Content-Length,
   * since more may follow), then writes the body if there is one. Rejects if a
   * response was already sent.
   */
  begin(response: Response): Promise<void>;
  /**
   * Writes more body after {@link Responder.begin}, any type the body-writer
   * knows; settles when accepted. Not the `WriteableBody.writeBody` protocol
   * method: this one takes a body, that one a sink.
   */
  append(body: unknown): Promise<void>;
  /** Ends the response. */
  end(): Promise<void>;
  /** Aborts the response (connection reset on HTTP/1.1, stream reset on HTTP/2). */
  abort(reason?: unknown): void;
}

/** The shape of an HTTP context: what Plinth's interceptors read and write. */
export interface HttpContext {
  /** The request. */
  request: Request;
  /** The response, once an interceptor set one. */
  response?: Response | undefined;
  /** The adapter's responder; present when served by an adapter. */
  [RESPONDER]?: Responder;
}

function responderOf(ctx: HttpContext, fn: string): Responder {
  const responder = ctx?.[RESPONDER];
  if (!responder) {
    throw new TypeError(
      `${fn}(ctx): the context has no responder; low-level streaming needs a context from a Plinth adapter`,
    );
  }
  return responder;
}

/**
 * Low-level streaming: sends status and headers at once (and a first body if
 * given) and resolves with the same context. The chain keeps running; the
 * response stays open, even after the chain has finished, until
 * {@link endResponse} is called or the response is aborted (client gone, server
 * stop). That is what lets an event stream outlive the interceptor that opened it.
 *
 * @example
 * ```ts
 * const stream = interceptor({
 *   name: 'stream',
 *   async enter(ctx) {
 *     await writeResponse(ctx, { status: 200, headers: { 'content-type': 'text/plain' }, body: 'first\n' });
 *     await writeResponseBody(ctx, 'second\n');
 *     return endResponse(ctx);
 *   },
 * });
 * ```
 */
export async function writeResponse<C extends HttpContext>(ctx: C, response: Response): Promise<C> {
  await responderOf(ctx, 'writeResponse').begin(response);
  return ctx;
}

/**
 * Low-level streaming: writes more of the body (any body type) after
 * {@link writeResponse}; resolves when the bytes are accepted (backpressure), and
 * rejects when the client left.
 */
export async function writeResponseBody<C extends HttpContext>(ctx: C, body: unknown): Promise<C> {
  await responderOf(ctx, 'writeResponseBody').append(body);
  return ctx;
}

/** Low-level streaming: ends a response started with {@link writeResponse}. */
export async function endResponse<C extends HttpContext>(ctx: C): Promise<C> {
  await responderOf(ctx, 'endResponse').end();
  return ctx;
}

/** Tells whether a response already went out for this context. */
export function responseSent(ctx: HttpContext): boolean {
  return ctx?.[RESPONDER]?.sent === true;
}
