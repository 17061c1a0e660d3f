import { setTimeout as delay } from 'node:timers/promises';
import type { BodySink, Request, Response } from '@plinth/writeable-body';
import type { DemoLogger } from './logger';

/** Options of {@link reportBody}. */
export interface ReportOptions {
  /**
   * How many rows the report has.
   * @default 12
   */
  rows?: number | undefined;
  /**
   * How long each row takes to "compute" (the slow query being simulated).
   * @default 250
   */
  rowDelayMs?: number | undefined;
  /** Told when the client left before the last row. */
  onStop?: ((rowsWritten: number) => void) | undefined;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** One row of made-up but deterministic figures. */
function computeRow(i: number): string {
  const orders = 200 + ((i * 7919) % 173);
  const revenue = (orders * (23 + (i % 5) * 1.5)).toFixed(2);
  const month = `${MONTHS[i % 12]} ${2024 + Math.floor(i / 12)}`;
  return `${month.padEnd(10)}${String(orders).padStart(8)}${revenue.padStart(12)}\n`;
}

/**
 * The seed's function body: a function handed the output when the body is written.
 * It writes each row as soon as it is computed and flushes it, so the first row is
 * on the wire long before the last one exists. It stops (and its timer is cleared)
 * as soon as the client leaves.
 *
 * @example
 * ```ts
 * const response = { status: 200, headers: { 'content-type': 'text/plain' }, body: reportBody({ rows: 3 }) };
 * ```
 */
export function reportBody(options: ReportOptions = {}): (sink: BodySink) => Promise<void> {
  const rows = options.rows ?? 12;
  const rowDelayMs = options.rowDelayMs ?? 250;
  return async (sink) => {
    const started = Date.now();
    let written = 0;
    await sink.write(
      `Monthly report: ${rows} rows, each computed in ${rowDelayMs} ms (a slow producer)\n\n` +
        `${'month'.padEnd(10)}${'orders'.padStart(8)}${'revenue'.padStart(12)}\n`,
    );
    sink.flush();
    try {
      for (let i = 0; i < rows; i++) {
        await delay(rowDelayMs, undefined, { signal: sink.signal });
        await sink.write(computeRow(i));
        sink.flush();
        written++;
      }
    } catch (error) {
      if (sink.signal.aborted) {
        options.onStop?.(written);
        return;
      }
      throw error;
    }
    await sink.write(`\n${rows} rows in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  };
}

/**
 * `GET /report`: a text report whose body is a function writing rows as they are
 * computed.
 * @internal
 */
export function reportHandler(
  logger: DemoLogger,
  options: ReportOptions,
): (request: Request) => Response {
  return () => ({
    status: 200,
    headers: { 'content-type': 'text/plain; charset=utf-8' },
    body: reportBody({
      ...options,
      onStop: (rowsWritten) =>
        logger.info({ rowsWritten }, 'report: stopped early, the client left'),
    }),
  });
}
