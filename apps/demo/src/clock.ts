import type { Interceptor } from '@plinth/interceptor';
import { eventStream } from '@plinth/sse';

/** Options of {@link clockStream}. */
export interface ClockOptions {
  /**
   * Time between two ticks.
   * @default 1000
   */
  intervalMs?: number | undefined;
  /**
   * A comment line after this long without an event (never while ticking at one
   * per second; it shows when `intervalMs` is longer).
   * @default 15000
   */
  heartbeatMs?: number | undefined;
  /**
   * The reconnection delay sent to browsers (`retry:`), so the clock is back soon
   * after a server restart.
   * @default 1000
   */
  retryMs?: number | undefined;
}

/** What a `tick` event carries. */
export interface Tick {
  /** The tick's number, also its event id. */
  n: number;
  /** The server's time, ISO 8601. */
  time: string;
}

/**
 * `GET /events/clock`: Server-Sent Events, one `tick` event per interval (the
 * first at once), with numeric ids. A reconnecting client that sends
 * `Last-Event-ID: 41` goes on at 42. The timer is cleared when the stream ends.
 *
 * @example
 * ```ts
 * const table = [['/events/clock', 'GET', clockStream({ intervalMs: 1000 })]];
 * ```
 */
export function clockStream(options: ClockOptions = {}): Interceptor<any> {
  const intervalMs = options.intervalMs ?? 1000;
  return eventStream(
    (channel) => {
      const last = Number(channel.lastEventId);
      let n = Number.isSafeInteger(last) && last >= 0 ? last : 0;
      const tick = () => {
        n += 1;
        const data: Tick = { n, time: new Date().toISOString() };
        // Rejects only once the channel closed, which also clears the timer.
        channel.send({ event: 'tick', id: String(n), data }).catch(() => {});
      };
      tick();
      const timer = setInterval(tick, intervalMs);
      channel.signal.addEventListener('abort', () => clearInterval(timer), { once: true });
    },
    { heartbeatMs: options.heartbeatMs ?? 15_000, retry: options.retryMs ?? 1000 },
  );
}
