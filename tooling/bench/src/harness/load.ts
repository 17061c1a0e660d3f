// Load generators, each run in its own process on the load cores: autocannon (npm)
// always, wrk (C, Debian package) when installed.
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Affinity, pinnedCommand } from './affinity';
import { ClientProcess } from './child';

/** What one load run measured. @internal */
export interface LoadResult {
  tool: 'autocannon' | 'wrk';
  /** Requests per second (autocannon: mean of per-second samples; wrk: total / time). */
  rps: number;
  /** Latency percentiles in ms. */
  p50: number;
  p99: number;
  /** Errors of any kind (connection errors, timeouts, non-2xx). */
  errors: number;
}

/** Load parameters. @internal */
export interface LoadOptions {
  connections: number;
  pipelining: number;
  durationSec: number;
}

function run(
  command: string,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/**
 * Runs autocannon load tests in one long-lived worker process on the load cores
 * (dist/clients/load.mjs), one at a time.
 * @internal
 */
export class AutocannonWorker {
  readonly #client: ClientProcess;
  #ready: Promise<unknown>;
  #nextId = 1;

  constructor(clientsDir: string, affinity: Affinity) {
    this.#client = new ClientProcess(join(clientsDir, 'load.mjs'), affinity);
    this.#ready = this.#client.next('ready', 20_000);
  }

  /** Runs one load test against `url`. */
  async run(url: string, options: LoadOptions): Promise<LoadResult> {
    await this.#ready;
    const id = this.#nextId++;
    const answer = this.#client.next<{
      id: number;
      ok: boolean;
      rps: number;
      p50: number;
      p99: number;
      errors: number;
      error?: string;
    }>('result', options.durationSec * 1000 + 30_000, (m) => m.id === id);
    this.#client.send({
      type: 'run',
      id,
      url,
      connections: options.connections,
      pipelining: options.pipelining,
      duration: options.durationSec,
    });
    const r = await answer;
    if (!r.ok) throw new Error(`autocannon failed: ${r.error}`);
    return { tool: 'autocannon', rps: r.rps, p50: r.p50, p99: r.p99, errors: r.errors };
  }

  /** Ends the worker. */
  stop(): Promise<void> {
    return this.#client.stop();
  }
}

/** True when a wrk binary answers. @internal */
export function hasWrk(): boolean {
  const r = spawnSync('wrk', ['--version'], { stdio: 'ignore' });
  return r.error === undefined;
}

/** Writes the Lua script that makes wrk pipeline `depth` requests; returns its path. @internal */
export function writeWrkPipelineScript(dir: string, depth: number): string {
  const path = join(dir, `wrk-pipeline-${depth}.lua`);
  writeFileSync(
    path,
    [
      '-- Sends `depth` GET requests per write (HTTP/1.1 pipelining).',
      'init = function(args)',
      '  local r = {}',
      `  for i = 1, ${depth} do r[i] = wrk.format(nil, nil) end`,
      '  req = table.concat(r)',
      'end',
      'request = function() return req end',
      '',
    ].join('\n'),
  );
  return path;
}

const UNITS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000 };

function wrkDuration(text: string | undefined): number {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(text ?? '');
  return m ? Number(m[1]) * (UNITS[m[2] as string] as number) : Number.NaN;
}

/** Parses wrk's `--latency` report. @internal */
export function parseWrk(output: string): LoadResult {
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(output);
  if (!rps) throw new Error(`wrk printed no Requests/sec:\n${output.slice(-500)}`);
  const p50 = /^\s+50%\s+(\S+)/m.exec(output);
  const p99 = /^\s+99%\s+(\S+)/m.exec(output);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(
    output,
  );
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(output);
  const errors =
    (socket ? socket.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0) +
    (non2xx ? Number(non2xx[1]) : 0);
  return {
    tool: 'wrk',
    rps: Number(rps[1]),
    // wrk's latency histogram is unreliable with pipelining (it can print 0.00us).
    p50: wrkDuration(p50?.[1]) || Number.NaN,
    p99: wrkDuration(p99?.[1]) || Number.NaN,
    errors,
  };
}

/** Runs wrk (one thread) against `url`; `script` makes it pipeline. @internal */
export async function wrk(
  url: string,
  options: LoadOptions,
  affinity: Affinity,
  script: string | undefined,
): Promise<LoadResult> {
  const [command, args] = pinnedCommand(
    'wrk',
    [
      '-t1',
      `-c${options.connections}`,
      `-d${options.durationSec}s`,
      '--latency',
      ...(script ? ['-s', script] : []),
      url,
    ],
    affinity.loadCpus,
  );
  const { code, stdout, stderr } = await run(command, args);
  if (code !== 0) throw new Error(`wrk exited with ${code}: ${stderr.trim().slice(-500)}`);
  return parseWrk(stdout);
}
