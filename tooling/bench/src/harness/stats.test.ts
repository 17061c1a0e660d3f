import { describe, expect, it } from 'vitest';
import { median, quantileSorted, roundRatios, summarise } from './stats';

describe('stats', () => {
  it('takes the median of odd and even counts, ignoring NaN', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([Number.NaN, 5, 1])).toBe(3);
    expect(median([])).toBeNaN();
  });

  it('interpolates quantiles and refuses q outside 0..1', () => {
    expect(quantileSorted([0, 10], 0.99)).toBeCloseTo(9.9);
    expect(quantileSorted([1, 2, 3, 4, 5], 0)).toBe(1);
    expect(quantileSorted([1, 2, 3, 4, 5], 1)).toBe(5);
    expect(() => quantileSorted([1], 1.5)).toThrow(/q must be within 0..1, got 1.5/);
  });

  it('summarises median and min-max', () => {
    expect(summarise([5, Number.NaN, 1, 3])).toEqual({ median: 3, min: 1, max: 5, n: 3 });
  });

  it('divides by the baseline of the same round, inverted for times', () => {
    expect(roundRatios([10, 20, 30], [5, 10, 0])).toEqual([2, 2, Number.NaN]);
    expect(roundRatios([50, 25], [100, 100], true)).toEqual([2, 4]);
    expect(roundRatios([1, 2], [1])).toEqual([1, Number.NaN]);
  });
});
