// `pnpm bench:compare`: runs the scenarios, prints and writes the results.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Affinity, detectAffinity } from './harness/affinity';
import { INSTRUCTIONS_HEADING, mergeSection } from './harness/callgrind';
import type { BenchContext } from './harness/context';
import { hasWrk } from './harness/load';
import { fmt, type ScenarioResult, scenarioMarkdown } from './harness/results';
import { type Options, parseOptions, USAGE } from './options';
import { summaryMarkdown, verdictsMarkdown } from './report';
import { abortScenario } from './scenarios/abort';
import { createBigFile, fileScenario } from './scenarios/file';
import { helloScenario } from './scenarios/hello';
import {
  instructionsMarkdown,
  instructionsScenario,
  valgrindMissing,
} from './scenarios/instructions';
import { sequenceScenario } from './scenarios/sequence';
import { slowReaderScenario } from './scenarios/slow-reader';
import { sseScenario } from './scenarios/sse';
import { workingScenario } from './scenarios/working';

const SCENARIOS: Record<number, (ctx: BenchContext) => Promise<ScenarioResult>> = {
  1: helloScenario,
  2: fileScenario,
  3: sequenceScenario,
  4: sseScenario,
  5: slowReaderScenario,
  6: abortScenario,
  7: workingScenario,
};

const here = dirname(fileURLToPath(import.meta.url));

