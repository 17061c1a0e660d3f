import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareEntryIds, compareEventIds, formatEventId, newEpoch, parseEventId } from './ids';

const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });

describe('event ids', () => {
  it('parse what format wrote, normalised', () => {
    fc.assert(
      fc.property(u64, u64, (ms, seq) => {
        const epoch = newEpoch();
        expect(parseEventId(formatEventId(epoch, `${ms}-${seq}`))).toEqual({
          epoch,
          entry: `${ms}-${seq}`,
        });
      }),
    );
    expect(parseEventId('abc_007-01')).toEqual({ epoch: 'abc', entry: '7-1' });
  });

  it('order entry ids as Redis does: by ms, then seq, as 64-bit numbers', () => {
    fc.assert(
      fc.property(u64, u64, u64, u64, (m1, s1, m2, s2) => {
        const expected = m1 === m2 ? (s1 === s2 ? 0 : s1 < s2 ? -1 : 1) : m1 < m2 ? -1 : 1;
        expect(compareEntryIds(`${m1}-${s1}`, `${m2}-${s2}`)).toBe(expected);
        expect(compareEventIds(`e_${m1}-${s1}`, `e_${m2}-${s2}`)).toBe(expected);
      }),
    );
  });

  it('refuse anything but <epoch>_<ms>-<seq> within 64 bits', () => {
    for (const bad of [
      '',
      'x',
      '1-0',
      '_1-0',
      'e_1',
      'e_-1-0',
      'E_1-0',
      'e_1-0 ',
      'e_18446744073709551616-0',
      'e_0-18446744073709551616',
      `e_${'9'.repeat(21)}-0`,
      `${'a'.repeat(17)}_1-0`,
      'e_1-0\n',
      'e_+',
      'e_$',
    ]) {
      expect(parseEventId(bad), bad).toBeUndefined();
    }
    fc.assert(
      fc.property(fc.string(), (text) => {
        const parsed = parseEventId(text);
        if (parsed !== undefined) expect(text).toMatch(/^[0-9a-z]{1,16}_[0-9]+-[0-9]+$/);
      }),
    );
  });

  it('keep a total order across epochs', () => {
    expect(compareEventIds('a_9-0', 'b_1-0')).toBe(-1);
    expect(compareEventIds('b_1-0', 'a_9-0')).toBe(1);
    expect(compareEventIds('a_1-0', 'a_1-0')).toBe(0);
  });

  it('new epochs are short base-36 text, different each time', () => {
    const epochs = new Set(Array.from({ length: 100 }, newEpoch));
    expect(epochs.size).toBe(100);
    for (const epoch of epochs) expect(epoch).toMatch(/^[0-9a-z]{8,10}$/);
  });
});
