import { describe, expect, it } from 'vitest';
import {
  callgrindThread,
  type InstructionRow,
  instructionRun,
  instructionsTableMarkdown,
  mergeSection,
  parseCallgrindTotals,
  ratioToBaseline,
} from './callgrind';

const OUTPUT = `# callgrind format
version: 1
creator: callgrind-3.19.0
pid: 4242
cmd:  /usr/bin/node --expose-gc dist/servers/node.mjs
part: 1

desc: I1 cache:
desc: Timerange: Basic block 0 - 123
positions: line
events: Ir
summary: 480000000
fn=(1) main
0 5

totals: 480000000
`;

describe('parseCallgrindTotals', () => {
  it('reads the totals line', () => {
    expect(parseCallgrindTotals(OUTPUT, 'x.out-01')).toBe(480_000_000);
  });

  it('falls back to summary, and names a file without either', () => {
    expect(parseCallgrindTotals('events: Ir\nsummary: 12 3\n', 'a')).toBe(12);
    expect(() => parseCallgrindTotals('events: Ir\n', 'node-0.out-02')).toThrow(
      /no "totals:" line in callgrind output "node-0.out-02"/,
    );
  });
});

describe('callgrindThread', () => {
  it('takes the thread number of this run only', () => {
    expect(callgrindThread('node-0.out-01', 'node-0.out')).toBe(1);
    expect(callgrindThread('node-0.out-12', 'node-0.out')).toBe(12);
    expect(callgrindThread('node-1.out-01', 'node-0.out')).toBeUndefined();
    expect(callgrindThread('plinth-10-0.out-01', 'plinth-0.out')).toBeUndefined();
    expect(callgrindThread('node-0.out-01.1', 'node-0.out')).toBeUndefined();
  });
});

describe('instructionRun', () => {
  it('divides the main thread and all threads by the requests', () => {
    const r = instructionRun(
      new Map([
        [1, 400_000],
        [2, 100_000],
        [3, 50],
      ]),
      20,
    );
    expect(r).toEqual({ main: 20_000, all: 25_002.5, requests: 20, threads: 3 });
  });

  it('names a missing main thread and zero requests', () => {
    expect(() => instructionRun(new Map([[2, 1]]), 10)).toThrow(/main thread \(-01\)/);
    expect(() => instructionRun(new Map([[1, 1]]), 0)).toThrow(
      /no requests were counted \(got 0\)/,
    );
  });
});

function row(id: string, mains: number[], notes: string[] = []): InstructionRow {
  return {
    id,
    label: id === 'node' ? 'node:http' : id,
    runs: mains.map((main) => ({ main, all: main * 2, requests: 1, threads: 5 })),
    notes,
  };
}

describe('instructionsTableMarkdown', () => {
  it('shows the mean, each process, node:http / target and all threads', () => {
    const rows = [
      row('node', [20_000, 20_400]),
      row('plinth', [21_000, 21_400]),
      row('koa', [], ['process 1: did not start']),
    ];
    expect(ratioToBaseline(rows[1]!, rows[0])).toBeCloseTo(20_200 / 21_200, 10);
    expect(instructionsTableMarkdown(rows)).toBe(
      [
        '| target | main thread instructions/request | vs node:http | all threads instructions/request |',
        '|---|---:|---:|---:|',
        '| node:http | 20,200 (20,000; 20,400) | 1x | 40,400 (40,000; 40,800) |',
        '| plinth | 21,200 (21,000; 21,400) | 0.95x | 42,400 (42,000; 42,800) |',
        '| koa | – | – | – |',
        '',
        '- koa: process 1: did not start',
      ].join('\n'),
    );
  });

  it('has no ratio without a baseline', () => {
    expect(instructionsTableMarkdown([row('plinth', [10])])).toContain('| plinth | 10 | – | 20 |');
  });
});

describe('mergeSection', () => {
  const heading = '## Counted';
  const section = `${heading}\n\nnew table\n`;

  it('starts a file, or appends to one without the section', () => {
    expect(mergeSection(undefined, heading, section)).toBe(`${heading}\n\nnew table\n`);
    expect(mergeSection('# Run\n\n## Scenarios\n\nold\n', heading, section)).toBe(
      `# Run\n\n## Scenarios\n\nold\n\n${heading}\n\nnew table\n`,
    );
  });

  it('replaces a previous section in place, keeping what follows', () => {
    const existing = `# Run\n\n${heading}\n\nold table\n\n## After\n\nkept\n`;
    expect(mergeSection(existing, heading, section)).toBe(
      `# Run\n\n${heading}\n\nnew table\n\n## After\n\nkept\n`,
    );
    const last = `# Run\n\n${heading}\n\nold table\n`;
    expect(mergeSection(last, heading, section)).toBe(`# Run\n\n${heading}\n\nnew table\n`);
  });
});
