// A Plinth server on an ephemeral loopback port with a logger that keeps what it is told.
import { createServer, type Logger, type PlinthServer, type ServerOptions } from '@plinth/node';

/** One log call. */
export interface LogEntry {
  readonly level: 'error' | 'warn' | 'info' | 'debug';
  readonly msg: string | undefined;
  readonly obj: Record<string, unknown>;
}

/** A pino-shaped logger that records every call. */
export interface CapturingLogger extends Logger {
  readonly entries: LogEntry[];
  at(level: LogEntry['level']): LogEntry[];
  clear(): void;
}

/**
 * A logger for `options.logger` that records every call in memory (only the levels
 * in `keep`, for long runs: the soak keeps warnings and errors).
 */
export function capturingLogger(
  keep: readonly LogEntry['level'][] = ['error', 'warn', 'info', 'debug'],
): CapturingLogger {
  const entries: LogEntry[] = [];
  const log =
    (level: LogEntry['level']) =>
    (obj: object, msg?: string): void => {
      if (keep.includes(level)) entries.push({ level, msg, obj: obj as Record<string, unknown> });
    };
  return {
    entries,
    at: (level) => entries.filter((e) => e.level === level),
    clear: () => {
      entries.length = 0;
    },
    error: log('error'),
    warn: log('warn'),
    info: log('info'),
    debug: log('debug'),
  };
}

/** The two protocols faults are checked over. */
export const PROTOCOLS = [
  { name: 'HTTP/1.1', http2: false },
  { name: 'h2c', http2: true },
] as const;

/** A started server. */
export interface Served {
  readonly server: PlinthServer;
  readonly port: number;
  readonly url: string;
  readonly logger: CapturingLogger;
  /** Open TCP connections the server holds now. */
  connections(): Promise<number>;
  stop(graceMs?: number): Promise<void>;
}

/**
 * Starts `service` on 127.0.0.1:0 with a capturing logger (HTTP/1.1, or h2c with
 * `http2`); `beforeStart` may adjust the Node server before it listens.
 */
export async function serve(
  service: unknown[],
  options: ServerOptions = {},
  beforeStart?: (server: PlinthServer) => void,
  keep?: readonly LogEntry['level'][],
): Promise<Served> {
  const logger = capturingLogger(keep);
  const server = createServer(service as never, {
    port: 0,
    host: '127.0.0.1',
    logger,
    ...options,
  });
  beforeStart?.(server);
  const { port, url } = await server.start();
  return {
    server,
    port,
    url,
    logger,
    connections: () =>
      new Promise((resolve, reject) =>
        server.server.getConnections((error, n) => (error ? reject(error) : resolve(n))),
      ),
    stop: (graceMs = 1000) => server.stop({ graceMs }),
  };
}

/** A short description of the error-level entries, for assertion messages. */
export function errorLines(logger: CapturingLogger): string[] {
  return logger.at('error').map((e) => {
    const err = e.obj.err as { message?: string } | undefined;
    return `${e.msg}${err?.message ? `: ${err.message}` : ''}`;
  });
}
