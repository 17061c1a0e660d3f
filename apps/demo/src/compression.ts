import { compress } from '@plinth/compress';
import type { Interceptor } from '@plinth/interceptor';
import type { HttpContext } from '@plinth/writeable-body';

/**
 * The demo's own event streams. `@plinth/sse` marks them `no-transform` so that
 * proxies leave them alone (and do not buffer them); compressing them here, at the
 * origin, with a flushed block per event, is the application's own choice.
 */
const OWN_EVENT_STREAMS: ReadonlySet<string> = new Set(['/events/clock', '/chat/events']);

/**
 * Compression for the whole demo, when the browser asks for it: pages, JSON, the
 * `/range` sequence and the event streams (each event still shows at once).
 */
export function demoCompression(): Interceptor<HttpContext> {
  return compress({
    ignoreNoTransform: (ctx) => OWN_EVENT_STREAMS.has(ctx.request.path),
  });
}
