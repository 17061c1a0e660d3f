// Starts the conformance app under a runtime as a child process on an ephemeral
// loopback port, for tests that drive it from Node over real sockets.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FILE_BYTES } from './fixture/bodies.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const pkg = join(here, '..');

/** A runtime the suite runs on. */
export type Runtime = 'node' | 'bun' | 'deno';

/** How each runtime starts a server entry: its binary and arguments. */
export const RUNTIMES: Record<Runtime, (entry: string) => [string, string[]]> = {
  node: (entry) => [process.execPath, [entry]],
  bun: (entry) => [join(pkg, 'node_modules/bun/bin/bun.exe'), [entry]],
  deno: (entry) => [join(pkg, 'node_modules/deno/deno'), ['run', '-A', entry]],
};

/** A running server. */
export interface Served {
  readonly base: string;
  readonly child: ChildProcess;
  /** What the server wrote on stderr (its logs). */
  readonly stderr: () => string;
  stop(): Promise<void>;
}

/** Writes the file the `file` body serves, once per process. */
export function payloadPath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'plinth-fetch-'));
  const path = join(dir, 'payload.bin');
  writeFileSync(path, FILE_BYTES);
  return path;
}

/** The binary of a runtime, or why it cannot run. */
export function missing(runtime: Runtime): string | undefined {
  const [bin] = RUNTIMES[runtime]('x');
  return existsSync(bin)
    ? undefined
    : `${bin} is not installed (pnpm install runs its postinstall)`;
}

/** Starts `entry` (a fixture) under `runtime`; resolves once it printed its port. */
export function serve(
  runtime: Runtime,
  entry: string,
  env: Record<string, string> = {},
): Promise<Served> {
  const [bin, args] = RUNTIMES[runtime](join(here, 'fixture', entry));
  const child = spawn(bin, args, {
    cwd: pkg,
    env: { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
  });
  return new Promise<Served>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${runtime} did not start within 45 s: ${err}`));
    }, 45_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${runtime} exited with ${code} before listening: ${err}`));
    });
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line === undefined) return;
      clearTimeout(timer);
      const { port } = JSON.parse(line) as { port: number };
      resolve({
        base: `http://127.0.0.1:${port}`,
        child,
        stderr: () => err,
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGKILL');
          }),
      });
    });
  });
}

/** Polls `check` until it returns a value other than undefined, or fails after `ms`. */
export async function until<T>(
  what: string,
  check: () => Promise<T | undefined>,
  ms = 10_000,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
