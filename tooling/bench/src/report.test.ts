import { describe, expect, it } from 'vitest';
import type { ScenarioResult, TargetResult } from './harness/results';
import { summaryMarkdown, verdicts } from './report';

function target(id: string, values: Record<string, number[]>): TargetResult {
  return { id, label: id, values, notes: [] };
}

const file: ScenarioResult = {
  id: 2,
  title: 'file',
  description: '',
  tables: [
    {
      title: 'file',
      baseline: 'node',
      metrics: [
        { key: 'mibs', label: 'MiB/s', better: 'higher', ratio: 'plain' },
        { key: 'rss10', label: 'RSS', better: 'lower', ratio: 'plain' },
      ],
      targets: [
        target('node', { mibs: [100, 200, 300], rss10: [80, 80, 80] }),
        target('plinth', { mibs: [250, 300, 900], rss10: [120, 160, 80] }),
      ],
    },
  ],
  series: [],
  notes: [],
  seconds: 1,
};

const aborts: ScenarioResult = {
  ...file,
  id: 6,
  tables: [
    {
      title: 'aborts',
      baseline: 'node',
      metrics: [],
      targets: [
        target('node', {
          fds: [0, 0, 0],
          handles: [0, 1, 0],
          producers: [0, 0, 0],
          sse: [0, 0, 0],
          sockets: [0, 0, 0],
        }),
        target('plinth', {
          fds: [0, 0, 0],
          handles: [0, 0, 0],
          producers: [0, 0, 0],
          sse: [0, 0, 0],
          sockets: [0, 0, 0],
        }),
        target('koa', {
          fds: [3, 3, 3],
          handles: [0, 0, 0],
          producers: [333, 333, 333],
          sse: [0, 0, 0],
          sockets: [0, 0, 0],
        }),
      ],
    },
  ],
};

describe('verdicts', () => {
  it('judge ratios per round against the target (median of 2.5x, 1.5x, 3x)', () => {
    const [v] = verdicts([file]);
    expect(v?.met).toBe(true);
    expect(v?.measured).toMatch(/^2\.50x \(1\.50x–3\.00x\)/);
  });

  it('call a run leak-free only with nothing left, and name the peers that leak', () => {
    const [v] = verdicts([aborts]);
    expect(v?.met).toBe(true);
    expect(v?.measured).toMatch(/leaking: koa/);
  });
});

describe('summaryMarkdown', () => {
  it('shows ratios to node:http and leak counts, one row per headline figure', () => {
    const md = summaryMarkdown([file, aborts]);
    expect(md).toContain('| 2 file MiB/s, 1 connection | 1x | 2.50x | – | – | – | – |');
    expect(md).toContain('| 2 file, peak RSS with 10 connections | 1x | 1.50x |');
    expect(md).toContain('| 6 leaks after aborts | none | none | – | – | 336 | – |');
  });
});

describe('the SSE verdict', () => {
  it('compares with the best framework, and shows node:http beside it', () => {
    const sse: ScenarioResult = {
      ...file,
      id: 4,
      tables: [
        {
          title: 'SSE',
          baseline: 'node',
          metrics: [],
          targets: [
            target('node', { p99: [40, 40, 40] }),
            target('plinth', { p99: [50, 55, 52] }),
            target('koa', { p99: [50, 50, 50] }),
            target('hono', { p99: [90, 90, 90] }),
          ],
        },
      ],
    };
    const [v] = verdicts([sse]);
    expect(v?.met).toBe(false);
    expect(v?.measured).toBe(
      'Plinth 52.0 ms; best peer koa 50.0 ms (4% slower); node:http 40.0 ms',
    );
  });
});
