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

function serialiseError(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const out: Record<string, unknown> = {
    type: error.name,
    message: error.message,
    stack: error.stack,
  };
  const code = (error as { code?: unknown }).code;
  if (code !== undefined) out.code = code;
  if (error.cause !== undefined) out.cause = serialiseError(error.cause);
  return out;
}

function replacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return serialiseError(value);
  if (typeof value === 'bigint') return value.toString();
  return value;
}

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
      let line: string;
      try {
        line = JSON.stringify({ level: RANK[level], time: Date.now(), msg, ...obj }, replacer);
      } catch {
        line = JSON.stringify({ level: RANK[level], time: Date.now(), msg });
      }
      write(`${line}\n`);
    };
  return { error: log('error'), warn: log('warn'), info: log('info'), debug: log('debug') };
}
