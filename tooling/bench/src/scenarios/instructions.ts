// `--instructions`: scenario 1 counted in instructions instead of timed. Each target's
// server (the same program and GET / route) runs under valgrind's callgrind with
// instrumentation off; autocannon warms it up, then instrumentation is switched on
// (callgrind_control -i on) for a fixed number of requests and off again. What one
// request costs the server in instructions does not depend on what else the
// machine is doing, so the ratios hold on a shared VM where req/s vary by ±30%.
import { execFile, execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  callgrindThread,
  INSTRUCTIONS_HEADING,
  type InstructionRow,
  instructionRun,
  instructionsTableMarkdown,
  parseCallgrindTotals,
} from '../harness/callgrind';
import { type BenchContext, firstLine, pickTargets, type Target } from '../harness/context';
import { fmt } from '../harness/results';
import { ServerProcess } from '../harness/server-process';
import type { InstructionsOptions } from '../options';
import { checkHello, HELLO_TARGETS } from './hello';

/** What `--instructions` measured. @internal */
export interface InstructionsResult {
  readonly title: string;
  readonly description: string;
  /** `valgrind --version`. */
  readonly valgrind: string;
  readonly options: InstructionsOptions;
  readonly rows: InstructionRow[];
  readonly seconds: number;
}

/**
 * Why instructions cannot be counted here (valgrind or callgrind_control missing),
 * or undefined when they can.
 * @internal
 */
export function valgrindMissing(): string | undefined {
  for (const tool of ['valgrind', 'callgrind_control']) {
    try {
      execFileSync(tool, ['--version'], { stdio: 'ignore' });
    } catch {
      return `${tool} is not installed (apt-get install valgrind provides both valgrind and callgrind_control)`;
    }
  }
  return undefined;
}

const execFileAsync = promisify(execFile);

async function run(command: string, args: readonly string[]): Promise<string> {
  const { stdout } = await execFileAsync(command, args, { maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}

/** `amount` requests to `GET /` from autocannon in its own process; resolves with those answered. */
async function requests(port: number, amount: number, connections: number): Promise<number> {
  const autocannon = createRequire(import.meta.url).resolve('autocannon/autocannon.js');
  const stdout = await run(process.execPath, [
    autocannon,
    '-j',
    '-c',
    String(connections),
    '-t',
    '300',
    '-a',
    String(amount),
    `http://127.0.0.1:${port}/`,
  ]);
  const result = JSON.parse(stdout) as {
    requests: { total: number };
    non2xx: number;
    errors: number;
    timeouts: number;
  };
  if (result.non2xx || result.errors || result.timeouts) {
    throw new Error(
      `autocannon: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`,
    );
  }
  return result.requests.total;
}

/** One fresh server process under callgrind: warm up, count, exit, read its files. */
async function measure(
  ctx: BenchContext,
  target: Target,
  tag: string,
  o: InstructionsOptions,
): Promise<ReturnType<typeof instructionRun>> {
  const out = `${tag}.out`;
  const server = await ServerProcess.start(
    { kind: target.kind, label: target.label, env: target.env },
    ctx.serversDir,
    ctx.affinity,
    ctx.serverEnv,
    300_000,
    [
      'valgrind',
      '-q',
      '--tool=callgrind',
      '--instr-atstart=no',
      '--separate-threads=yes',
      // V8 writes and rewrites machine code: valgrind must notice it.
      '--smc-check=all-non-file',
      `--callgrind-out-file=${join(ctx.workDir, out)}`,
    ],
  );
  try {
    const problem = await checkHello(server.port);
    if (problem) throw new Error(`wrong answer, not measured: ${problem}`);
    await requests(server.port, o.warmupRequests, o.connections);
    await run('callgrind_control', ['-i', 'on', String(server.pid)]);
    const served = await requests(server.port, o.requests, o.connections);
    await run('callgrind_control', ['-i', 'off', String(server.pid)]);
    await server.exit();
    const totals = new Map<number, number>();
    for (const file of readdirSync(ctx.workDir)) {
      const thread = callgrindThread(file, out);
      if (thread === undefined) continue;
      const path = join(ctx.workDir, file);
      totals.set(thread, parseCallgrindTotals(readFileSync(path, 'utf8'), file));
      rmSync(path);
    }
    return instructionRun(totals, served);
  } finally {
    await server.stop();
  }
}

/** Counts scenario 1's instructions per request for every target. @internal */
export async function instructionsScenario(
  ctx: BenchContext,
  o: InstructionsOptions,
): Promise<InstructionsResult> {
  const started = performance.now();
  const valgrind = execFileSync('valgrind', ['--version'], { encoding: 'utf8' }).trim();
  const targets = pickTargets(ctx, HELLO_TARGETS);
  const rows = new Map<string, InstructionRow>(
    targets.map((t) => [t.id, { id: t.id, label: t.label, runs: [], notes: [] }]),
  );
  // Process p of every target before process p + 1 of any.
  const jobs: { target: Target; p: number }[] = [];
  for (let p = 0; p < o.processes; p++) for (const target of targets) jobs.push({ target, p });
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let job = jobs[next++]; job !== undefined; job = jobs[next++]) {
      const { target, p } = job;
      const row = rows.get(target.id)!;
      const t0 = performance.now();
      try {
        const r = await measure(ctx, target, `${target.id}-${p}`, o);
        row.runs.push(r);
        ctx.log(
          `  ${target.label} #${p + 1}: ${fmt(r.main)} main thread, ${fmt(r.all)} all threads ` +
            `(${r.threads} threads) instructions/request (${fmt((performance.now() - t0) / 1000)} s)`,
        );
      } catch (error) {
        row.notes.push(`process ${p + 1}: ${firstLine(error)}`);
        ctx.log(`  ${target.label} #${p + 1} failed: ${String(error)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(o.parallel, jobs.length) }, worker));
  return {
    title: 'Instructions per request',
    description:
      `Scenario 1 (GET / answering {"hello":"world"}, the same server programs) under ${valgrind} --tool=callgrind: ` +
      `${fmt(o.warmupRequests)} requests to warm up with instrumentation off, then ${fmt(o.requests)} counted; ` +
      `autocannon -c ${o.connections} (not pipelined) in its own process; the mean of ${o.processes} fresh ${o.processes === 1 ? 'process' : 'processes'} ` +
      `per target (each one's figure in parentheses), ${o.parallel} under valgrind at a time. "vs node:http" is ` +
      "node:http's main-thread instructions / the target's (higher is better: 0.96x is 4% more instructions). " +
      "The kernel's work is not counted (the same for every server here: one read and one writev per request); " +
      "V8's background threads (optimizing compiler, GC helpers) count only in the all-threads column.",
    valgrind,
    options: o,
    rows: [...rows.values()],
    seconds: (performance.now() - started) / 1000,
  };
}

/** The section for latest.md. @internal */
export function instructionsMarkdown(
  result: InstructionsResult,
  header: readonly string[],
): string {
  return [
    INSTRUCTIONS_HEADING,
    '',
    ...header,
    '',
    result.description,
    '',
    instructionsTableMarkdown(result.rows),
    '',
    `_(${fmt(result.seconds)} s)_`,
  ].join('\n');
}
