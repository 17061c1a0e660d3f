import { jsonLogLine } from '@plinth/writeable-body';

/**
 * A logger with pino's method signature (`logger.error(obj, msg)`), so a pino
 * instance (or anything shaped like one) can be passed as is. The adapter logs
 * objects with an `err` field holding the error, like pino's standard serializer
 * expects.
 */
export interface Logger {
  /** Something failed that the server operator must look at. */
  error(obj: object, msg?: string): void;
  /** Something unusual that the server survived. */
  warn(obj: object, msg?: string): void;
  /** Lifecycle events (listening, stopping) and client errors (4xx). */
  info(obj: object, msg?: string): void;
  /** Routine noise: clients that went away, streams ended by shutdown. */
  debug(obj: object, msg?: string): void;
}

/** The levels of {@link jsonLogger}, from the most verbose. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

/** Options of {@link jsonLogger}. */
export interface JsonLoggerOptions {
  /**
   * The least severe level written.
   * @default 'info'
   */
  level?: LogLevel | undefined;
  /**
   * Where lines go.
   * @default process.stderr
   */
  write?: ((line: string) => void) | undefined;
}

const RANK: Record<LogLevel, number> = { debug: 20, info: 30, warn: 40, error: 50, silent: 99 };

/**
 * The default logger: one JSON object per line on stderr (`level`, `time`, `msg`
 * and the fields logged), pino's numeric levels, nothing below `info`. It has no
 * dependency; pass a pino instance as the `logger` option for anything more.
 *
 * @example
 * ```ts
 * const server = createServer(service, { logger: jsonLogger({ level: 'debug' }) });
 * ```
 */
export function jsonLogger(options: JsonLoggerOptions = {}): Logger {
  const threshold = RANK[options.level ?? 'info'];
  if (threshold === undefined) {
    throw new TypeError(
      `jsonLogger(options): options.level must be one of ${Object.keys(RANK).join(', ')}, got ${String(options.level)}`,
    );
  }
  const write = options.write ?? ((line: string) => void process.stderr.write(line));
  const log =
    (level: Exclude<LogLevel, 'silent'>) =>
    (obj: object, msg?: string): void => {
      if (RANK[level] < threshold) return;
      write(`${jsonLogLine(RANK[level], obj, msg)}\n`);
    };
  return { error: log('error'), warn: log('warn'), info: log('info'), debug: log('debug') };
}
