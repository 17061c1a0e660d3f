// A client program (dist/clients/*.mjs) in its own process on the load cores,
// spoken to over IPC with typed request/answer pairs.
import { type ChildProcess, spawn } from 'node:child_process';
import type { Affinity } from './affinity';
import { pinnedCommand } from './affinity';

/** A client process. @internal */
export class ClientProcess {
  readonly child: ChildProcess;
  #waiters: {
    type: string;
    match: (m: any) => boolean;
    resolve: (m: any) => void;
    reject: (e: Error) => void;
  }[] = [];
  #exit: string | undefined;
  #stderr = '';

  constructor(file: string, affinity: Affinity) {
    const [command, args] = pinnedCommand(process.execPath, [file], affinity.loadCpus);
    this.child = spawn(command, args, { stdio: ['ignore', 'inherit', 'pipe', 'ipc'] });
    this.child.stderr?.on('data', (c: Buffer) => {
      this.#stderr = (this.#stderr + c.toString()).slice(-2000);
    });
    this.child.on('message', (message: { type: string }) => {
      const i = this.#waiters.findIndex((w) => w.type === message.type && w.match(message));
      if (i === -1) return;
      const [waiter] = this.#waiters.splice(i, 1);
      waiter?.resolve(message);
    });
    this.child.on('exit', (code, signal) => {
      this.#exit = signal ? `killed by ${signal}` : `exited with ${code}`;
      for (const w of this.#waiters.splice(0)) {
        w.reject(new Error(`client ${this.#exit}: ${this.#stderr.trim()}`));
      }
    });
  }

  /** Resolves with the next message of `type` (matching `match`), or rejects after `timeoutMs`. */
  next<T>(type: string, timeoutMs: number, match: (m: T) => boolean = () => true): Promise<T> {
    if (this.#exit)
      return Promise.reject(new Error(`client ${this.#exit}: ${this.#stderr.trim()}`));
    return new Promise<T>((resolve, reject) => {
      const waiter = {
        type,
        match,
        resolve: (m: T) => {
          clearTimeout(timer);
          resolve(m);
        },
        reject: (e: Error) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      const timer = setTimeout(() => {
        const i = this.#waiters.indexOf(waiter);
        if (i !== -1) this.#waiters.splice(i, 1);
        reject(new Error(`no ${type} from the client within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#waiters.push(waiter);
    });
  }

  /** True while the process runs. */
  get alive(): boolean {
    return this.#exit === undefined;
  }

  send(message: unknown): void {
    if (!this.#exit) this.child.send(message as never);
  }

  /** Ends the process. */
  async stop(): Promise<void> {
    if (this.#exit) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGKILL');
    await exited;
  }
}
