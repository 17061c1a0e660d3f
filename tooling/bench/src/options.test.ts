import { describe, expect, it } from 'vitest';
import { parseOptions } from './options';

describe('parseOptions', () => {
  it('gives the full run by default and a shorter one with --quick', () => {
    const full = parseOptions([]);
    const quick = parseOptions(['--quick']);
    if (full === 'help' || quick === 'help') throw new Error('help');
    expect(full.scenarios).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(full.rounds).toBe(3);
    expect([full.fileMiB, full.seqN, full.sseClients, full.slowSeconds, full.aborts]).toEqual([
      100, 1_000_000, 1000, 30, 1000,
    ]);
    expect(quick.rounds).toBe(3);
    expect(quick.wrk).toBe(false);
    expect(quick.seqN).toBeLessThan(full.seqN);
  });

  it('names bad values', () => {
    expect(() => parseOptions(['--rounds', '0'])).toThrow(
      /--rounds must be a positive integer, got "0"/,
    );
    expect(() => parseOptions(['--scenarios', '1,9'])).toThrow(
      /--scenarios takes numbers 1-7, got "9"/,
    );
    expect(() => parseOptions(['--bogus'])).toThrow(/bogus/);
  });

  it('takes a scenario list, targets and --slow-seconds', () => {
    const o = parseOptions(['--scenarios', '5', '--targets', 'plinth,hono', '--slow-seconds', '7']);
    if (o === 'help') throw new Error('help');
    expect(o.scenarios).toEqual([5]);
    expect(o.targets).toEqual(['plinth', 'hono']);
    expect(o.slowSeconds).toBe(7);
  });

  it('--instructions runs alone, with its defaults and sizes', () => {
    const o = parseOptions(['--instructions', '--targets', 'plinth']);
    if (o === 'help') throw new Error('help');
    expect(o.scenarios).toEqual([]);
    expect(o.targets).toEqual(['plinth']);
    expect(o.instructions).toEqual({
      warmupRequests: 30_000,
      requests: 20_000,
      connections: 10,
      processes: 2,
      parallel: 2,
    });
    const sized = parseOptions(['--instructions', '--requests', '500', '--processes', '3']);
    if (sized === 'help') throw new Error('help');
    expect([sized.instructions?.requests, sized.instructions?.processes]).toEqual([500, 3]);
    const full = parseOptions([]);
    if (full === 'help') throw new Error('help');
    expect(full.instructions).toBeUndefined();
  });

  it('names --instructions options used without it, or with --scenarios', () => {
    expect(() => parseOptions(['--requests', '5'])).toThrow(
      /--requests applies only with --instructions/,
    );
    expect(() => parseOptions(['--instructions', '--scenarios', '1'])).toThrow(
      /--instructions runs alone: leave out --scenarios/,
    );
    expect(() => parseOptions(['--instructions', '--parallel', '0'])).toThrow(
      /--parallel must be a positive integer, got "0"/,
    );
  });
});
