/**
 * A logger with pino's method signature (`logger.error(obj, msg)`), the same as
 * `@plinth/node`'s, so one logger serves both adapters.
 */
export interface Logger {
  /** Something failed that the server operator must look at. */
  error(obj: object, msg?: string): void;
  /** Something unusual that the server survived. */
  warn(obj: object, msg?: string): void;
  /** Client errors (4xx). */
  info(obj: object, msg?: string): void;
  /** Routine noise: clients that went away. */
  debug(obj: object, msg?: string): void;
}

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

function line(level: number, obj: object, msg: string | undefined): string {
  try {
    return JSON.stringify({ level, time: Date.now(), msg, ...obj }, replacer);
  } catch {
    return JSON.stringify({ level, time: Date.now(), msg });
  }
}

/**
 * The default logger: one JSON object per line through `console.error` (the one
 * output every runtime has), pino's numeric levels, `warn` and `error` only.
 * @internal
 */
export const consoleLogger: Logger = {
  error: (obj, msg) => console.error(line(50, obj, msg)),
  warn: (obj, msg) => console.error(line(40, obj, msg)),
  info: () => {},
  debug: () => {},
};