async function main(): Promise<number> {
  let options: ReturnType<typeof parseOptions>;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (options === 'help') {
    console.log(USAGE);
    return 0;
  }
  if (options.instructions) return instructionsMain(options);
  // Once re-run pinned (below), this process sees only the load cores, so the
  // affinity found before pinning comes in the environment.
  const inherited = process.env.PLINTH_BENCH_AFFINITY;
  const affinity: Affinity = inherited
    ? (JSON.parse(inherited) as Affinity)
    : detectAffinity(!options.pin);
  // The orchestrator and the in-process clients belong on the load cores, away
  // from the servers: re-run this program pinned there.
  if (affinity.pinning && inherited === undefined) {
    const r = spawnSync(
      'taskset',
      ['-c', affinity.loadCpus!, process.execPath, ...process.execArgv, ...process.argv.slice(1)],
      {
        stdio: 'inherit',
        env: { ...process.env, PLINTH_BENCH_AFFINITY: JSON.stringify(affinity) },
      },
    );
    return r.status ?? 1;
  }
  const started = performance.now();
  const workDir = mkdtempSync(join(tmpdir(), 'plinth-bench-'));
  const log = (message: string): void => {
    const t = ((performance.now() - started) / 1000).toFixed(0).padStart(4);
    process.stderr.write(`[${t}s] ${message}\n`);
  };
  const wrk = options.wrk && hasWrk();
  const cpuModel = cpus()[0]?.model ?? 'unknown';
  const env = {
    node: process.version,
    cpu: `${cpuModel} x ${cpus().length}`,
    pinning: affinity.pinning
      ? `servers on CPU ${affinity.serverCpus}, load and clients on CPU ${affinity.loadCpus} (taskset)`
      : 'no pinning (taskset missing or one core)',
    wrk: wrk ? 'yes' : 'no (not installed or --no-wrk)',
    command: `pnpm bench:compare ${process.argv.slice(2).join(' ')}`.trim(),
    date: new Date().toISOString(),
  };
  log(`Node ${env.node}, ${env.cpu}; ${env.pinning}; wrk: ${env.wrk}`);
  const results: ScenarioResult[] = [];
  try {
    const filePath = options.scenarios.some((id) => id === 2 || id === 6 || id === 7)
      ? createBigFile(workDir, options.fileMiB)
      : '';
    const ctx: BenchContext = {
      options,
      affinity,
      serversDir: join(here, 'servers'),
      clientsDir: join(here, 'clients'),
      workDir,
      serverEnv: {
        BENCH_FILE: filePath,
        BENCH_SEQ_N: String(options.seqN),
      },
      wrk,
      log,
    };
    for (const id of options.scenarios) {
      log(`scenario ${id}`);
      const result = await SCENARIOS[id]!(ctx);
      results.push(result);
      console.log(`\n${scenarioMarkdown(result)}\n`);
    }
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
  const seconds = (performance.now() - started) / 1000;
  const markdown = [
    '# Plinth cross-framework benchmark',
    '',
    `- Node ${env.node}; CPU ${env.cpu}`,
    `- ${env.pinning}; wrk: ${env.wrk}`,
    `- Command: \`${env.command}\`; ${env.date}; total ${fmt(seconds)} s`,
    '',
    '## Plinth targets',
    '',
    verdictsMarkdown(results),
    '',
    '## Summary',
    '',
    "Ratios to node:http of the same round (median over rounds; for times, node's time / the target's, so higher is",
    'faster; for p99 and RSS, lower is better). Scenario 1 from wrk when installed. 5a, 5b: MiB held for one slow',
    'client at the end (bounded when flat); 6: descriptors, handles, producers, SSE registrations and sockets left.',
    '',
    summaryMarkdown(results),
    '',
    '## Scenarios',
    '',
    ...results.map((r) => `${scenarioMarkdown(r)}\n`),
  ].join('\n');
  const outDir = resolve(options.outDir);
  mkdirSync(outDir, { recursive: true });
  const stamp = env.date.replace(/[:.]/g, '-');
  const json = `${JSON.stringify({ env, options, seconds, results }, replacer, 2)}\n`;
  for (const name of [`compare-${stamp}`, 'latest']) {
    writeFileSync(join(outDir, `${name}.json`), json);
    writeFileSync(join(outDir, `${name}.md`), markdown);
  }
  console.log(`\n## Plinth targets\n\n${verdictsMarkdown(results)}\n`);
  log(`done in ${fmt(seconds)} s; results in ${join(outDir, 'latest.md')} and latest.json`);
  return 0;
}

/**
 * `--instructions`: counts scenario 1 under callgrind and nothing else. Unpinned
 * (instruction counts do not depend on where or beside what a server runs), so two
 * servers can run under valgrind at once. The section replaces the previous one in
 * results/latest.md (or is appended to it) and goes into latest.json as
 * `instructions`, so the last full run and the last count sit side by side; a
 * time-stamped copy of each is written too.
 */
async function instructionsMain(options: Options): Promise<number> {
  const o = options.instructions!;
  const missing = valgrindMissing();
  if (missing) {
    console.log(`--instructions skipped: ${missing}`);
    return 0;
  }
  const started = performance.now();
  const log = (message: string): void => {
    const t = ((performance.now() - started) / 1000).toFixed(0).padStart(4);
    process.stderr.write(`[${t}s] ${message}\n`);
  };
  const env = {
    node: process.version,
    cpu: `${cpus()[0]?.model ?? 'unknown'} x ${cpus().length}`,
    command: `pnpm bench:compare ${process.argv.slice(2).join(' ')}`.trim(),
    date: new Date().toISOString(),
  };
  log(`Node ${env.node}, ${env.cpu}; not pinned (instruction counts do not depend on it)`);
  const workDir = mkdtempSync(join(tmpdir(), 'plinth-bench-'));
  let result: Awaited<ReturnType<typeof instructionsScenario>>;
  try {
    result = await instructionsScenario(
      {
        options,
        affinity: detectAffinity(true),
        serversDir: join(here, 'servers'),
        clientsDir: join(here, 'clients'),
        workDir,
        serverEnv: { BENCH_FILE: '', BENCH_SEQ_N: String(options.seqN) },
        wrk: false,
        log,
      },
      o,
    );
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
  const section = instructionsMarkdown(result, [
    `- Node ${env.node}; CPU ${env.cpu}; ${result.valgrind}`,
    `- Command: \`${env.command}\`; ${env.date}; total ${fmt(result.seconds)} s`,
  ]);
  console.log(`\n${section}\n`);
  const outDir = resolve(options.outDir);
  mkdirSync(outDir, { recursive: true });
  const stamp = env.date.replace(/[:.]/g, '-');
  const own = { env, instructions: result };
  writeFileSync(
    join(outDir, `instructions-${stamp}.json`),
    `${JSON.stringify(own, replacer, 2)}\n`,
  );
  writeFileSync(join(outDir, `instructions-${stamp}.md`), `${section}\n`);
  const latestMd = join(outDir, 'latest.md');
  const latestJson = join(outDir, 'latest.json');
  const previousMd = existsSync(latestMd) ? readFileSync(latestMd, 'utf8') : undefined;
  writeFileSync(latestMd, mergeSection(previousMd, INSTRUCTIONS_HEADING, section));
  let previousJson: Record<string, unknown> = {};
  try {
    previousJson = JSON.parse(readFileSync(latestJson, 'utf8')) as Record<string, unknown>;
  } catch {
    // No full run yet (or an unreadable file): latest.json holds only the count.
  }
  const merged = { ...previousJson, instructions: { env, ...result } };
  writeFileSync(latestJson, `${JSON.stringify(merged, replacer, 2)}\n`);
  log(`done in ${fmt(result.seconds)} s; results in ${latestMd} and latest.json`);
  return 0;
}

/** NaN and Infinity become null in the JSON file. */
function replacer(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? null : value;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    console.error(error);
    process.exitCode = 1;
  },
);
