import type { Interceptor } from '../types';
import { describe } from './values';

/**
 * Brand of interceptors built by `interceptor()`: a non-enumerable key, so that a
 * spread copy (which may change a stage) is validated again.
 * @internal
 */
export const VALID: unique symbol = Symbol.for('plinth.interceptor.valid/1') as never;

const STAGES = ['enter', 'leave', 'error'] as const;

/**
 * Why `value` is not an interceptor, or `undefined` when it is one.
 * @internal
 */
export function invalidReason(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) {
    return `expected an interceptor (an object with enter, leave or error functions), got ${describe(value)}`;
  }
  if ((value as { [VALID]?: true })[VALID] === true) return undefined;
  const spec = value as Record<string, unknown>;
  const name = spec.name;
  if (name !== undefined && typeof name !== 'string') {
    return `an interceptor's name must be a string, got ${describe(name)}`;
  }
  const label = name === undefined ? 'an anonymous interceptor' : `interceptor "${name}"`;
  let stages = 0;
  for (const stage of STAGES) {
    const f = spec[stage];
    if (f === undefined) continue;
    if (typeof f !== 'function') {
      return `${label}: ${stage} must be a function, got ${describe(f)}`;
    }
    stages++;
  }
  if (stages === 0) {
    return `${label} has no stage: it needs at least one of enter, leave, error (got ${describe(value)})`;
  }
  return undefined;
}

/**
 * Throws a TypeError naming the first bad interceptor of `list`.
 * @internal
 */
export function assertInterceptors(
  fn: string,
  list: readonly unknown[],
): asserts list is Interceptor[] {
  for (let k = 0; k < list.length; k++) {
    const reason = invalidReason(list[k]);
    if (reason !== undefined) {
      throw new TypeError(`${fn}: interceptor at position ${k} is not valid: ${reason}`);
    }
  }
}
