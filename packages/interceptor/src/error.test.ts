import { describe, expect, it } from 'vitest';
import { InterceptorError } from './error';

describe('InterceptorError', () => {
  it('carries name, interceptor, stage, execution id, cause and suppressed', () => {
    const cause = new Error('inner');
    const e = new InterceptorError('m', {
      interceptor: 'x',
      stage: 'leave',
      executionId: 3,
      cause,
    });
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('InterceptorError');
    expect([e.message, e.interceptor, e.stage, e.executionId]).toEqual(['m', 'x', 'leave', 3]);
    expect(e.cause).toBe(cause);
    expect(e.suppressed).toEqual([]);
    expect(String(e)).toBe('InterceptorError: m');
  });

  it('isError recognises it by name, also from another copy of the package', () => {
    const e = new InterceptorError('m', {
      interceptor: undefined,
      stage: 'enter',
      executionId: 1,
      cause: 1,
    });
    const foreign = Object.assign(new Error('m'), { name: 'InterceptorError', stage: 'enter' });
    expect(InterceptorError.isError(e)).toBe(true);
    expect(InterceptorError.isError(foreign)).toBe(true);
    for (const other of [
      new Error('m'),
      null,
      undefined,
      'InterceptorError',
      { name: 'InterceptorError' },
    ]) {
      expect(InterceptorError.isError(other)).toBe(false);
    }
  });
});
