import { type Handler, type Interceptor, interceptor, run } from '@plinth/interceptor';
import { describeValue, type HttpContext, RESPONDER } from '@plinth/writeable-body';
import { FetchAdapterError } from './errors';
import type { HandlerState } from './exchange';
import { ringResponse, stylobate, terminator } from './interceptors';
import { answerError } from './internal/answer';
import { consoleLogger, type Logger } from './logger';
import { DEFAULT_BODY_LIMIT, FetchHttpRequest } from './request';
import { FetchResponder } from './responder';

/** A service: its interceptors (or handlers), as `@plinth/node` takes it. */
export type Service =
  | readonly (Interceptor<any> | Handler)[]
  | ({ interceptors: readonly (Interceptor<any> | Handler)[] } & FetchHandlerOptions);

/** Options of {@link fetchHandler}. */
export interface FetchHandlerOptions {
  /**
   * Where the adapter logs: a pino instance or anything with pino's
   * `error/warn/info/debug(obj, msg)` methods.
   * @default JSON lines through `console.error`, `warn` and `error` only
   */
  logger?: Logger | undefined;
  /**
   * The most bytes `request.body.bytes()/text()/json()` read when not told
   * otherwise; more is a 413.
   * @default 1048576 (1 MiB)
   */
  bodyLimit?: number | undefined;
}

/**
 * The handler: what Bun's `serve({ fetch })`, `Deno.serve(handler)` and a worker's
 * `fetch` call. The second argument is what the runtime passes beside the request
 * (Bun's server, Deno's connection info); the remote address is read from it. The
 * result is the `Response` itself when the chain answered synchronously (no promise
 * to pay for), else a promise of it.
 */
export type FetchHandler = (
  request: Request,
  runtimeInfo?: unknown,
  ...rest: unknown[]
) => Response | Promise<Response>;

function remoteAddressOf(request: Request, info: unknown): string | undefined {
  if (info === null || typeof info !== 'object') return undefined;
  // Bun: the server, with requestIP(request).
  const requestIP = (info as { requestIP?: unknown }).requestIP;
  if (typeof requestIP === 'function') {
    return (requestIP.call(info, request) as { address?: string } | null)?.address;
  }
  // Deno: ServeHandlerInfo, with remoteAddr.
  const remote = (info as { remoteAddr?: { hostname?: unknown } }).remoteAddr;
  return typeof remote?.hostname === 'string' ? remote.hostname : undefined;
}

function checkOptions(fn: string, service: Service, options: FetchHandlerOptions): HandlerState {
  const list = Array.isArray(service)
    ? service
    : (service as { interceptors?: unknown } | null)?.interceptors;
  if (!Array.isArray(list)) {
    throw new FetchAdapterError(
      'INVALID_ARGUMENT',
      `${fn}: service must be an array of interceptors or an object with an interceptors array, got ${describeValue(service)}`,
    );
  }
  const merged = Array.isArray(service) ? options : { ...(service as object), ...options };
  const { logger = consoleLogger, bodyLimit = DEFAULT_BODY_LIMIT } = merged as FetchHandlerOptions;
  if (!Number.isSafeInteger(bodyLimit) || bodyLimit < 0) {
    throw new FetchAdapterError(
      'INVALID_ARGUMENT',
      `${fn}: options.bodyLimit must be a non-negative integer, got ${describeValue(bodyLimit)}`,
    );
  }
  for (const method of ['error', 'warn', 'info', 'debug'] as const) {
    if (typeof (logger as unknown as Record<string, unknown> | null)?.[method] !== 'function') {
      throw new FetchAdapterError(
        'INVALID_ARGUMENT',
        `${fn}: options.logger must have error, warn, info and debug methods; its ${method} is ${describeValue((logger as unknown as Record<string, unknown> | null)?.[method])}`,
      );
    }
  }
  const chain = list.map((entry, index) => {
    try {
      return interceptor(entry as Interceptor);
    } catch (error) {
      throw new FetchAdapterError(
        'INVALID_ARGUMENT',
        `${fn}: interceptors[${index}] is not an interceptor: ${(error as Error).message}`,
        { cause: error },
      );
    }
  });
  return {
    chain: [stylobate, terminator, ringResponse, ...chain],
    logger,
    bodyLimit,
    logged: new WeakSet(),
  };
}

/**
 * Turns a service (the interceptor list `@plinth/node` takes) into a Fetch handler
 * `(request) => Response | Promise<Response>`, with the adapter's interceptors in
 * front as on Node: the stylobate, the terminator and ring-response.
 *
 * @example
 * ```ts
 * import { fetchHandler } from '@plinth/fetch';
 *
 * const hello = (request) => ({ status: 200, body: { hello: request.path } });
 * Bun.serve({ port: 8080, fetch: fetchHandler([hello]) });
 * // Deno.serve({ port: 8080 }, fetchHandler([hello]));
 * ```
 */
export function fetchHandler(service: Service, options: FetchHandlerOptions = {}): FetchHandler {
  const state = checkOptions('fetchHandler(service, options)', service, options);
  return (request, info) => {
    const exchange = new FetchResponder(request, state, remoteAddressOf(request, info));
    const ctx: HttpContext = { request: new FetchHttpRequest(exchange), [RESPONDER]: exchange };
    exchange.ctx = ctx;
    const done = run(ctx, state.chain);
    if (done instanceof Promise) {
      done.then(
        () => {
          exchange.chainDone = true;
        },
        (error: unknown) => {
          exchange.chainDone = true;
          // Only reached when the stylobate itself could not answer.
          answerError(exchange, error);
        },
      );
      // A client that leaves while the chain waits aborts the request's signal.
      if (exchange.response === undefined) exchange.watch();
    } else exchange.chainDone = true;
    return exchange.result();
  };
}

/** The module shape Bun, Deno (`deno serve`) and workers load: `export default { fetch }`. */
export interface FetchApp {
  /** The handler. */
  readonly fetch: FetchHandler;
}

/**
 * The `export default { fetch }` module shape: `bun run app.ts`, `deno serve
 * app.ts` and a worker's entry each serve it as is.
 *
 * @example
 * ```ts
 * // app.ts
 * import { fetchApp } from '@plinth/fetch';
 * export default fetchApp([(request) => ({ status: 200, body: 'hello' })]);
 * ```
 */
export function fetchApp(service: Service, options: FetchHandlerOptions = {}): FetchApp {
  return { fetch: fetchHandler(service, options) };
}
