import { describe, expect, it } from 'vitest';
import { isRouterError, RouterError } from './errors';

describe('isRouterError', () => {
  it('recognises the class by name, across copies of the package, as RouterError.isError does', () => {
    const own = new RouterError('UNKNOWN_ROUTE', 'nope', { route: 'r' });
    const foreign = Object.assign(new Error('x'), { name: 'RouterError', code: 'UNKNOWN_ROUTE' });
    for (const value of [own, foreign]) {
      expect(isRouterError(value)).toBe(true);
      expect(RouterError.isError(value)).toBe(true);
    }
    for (const value of [
      new Error('x'),
      { name: 'RouterError', code: 'UNKNOWN_ROUTE' },
      'RouterError',
      null,
      undefined,
    ]) {
      expect(isRouterError(value)).toBe(false);
      expect(RouterError.isError(value)).toBe(false);
    }
  });
});
