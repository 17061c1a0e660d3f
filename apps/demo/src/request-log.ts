import { type Interceptor, interceptor } from '@plinth/interceptor';
import type { HttpContext } from '@plinth/writeable-body';
import type { DemoLogger } from './logger';

interface NodeResponseLike {
  readonly statusCode: number;
  readonly writableFinished: boolean;
  once(event: 'close', listener: () => void): unknown;
}

// What the error stage learned about a request, for its line.
const reasons = new WeakMap<object, string>();

/**
 * One readable line per request, written when the response is over (so a stream's
 * line tells how long it lasted and how it ended):
 * `GET /range?limit=5 200 2 ms`, `GET /events/clock 200 61.2 s, client left`. A
 * client error (a 4xx thrown by a handler) adds its reason:
 * `GET /range?limit=-1 400 1.2 ms: limit must be a non-negative integer, got "-1"`.
 *
 * @example
 * ```ts
 * const service = [requestLog(readableLogger()), router(table)];
 * ```
 */
export function requestLog(logger: DemoLogger): Interceptor<HttpContext> {
  return interceptor<HttpContext>({
    name: 'request-log',
    enter(ctx) {
      const { request } = ctx;
      const res = request.raw?.res as NodeResponseLike | undefined;
      if (typeof res?.once !== 'function') return ctx;
      const started = performance.now();
      res.once('close', () => {
        let line = `${request.method} ${request.url} ${res.statusCode} ${duration(performance.now() - started)}`;
        if (!res.writableFinished) line += `, ${endedBy(request.signal)}`;
        const reason = reasons.get(request);
        if (reason !== undefined && res.statusCode >= 400) line += `: ${reason}`;
        logger.info({}, line);
      });
      return ctx;
    },
    error(ctx, error) {
      // Note a client error's reason, then decline: the adapter answers it.
      const cause = error.cause as { status?: unknown; message?: unknown } | undefined;
      if (typeof cause?.status === 'number' && cause.status >= 400 && cause.status < 500) {
        reasons.set(ctx.request, String(cause.message));
      }
      throw error;
    },
  });
}

function duration(ms: number): string {
  return ms < 1000 ? `${ms.toFixed(ms < 10 ? 1 : 0)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

function endedBy(signal: AbortSignal): string {
  const code = (signal.reason as { code?: unknown } | undefined)?.code;
  if (code === 'CLIENT_DISCONNECT' || !signal.aborted) return 'client left';
  if (code === 'SERVER_STOP') return 'ended by server stop';
  return `aborted (${String(code ?? 'unknown reason')})`;
}
