import { describe, expect, it } from 'vitest';
import { isStaticError, StaticError } from './errors';

describe('isStaticError', () => {
  it('recognises the class by name, across copies of the package, as StaticError.isError does', () => {
    const own = new StaticError('FILE_ERROR', 'm');
    const foreign = Object.assign(new Error('x'), { name: 'StaticError', code: 'FILE_ERROR' });
    for (const value of [own, foreign]) {
      expect(isStaticError(value)).toBe(true);
      expect(StaticError.isError(value)).toBe(true);
    }
    for (const value of [
      new Error('x'),
      { name: 'StaticError', code: 'FILE_ERROR' },
      'StaticError',
      null,
      undefined,
    ]) {
      expect(isStaticError(value)).toBe(false);
      expect(StaticError.isError(value)).toBe(false);
    }
  });
});
