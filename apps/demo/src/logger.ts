import { inspect } from 'node:util';

/**
 * The logger the demo and the `@plinth/node` adapter write to: pino's method
 * signature (`logger.info(obj, msg)`), so a pino instance can be passed instead.
 */
export interface DemoLogger {
  /** Something failed that the operator must look at. */
  error(obj: object, msg?: string): void;
  /** Something unusual that the server survived. */
  warn(obj: object, msg?: string): void;
  /** Requests, lifecycle, and what the streams did. */
  info(obj: object, msg?: string): void;
  /** Routine noise. */
  debug(obj: object, msg?: string): void;
}

/** Options of {@link readableLogger}. */
export interface ReadableLoggerOptions {
  /**
   * Where lines go.
   * @default process.stdout
   */
  write?: ((line: string) => void) | undefined;
  /**
   * Also write `debug` lines.
   * @default false
   */
  debug?: boolean | undefined;
}

const LEVELS = { error: 'ERROR', warn: 'WARN ', info: 'INFO ', debug: 'DEBUG' } as const;

/**
 * A logger for people: one line per entry, `HH:MM:SS LEVEL message key=value…`,
 * errors by name and message (with the stack at `error` level only).
 *
 * @example
 * ```ts
 * const demo = createDemo({ logger: readableLogger({ debug: true }) });
 * ```
 */
export function readableLogger(options: ReadableLoggerOptions = {}): DemoLogger {
  const write = options.write ?? ((line: string) => void process.stdout.write(line));
  const log =
    (level: keyof typeof LEVELS) =>
    (obj: object, msg?: string): void => {
      write(`${formatLine(level, obj, msg)}\n`);
    };
  const debug = options.debug ? log('debug') : () => {};
  const info = log('info');
  return {
    error: log('error'),
    warn: log('warn'),
    // The adapter's "client error" entries repeat what the request line says (the
    // request log adds the reason to it): debug, so each request stays one line.
    info: (obj, msg) => (msg === 'client error' ? debug(obj, msg) : info(obj, msg)),
    debug,
  };
}

/** @internal */
export function formatLine(level: keyof typeof LEVELS, obj: object, msg?: string): string {
  const time = new Date().toISOString().slice(11, 19);
  const parts = [time, LEVELS[level]];
  if (msg) parts.push(msg);
  let stack: string | undefined;
  for (const [key, value] of Object.entries(obj ?? {})) {
    if (value === undefined) continue;
    if (value instanceof Error) {
      parts.push(`${key}=${describeError(value)}`);
      if (level === 'error' && value.stack) stack = value.stack;
    } else {
      parts.push(
        `${key}=${typeof value === 'string' ? value : inspect(value, { breakLength: Number.POSITIVE_INFINITY, depth: 3 })}`,
      );
    }
  }
  return stack ? `${parts.join(' ')}\n${indent(stack)}` : parts.join(' ');
}

function describeError(error: Error): string {
  return JSON.stringify(errorText(error));
}

function errorText(error: Error): string {
  const code = (error as { code?: unknown }).code;
  let text = `${error.name}: ${error.message}${code === undefined ? '' : ` (${String(code)})`}`;
  if (error.cause instanceof Error) text += ` <- ${errorText(error.cause)}`;
  return text;
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');
}
