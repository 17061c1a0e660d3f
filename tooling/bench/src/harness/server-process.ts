// One benchmark server in its own (pinned) process, driven over IPC.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import type { ServerStats } from '../servers/harness';
import { type Affinity, pinnedCommand } from './affinity';

/** The server programs (dist/servers/<kind>.mjs). @internal */
export type ServerKind = 'node' | 'plinth' | 'fastify' | 'hono' | 'koa' | 'express';

/** A server process and how to reach it. @internal */
export interface ServerSpec {
  readonly kind: ServerKind;
  /** Shown in logs. */
  readonly label: string;
  readonly env?: Readonly<Record<string, string>> | undefined;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

const HOST = '127.0.0.1';

/** Reads a field (kB) of /proc/<pid>/status in bytes; undefined off Linux. @internal */
export function procStatusBytes(pid: number, field: 'VmRSS' | 'VmHWM'): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'latin1');
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** GET `path`, resolving with status and body; rejects after `timeoutMs`. @internal */
export function httpGet(
  port: number,
  path: string,
  timeoutMs = 5000,
): Promise<{
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}> {
  return new Promise((resolve, reject) => {
    const req = request({ host: HOST, port, path, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () =>
      req.destroy(new Error(`GET ${path} on port ${port}: no answer within ${timeoutMs} ms`)),
    );
    req.on('error', reject);
    req.end();
  });
}

/** A running server process. @internal */
export class ServerProcess {
  readonly spec: ServerSpec;
  readonly child: ChildProcess;
  port = 0;
  #nextId = 1;
  #pending = new Map<number, Pending>();
  #log: string[] = [];
  #exit: string | undefined;

  private constructor(spec: ServerSpec, child: ChildProcess) {
    this.spec = spec;
    this.child = child;
    const keep = (chunk: Buffer): void => {
      this.#log.push(...chunk.toString('utf8').split('\n'));
      if (this.#log.length > 40) this.#log.splice(0, this.#log.length - 40);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.on(
      'message',
      (message: { id?: number; ok?: boolean; value?: unknown; error?: string }) => {
        if (message.id === undefined) return;
        const pending = this.#pending.get(message.id);
        if (!pending) return;
        this.#pending.delete(message.id);
        clearTimeout(pending.timer);
        if (message.ok) pending.resolve(message.value);
        else pending.reject(new Error(`${this.spec.label}: ${message.error}`));
      },
    );
    child.on('exit', (code, signal) => {
      this.#exit = signal ? `killed by ${signal}` : `exited with code ${code}`;
      for (const [id, pending] of this.#pending) {
        clearTimeout(pending.timer);
        pending.reject(new Error(`${this.spec.label} ${this.#exit}\n${this.logTail()}`));
        this.#pending.delete(id);
      }
    });
  }

  /**
   * Starts `dist/servers/<kind>.mjs` pinned to the server cores; resolves when it
   * listens. `wrap` is a command that runs Node (valgrind and its options).
   */
  static start(
    spec: ServerSpec,
    serversDir: string,
    affinity: Affinity,
    env: Readonly<Record<string, string>>,
    timeoutMs = 20_000,
    wrap: readonly string[] = [],
  ): Promise<ServerProcess> {
    const node = [process.execPath, '--expose-gc', `${serversDir}/${spec.kind}.mjs`];
    const [command, args] = pinnedCommand(
      wrap[0] ?? node[0]!,
      wrap.length > 0 ? [...wrap.slice(1), ...node] : node.slice(1),
      affinity.serverCpus,
    );
    const child = spawn(command, args, {
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env: { ...process.env, ...env, ...spec.env, NODE_ENV: 'production' },
    });
    const server = new ServerProcess(spec, child);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(
          new Error(`${spec.label} did not start within ${timeoutMs} ms\n${server.logTail()}`),
        );
      }, timeoutMs);
      const onMessage = (message: { type?: string; port?: number }): void => {
        if (message.type !== 'ready') return;
        clearTimeout(timer);
        child.off('message', onMessage);
        server.port = message.port ?? 0;
        resolve(server);
      };
      child.on('message', onMessage);
      child.once('exit', () => {
        clearTimeout(timer);
        reject(new Error(`${spec.label} ${server.#exit} while starting\n${server.logTail()}`));
      });
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  get url(): string {
    return `http://${HOST}:${this.port}`;
  }

  /** True while the process runs. */
  get alive(): boolean {
    return (
      this.#exit === undefined && this.child.exitCode === null && this.child.signalCode === null
    );
  }

  /** The last lines the server printed. */
  logTail(): string {
    const lines = this.#log.filter((l) => l.trim() !== '');
    return lines.length === 0 ? '(no output)' : lines.slice(-15).join('\n');
  }

  #call<T>(message: Record<string, unknown>, timeoutMs = 10_000): Promise<T> {
    if (!this.alive) {
      return Promise.reject(new Error(`${this.spec.label} is not running (${this.#exit})`));
    }
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(
          new Error(`${this.spec.label}: no answer to ${message.type} within ${timeoutMs} ms`),
        );
      }, timeoutMs);
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      this.child.send({ ...message, id });
    });
  }

  /** Memory, descriptors, handles, sockets and stream counters, after a GC when `gc`. */
  stats(gc = false): Promise<ServerStats> {
    return this.#call<ServerStats>({ type: 'stats', gc });
  }

  /**
   * Broadcasts SSE event `seq` (with `pad` filler bytes); resolves with the time the
   * server's broadcast call took.
   */
  broadcast(seq: number, pad = 0): Promise<number> {
    return this.#call<number>({ type: 'broadcast', seq, pad }, 30_000);
  }

  /** RSS read from /proc (no IPC round trip, so it can be sampled under load). */
  rss(): number | undefined {
    return procStatusBytes(this.pid, 'VmRSS');
  }

  /**
   * The liveness check before each round: the process runs and answers GET /health
   * with 200 within `timeoutMs`.
   */
  async checkLive(timeoutMs = 5000): Promise<void> {
    if (!this.alive) throw new Error(`${this.spec.label} ${this.#exit}\n${this.logTail()}`);
    const { status } = await httpGet(this.port, '/health', timeoutMs);
    if (status !== 200) throw new Error(`${this.spec.label}: GET /health answered ${status}`);
  }

  /**
   * Lets the process exit by itself (it exits when the IPC channel closes), so that
   * a tool it runs under writes its output; SIGKILL after `timeoutMs`.
   */
  async exit(timeoutMs = 60_000): Promise<void> {
    if (!this.alive) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.disconnect();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    await exited;
    clearTimeout(timer);
  }

  /** Stops the process (SIGTERM, then SIGKILL after `graceMs`). */
  async stop(graceMs = 2000): Promise<void> {
    if (!this.alive) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }
}
