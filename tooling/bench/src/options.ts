// Command-line options of `pnpm bench:compare`.
import { parseArgs } from 'node:util';

/** Everything a run can be told. @internal */
export interface Options {
  readonly quick: boolean;
  /** Scenario numbers to run (1-6). */
  readonly scenarios: readonly number[];
  /** Target ids to run (node:http always runs: it is the baseline); undefined for all. */
  readonly targets: readonly string[] | undefined;
  /** Interleaved rounds per scenario. */
  readonly rounds: number;
  /** Scenario 1: seconds per load run, and of the warm-up. */
  readonly durationSec: number;
  readonly warmupSec: number;
  /** Scenario 1: also run wrk when installed. */
  readonly wrk: boolean;
  /** Scenario 2: file size. */
  readonly fileMiB: number;
  /** Scenario 3: sequence length. */
  readonly seqN: number;
  /** Scenario 7: seconds of hello-world load per round, and file downloads after it. */
  readonly workingSec: number;
  readonly downloads: number;
  /** Scenario 4: SSE clients and timed broadcasts. */
  readonly sseClients: number;
  readonly broadcasts: number;
  /** Scenario 5: how long the slow reader reads, and how fast (bytes/s). */
  readonly slowSeconds: number;
  readonly slowRate: number;
  /** Scenario 6: aborted requests per target. */
  readonly aborts: number;
  /** Where the JSON and markdown go. */
  readonly outDir: string;
  /** Pin processes with taskset when available. */
  readonly pin: boolean;
  /** `--instructions`: count scenario 1's instructions under callgrind (and run nothing else). */
  readonly instructions: InstructionsOptions | undefined;
}

/** How `--instructions` counts. @internal */
export interface InstructionsOptions {
  /** Requests before counting, instrumentation off. @default 30000 */
  readonly warmupRequests: number;
  /** Requests counted. @default 20000 */
  readonly requests: number;
  /** autocannon connections (not pipelined). @default 10 */
  readonly connections: number;
  /** Fresh server processes per target. @default 2 */
  readonly processes: number;
  /** Servers under valgrind at once. @default 2 */
  readonly parallel: number;
}

/** The usage text. @internal */
export const USAGE = `Usage: pnpm bench:compare [options]

  --quick                 short run (about 4 minutes on 2 cores): fewer seconds,
                          smaller payloads, same scenarios and rounds
  --scenarios 1,2,...     scenarios to run (default: all, 1-7)
  --targets a,b           targets to run besides node (ids: node, plinth, plinth-10,
                          plinth-schema, fastify, hono, koa, express, node-1m,
                          node-batched, node-limit)
  --rounds N              interleaved rounds (default 3)
  --duration S            scenario 1: seconds per load run
  --no-wrk                scenario 1: autocannon only even if wrk is installed
  --wrk                   scenario 1: with --quick, also run wrk (full runs do)
  --file-mib N            scenario 2: file size in MiB (default 100)
  --seq-n N               scenario 3: elements (default 1000000)
  --sse-clients N         scenario 4: clients (default 1000)
  --working-seconds S     scenario 7: hello-world load per round before the
                          downloads (default 5)
  --downloads N           scenario 7: curl downloads of the file per round (default 4)
  --slow-seconds S        scenario 5: how long the slow reader reads (default 30)
  --aborts N              scenario 6: aborted requests per target (default 1000)
  --out DIR               where results go (default: ./results)
  --no-pin                do not use taskset
  --instructions          only this: scenario 1's instructions per request under
                          valgrind (callgrind), a fixed number of requests per
                          server; immune to a busy machine
  --warmup-requests N     with --instructions: requests before counting (30000)
  --requests N            with --instructions: requests counted (20000)
  --processes N           with --instructions: fresh servers per target (2)
  --parallel N            with --instructions: servers under valgrind at once (2)
  --help
`;

function positiveInt(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new TypeError(`--${name} must be a positive integer, got ${JSON.stringify(raw)}`);
  }
  return value;
}

/** Parses argv; throws a TypeError naming a bad value. @internal */
export function parseOptions(argv: readonly string[]): Options | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: 'boolean', default: false },
      scenarios: { type: 'string' },
      targets: { type: 'string' },
      rounds: { type: 'string' },
      duration: { type: 'string' },
      wrk: { type: 'boolean', default: false },
      'no-wrk': { type: 'boolean', default: false },
      'file-mib': { type: 'string' },
      'seq-n': { type: 'string' },
      'sse-clients': { type: 'string' },
      'working-seconds': { type: 'string' },
      downloads: { type: 'string' },
      'slow-seconds': { type: 'string' },
      aborts: { type: 'string' },
      out: { type: 'string' },
      'no-pin': { type: 'boolean', default: false },
      instructions: { type: 'boolean', default: false },
      'warmup-requests': { type: 'string' },
      requests: { type: 'string' },
      processes: { type: 'string' },
      parallel: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return 'help';
  const quick = values.quick === true;
  const instructions = values.instructions === true;
  if (instructions && values.scenarios !== undefined) {
    throw new TypeError('--instructions runs alone: leave out --scenarios');
  }
  for (const name of ['warmup-requests', 'requests', 'processes', 'parallel'] as const) {
    if (!instructions && values[name] !== undefined) {
      throw new TypeError(`--${name} applies only with --instructions`);
    }
  }
  const scenarios = (instructions ? [] : (values.scenarios ?? '1,2,3,4,5,6,7').split(',')).map(
    (s) => {
      const n = Number(s.trim());
      if (!Number.isInteger(n) || n < 1 || n > 7) {
        throw new TypeError(`--scenarios takes numbers 1-7, got ${JSON.stringify(s)}`);
      }
      return n;
    },
  );
  return {
    quick,
    scenarios,
    targets: values.targets?.split(',').map((s) => s.trim()),
    rounds: positiveInt('rounds', values.rounds, 3),
    durationSec: positiveInt('duration', values.duration, quick ? 1 : 3),
    warmupSec: quick ? 1 : 2,
    // wrk doubles scenario 1's time: the quick run leaves it out unless asked.
    wrk: values['no-wrk'] ? false : quick ? values.wrk === true : true,
    fileMiB: positiveInt('file-mib', values['file-mib'], quick ? 32 : 100),
    seqN: positiveInt('seq-n', values['seq-n'], quick ? 100_000 : 1_000_000),
    workingSec: positiveInt('working-seconds', values['working-seconds'], quick ? 2 : 5),
    downloads: positiveInt('downloads', values.downloads, quick ? 2 : 4),
    sseClients: positiveInt('sse-clients', values['sse-clients'], quick ? 250 : 1000),
    broadcasts: quick ? 10 : 30,
    slowSeconds: positiveInt('slow-seconds', values['slow-seconds'], quick ? 4 : 30),
    slowRate: 64 * 1024,
    aborts: positiveInt('aborts', values.aborts, quick ? 200 : 1000),
    outDir: values.out ?? 'results',
    pin: !values['no-pin'],
    instructions: instructions
      ? {
          warmupRequests: positiveInt('warmup-requests', values['warmup-requests'], 30_000),
          requests: positiveInt('requests', values.requests, 20_000),
          connections: 10,
          processes: positiveInt('processes', values.processes, 2),
          parallel: positiveInt('parallel', values.parallel, 2),
        }
      : undefined,
  };
}
