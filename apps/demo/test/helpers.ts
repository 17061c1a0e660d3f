// Helpers for the demo's tests: a logger whose lines can be awaited, real HTTP
// clients (node:http, curl) and an SSE reader built on eventsource-parser.
import { execFile } from 'node:child_process';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { createDemo, type Demo, type DemoOptions } from '../src/demo';
import { type DemoLogger, formatLine } from '../src/logger';

/** Rejects after `ms` with a message saying what was awaited. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export interface CapturedLogs {
  readonly logger: DemoLogger;
  readonly lines: string[];
  /** Resolves with the first line (already written or to come) matching `pattern`. */
  waitFor(pattern: RegExp, ms?: number): Promise<string>;
}

/** A logger that keeps its lines (debug included) for the test to look at. */
export function captureLogs(options: { echo?: boolean } = {}): CapturedLogs {
  const lines: string[] = [];
  const waiters = new Set<{ pattern: RegExp; resolve: (line: string) => void }>();
  const log =
    (level: 'error' | 'warn' | 'info' | 'debug') =>
    (obj: object, msg?: string): void => {
      const line = formatLine(level, obj, msg);
      lines.push(line);
      if (options.echo) console.log(line);
      for (const waiter of waiters) {
        if (waiter.pattern.test(line)) {
          waiters.delete(waiter);
          waiter.resolve(line);
        }
      }
    };
  return {
    logger: { error: log('error'), warn: log('warn'), info: log('info'), debug: log('debug') },
    lines,
    waitFor(pattern, ms = 5000) {
      const found = lines.find((line) => pattern.test(line));
      if (found !== undefined) return Promise.resolve(found);
      const waiter = { pattern, resolve: (_: string) => {} };
      const promise = new Promise<string>((resolve) => {
        waiter.resolve = resolve;
      });
      waiters.add(waiter);
      return withTimeout(promise, ms, `a log line matching ${pattern}`).catch((error: Error) => {
        waiters.delete(waiter);
        throw new Error(`${error.message}; lines so far:\n${lines.join('\n')}`);
      });
    },
  };
}

export interface CurlResult {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Runs the system's curl (`-sS -i`) and splits its output into status, headers, body. */
export function curl(args: string[]): Promise<CurlResult> {
  return new Promise((resolve, reject) => {
    execFile(
      '/usr/bin/curl',
      ['-sS', '-i', '--max-time', '10', ...args],
      { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error)
          return reject(new Error(`curl ${args.join(' ')} failed: ${stderr || error.message}`));
        const end = stdout.indexOf('\r\n\r\n');
        const head = stdout.slice(0, end).split('\r\n');
        const status = Number(head[0]?.split(' ')[1]);
        const headers: Record<string, string> = {};
        for (const line of head.slice(1)) {
          const colon = line.indexOf(':');
          headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
        }
        resolve({ status, headers, body: stdout.slice(end + 4) });
      },
    );
  });
}

/** Sends a GET with node:http and resolves with the response as soon as its head arrives. */
export function openGet(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ response: IncomingMessage; close(): void }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers, agent: false });
    req.once('response', (response) => resolve({ response, close: () => req.destroy() }));
    req.once('error', reject);
    req.end();
  });
}

/** Reads a response until `until` is satisfied by what arrived so far. */
export function readUntil(
  response: IncomingMessage,
  until: (text: string, chunks: number) => boolean,
  ms = 5000,
): Promise<string> {
  response.setEncoding('utf8');
  let text = '';
  let chunks = 0;
  return withTimeout(
    new Promise<string>((resolve, reject) => {
      const onData = (chunk: string) => {
        text += chunk;
        chunks += 1;
        if (until(text, chunks)) {
          response.off('data', onData);
          response.pause();
          resolve(text);
        }
      };
      response.on('data', onData);
      response.once('end', () =>
        until(text, chunks)
          ? resolve(text)
          : reject(new Error(`the response ended first: ${text}`)),
      );
      response.once('error', reject);
    }),
    ms,
    'the response to satisfy the test',
  );
}

export interface SseReader {
  readonly events: EventSourceMessage[];
  readonly comments: string[];
  readonly retries: number[];
  readonly response: IncomingMessage;
  /** Resolves once `predicate` holds for what arrived so far. */
  until(predicate: (reader: SseReader) => boolean, ms?: number): Promise<void>;
  /** Resolves when the server ends the stream. */
  readonly ended: Promise<void>;
  close(): void;
}

/** Opens an event stream with node:http and parses it with eventsource-parser. */
export async function openSse(
  url: string,
  headers: Record<string, string> = {},
): Promise<SseReader> {
  const { response, close } = await openGet(url, { accept: 'text/event-stream', ...headers });
  const checks = new Set<() => void>();
  const reader: SseReader = {
    events: [],
    comments: [],
    retries: [],
    response,
    until(predicate, ms = 5000) {
      if (predicate(reader)) return Promise.resolve();
      let check = () => {};
      const promise = new Promise<void>((resolve) => {
        check = () => {
          if (predicate(reader)) {
            checks.delete(check);
            resolve();
          }
        };
        checks.add(check);
      });
      return withTimeout(promise, ms, 'SSE events').catch((error: Error) => {
        checks.delete(check);
        throw new Error(`${error.message}; got ${JSON.stringify(reader.events)}`);
      });
    },
    ended: new Promise<void>((resolve) => response.once('end', resolve)),
    close,
  };
  const parser = createParser({
    onEvent: (event) => reader.events.push(event),
    onComment: (comment) => reader.comments.push(comment),
    onRetry: (retry) => reader.retries.push(retry),
  });
  response.setEncoding('utf8');
  response.on('data', (chunk: string) => {
    parser.feed(chunk);
    for (const check of [...checks]) check();
  });
  response.on('error', () => {});
  return reader;
}

export interface StartedDemo {
  readonly demo: Demo;
  readonly url: string;
  readonly logs: CapturedLogs;
  stop(): Promise<void>;
}

/** Starts a demo on a free loopback port with a capturing logger. */
export async function startDemo(options: DemoOptions = {}): Promise<StartedDemo> {
  const logs = captureLogs({ echo: process.env.DEMO_TEST_LOGS === '1' });
  const demo = createDemo({ port: 0, host: '127.0.0.1', logger: logs.logger, ...options });
  const { url } = await demo.start();
  return { demo, url, logs, stop: () => demo.stop({ graceMs: 1000 }) };
}
