import { jsonLogLine } from '@plinth/writeable-body';

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

/**
 * The default logger: one JSON object per line through `console.error` (the one
 * output every runtime has), pino's numeric levels, `warn` and `error` only.
 * @internal
 */
export const consoleLogger: Logger = {
  error: (obj, msg) => console.error(jsonLogLine(50, obj, msg)),
  warn: (obj, msg) => console.error(jsonLogLine(40, obj, msg)),
  info: () => {},
  debug: () => {},
};
