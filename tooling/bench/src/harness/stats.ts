// Small statistics over a handful of rounds (and over many latency samples).

/** Sorted copy of the finite numbers in `values`. @internal */
export function sortedFinite(values: readonly number[]): number[] {
  return values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
}

/**
 * The q-quantile (0..1) of already sorted values, with linear interpolation;
 * NaN when there are none.
 * @internal
 */
export function quantileSorted(sorted: readonly number[], q: number): number {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`q must be within 0..1, got ${q}`);
  if (sorted.length === 0) return Number.NaN;
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (b - a) * (at - lo);
}

/** Median of the finite values; NaN when there are none. @internal */
export function median(values: readonly number[]): number {
  return quantileSorted(sortedFinite(values), 0.5);
}

/** Median with min and max of the finite values. @internal */
export interface Summary {
  median: number;
  min: number;
  max: number;
  /** How many finite values there were. */
  n: number;
}

/** Summarises rounds: median and min-max of the finite values. @internal */
export function summarise(values: readonly number[]): Summary {
  const sorted = sortedFinite(values);
  return {
    median: quantileSorted(sorted, 0.5),
    min: sorted.length > 0 ? (sorted[0] as number) : Number.NaN,
    max: sorted.length > 0 ? (sorted[sorted.length - 1] as number) : Number.NaN,
    n: sorted.length,
  };
}

/**
 * Ratio of each round's value to the baseline's value in the same round (NaN where
 * either is missing). `invert` gives baseline / value, for times where lower is better.
 * @internal
 */
export function roundRatios(
  values: readonly number[],
  baseline: readonly number[],
  invert = false,
): number[] {
  return values.map((v, i) => {
    const b = baseline[i];
    if (b === undefined || !Number.isFinite(v) || !Number.isFinite(b) || v === 0 || b === 0) {
      return Number.NaN;
    }
    return invert ? b / v : v / b;
  });
}
