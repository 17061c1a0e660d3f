// The pure part of the instruction counts: reading callgrind's output files, the
// per-target figures, their markdown, and merging that section into latest.md.
import { fmt } from './results';

/** Instructions one server process executed while counting, and the requests served. @internal */
export interface InstructionRun {
  /** Instructions of the main thread (the event loop), per request. */
  readonly main: number;
  /** Instructions of all threads (main + V8's background threads), per request. */
  readonly all: number;
  readonly requests: number;
  /** Threads that left an output file. */
  readonly threads: number;
}

/** One target's runs (one per fresh process) and notes. @internal */
export interface InstructionRow {
  readonly id: string;
  readonly label: string;
  readonly runs: InstructionRun[];
  readonly notes: string[];
}

/**
 * The `totals:` figure (instructions, the first event) of one callgrind output
 * file; throws naming the file when it has none.
 * @internal
 */
export function parseCallgrindTotals(text: string, file: string): number {
  const match = /^totals:\s+(\d+)/m.exec(text) ?? /^summary:\s+(\d+)/m.exec(text);
  if (!match) throw new Error(`no "totals:" line in callgrind output ${JSON.stringify(file)}`);
  return Number(match[1]);
}

/**
 * The thread number of a callgrind output file written with --separate-threads=yes
 * (`<out>-01` is the main thread); undefined for a file of another run.
 * @internal
 */
export function callgrindThread(file: string, out: string): number | undefined {
  if (!file.startsWith(`${out}-`)) return undefined;
  const match = /^-(\d+)$/.exec(file.slice(out.length));
  return match ? Number(match[1]) : undefined;
}

/**
 * One process's figures from its thread files' totals (thread number → instructions)
 * and the requests served during the count; throws when the main thread is missing.
 * @internal
 */
export function instructionRun(
  totals: ReadonlyMap<number, number>,
  requests: number,
): InstructionRun {
  const main = totals.get(1);
  if (main === undefined) throw new Error('callgrind wrote no file for the main thread (-01)');
  if (!(requests > 0)) throw new Error(`no requests were counted (got ${requests})`);
  let all = 0;
  for (const value of totals.values()) all += value;
  return { main: main / requests, all: all / requests, requests, threads: totals.size };
}

/** The mean of `values`; NaN when empty. @internal */
export function mean(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/** Mean main-thread instructions per request of a row (NaN without runs). @internal */
export function mainMean(row: InstructionRow): number {
  return mean(row.runs.map((r) => r.main));
}

/** node:http's mean / the row's mean, main thread: higher is better (fewer instructions). @internal */
export function ratioToBaseline(row: InstructionRow, baseline: InstructionRow | undefined): number {
  return baseline ? mainMean(baseline) / mainMean(row) : Number.NaN;
}

function cell(values: readonly number[]): string {
  if (values.length === 0) return '–';
  const m = fmt(mean(values));
  return values.length > 1 ? `${m} (${values.map((v) => fmt(v)).join('; ')})` : m;
}

/**
 * The table: main-thread instructions per request (mean, then each process's value),
 * the ratio node:http / target, and all threads per request.
 * @internal
 */
export function instructionsTableMarkdown(
  rows: readonly InstructionRow[],
  baselineId = 'node',
): string {
  const baseline = rows.find((r) => r.id === baselineId);
  const lines = [
    '| target | main thread instructions/request | vs node:http | all threads instructions/request |',
    '|---|---:|---:|---:|',
  ];
  for (const row of rows) {
    const ratio = ratioToBaseline(row, baseline);
    const shown =
      row.id === baselineId
        ? '1x'
        : Number.isFinite(ratio) && row.runs.length > 0
          ? `${ratio.toFixed(2)}x`
          : '–';
    lines.push(
      `| ${row.label} | ${cell(row.runs.map((r) => r.main))} | ${shown} | ${cell(row.runs.map((r) => r.all))} |`,
    );
  }
  const notes = rows.flatMap((r) => r.notes.map((n) => `- ${r.label}: ${n}`));
  return [...lines, ...(notes.length ? ['', ...notes] : [])].join('\n');
}

/** The heading of the section in latest.md. @internal */
export const INSTRUCTIONS_HEADING = '## Instructions per request (scenario 1 under callgrind)';

/**
 * `existing` markdown with `section` (starting with `heading`) in place of a previous
 * section of that heading (up to the next `## ` heading), or appended at the end.
 * @internal
 */
export function mergeSection(
  existing: string | undefined,
  heading: string,
  section: string,
): string {
  const body = `${section.trimEnd()}\n`;
  if (existing === undefined || existing.trim() === '') return body;
  const lines = existing.split('\n');
  const start = lines.findIndex((l) => l.trimEnd() === heading);
  if (start === -1) return `${existing.trimEnd()}\n\n${body}`;
  let end = lines.findIndex((l, i) => i > start && l.startsWith('## '));
  if (end === -1) end = lines.length;
  const before = lines.slice(0, start).join('\n').trimEnd();
  const after = lines.slice(end).join('\n').trimEnd();
  return `${[before, body.trimEnd(), after].filter((p) => p !== '').join('\n\n')}\n`;
}
