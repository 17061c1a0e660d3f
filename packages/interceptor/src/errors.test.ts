import { describe, expect, it } from 'vitest';
import { InterceptorError } from './errors';

describe('InterceptorError', () => {
  it('carries name, code, interceptor, stage, execution id, cause and suppressed', () => {
    const cause = new Error('inner');
    const e = new InterceptorError('STAGE_FAILED', 'm', {
      interceptor: 'x',
      stage: 'leave',
      executionId: 3,
      cause,
    });
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('InterceptorError');
    expect(e.code).toBe('STAGE_FAILED');
    expect([e.message, e.interceptor, e.stage, e.executionId]).toEqual(['m', 'x', 'leave', 3]);
    expect(e.cause).toBe(cause);
    expect(e.suppressed).toEqual([]);
    expect(String(e)).toBe('InterceptorError: m');
  });

  it('isError recognises it by name, also from another copy of the package', () => {
    const e = new InterceptorError('CONTEXT_CARRIED_ERROR', 'm', {
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
