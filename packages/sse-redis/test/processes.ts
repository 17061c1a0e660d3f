// Real Plinth processes (child processes running fixtures/server.mjs) and a raw SSE
// client (node:http + eventsource-parser) that also sees comments (heartbeats).
import { type ChildProcess, spawn } from 'node:child_process';
import http from 'node:http';
import { createParser, type EventSourceMessage } from 'eventsource-parser';

const SERVER = new URL('./fixtures/server.mjs', import.meta.url);

export interface PlinthProcess {
  readonly url: string;
  readonly child: ChildProcess;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** Reads the first JSON line a child prints. */
function firstLine(child: ChildProcess, timeoutMs: number): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(
      () => reject(new Error(`no line from the child within ${timeoutMs} ms: ${out}${err}`)),
      timeoutMs,
    );
    child.stderr!.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const newline = out.indexOf('\n');
      if (newline >= 0) {
        clearTimeout(timer);
        resolve(JSON.parse(out.slice(0, newline)) as Record<string, unknown>);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (!out.includes('\n')) reject(new Error(`the child exited with ${code}: ${out}${err}`));
    });
  });
}

/** Starts a Plinth process on Redis at `redisUrl`; resolves with its first line. */
export async function spawnPlinth(
  redisUrl: string,
  env: Record<string, string> = {},
): Promise<{ line: Record<string, unknown>; child: ChildProcess; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, [SERVER.pathname], {
    env: { ...process.env, REDIS_URL: redisUrl, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const line = await firstLine(child, 15_000);
  return { line, child, exited };
}

/** Starts a Plinth process that must come up. */
export async function startPlinth(
  redisUrl: string,
  env: Record<string, string> = {},
): Promise<PlinthProcess> {
  const { line, child, exited } = await spawnPlinth(redisUrl, env);
  if (typeof line.url !== 'string')
    throw new Error(`the process did not start: ${JSON.stringify(line)}`);
  return {
    url: line.url,
    child,
    async kill(signal: NodeJS.Signals = 'SIGKILL') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      await exited;
    },
  };
}

/** Publishes through a process: resolves with the status and the body. */
export async function post(
  base: string,
  topic: string,
  data: string,
): Promise<{ status: number; body: string }> {
  const response = await fetch(`${base}/topics/${topic}/events`, { method: 'POST', body: data });
  return { status: response.status, body: await response.text() };
}

/** Publishes and returns the id, failing unless 201. */
export async function publish(base: string, topic: string, data: string): Promise<string> {
  const { status, body } = await post(base, topic, data);
  if (status !== 201) throw new Error(`publish answered ${status}: ${body}`);
  return (JSON.parse(body) as { id: string }).id;
}

export interface RawStream {
  readonly status: Promise<number>;
  readonly events: EventSourceMessage[];
  readonly comments: string[];
  /** The body text received (for leak checks). */
  readonly text: () => string;
  readonly closed: Promise<void>;
  isClosed(): boolean;
  /** Waits until `check` holds, re-checked on every event, comment and close. */
  until(check: () => boolean, timeoutMs: number, what: string): Promise<void>;
  destroy(): void;
}

/** Opens an event stream with node:http; parses it with eventsource-parser. */
export function openRaw(url: string, headers: Record<string, string> = {}): RawStream {
  const events: EventSourceMessage[] = [];
  const comments: string[] = [];
  let body = '';
  let closed = false;
  const waiters = new Set<() => void>();
  const wake = (): void => {
    for (const waiter of [...waiters]) waiter();
  };
  const parser = createParser({
    onEvent: (event) => {
      events.push(event);
      wake();
    },
    onComment: (comment) => {
      comments.push(comment);
      wake();
    },
  });
  let resolveStatus: (status: number) => void = () => {};
  const status = new Promise<number>((resolve) => {
    resolveStatus = resolve;
  });
  let resolveClosed: () => void = () => {};
  const closedPromise = new Promise<void>((resolve) => {
    resolveClosed = resolve;
  });
  const finish = (): void => {
    if (closed) return;
    closed = true;
    resolveClosed();
    wake();
  };
  const request = http.get(url, { headers: { accept: 'text/event-stream', ...headers } }, (res) => {
    resolveStatus(res.statusCode ?? 0);
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      body += chunk;
      parser.feed(chunk);
    });
    res.on('close', finish);
    res.on('error', finish);
  });
  request.on('error', () => {
    resolveStatus(0);
    finish();
  });
  return {
    status,
    events,
    comments,
    text: () => body,
    closed: closedPromise,
    isClosed: () => closed,
    until(check, timeoutMs, what) {
      if (check()) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const waiter = (): void => {
          if (!check()) return;
          waiters.delete(waiter);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    destroy: () => request.destroy(),
  };
}

/** Rejects after `ms` with a message naming what was awaited. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)),
        ms,
      );
    }),
  ]).finally(() => clearTimeout(timer));
}
