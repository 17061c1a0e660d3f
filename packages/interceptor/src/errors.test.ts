import { describe, expect, it } from 'vitest';
import { InterceptorError, isInterceptorError } from './errors';

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

describe('isInterceptorError', () => {
  it('recognises the class by name, across copies of the package, as InterceptorError.isError does', () => {
    const own = new InterceptorError('STAGE_FAILED', 'm', {
      interceptor: 'a',
      stage: 'leave',
      executionId: 1,
      cause: 1,
    });
    const foreign = Object.assign(new Error('x'), { name: 'InterceptorError', stage: 'enter' });
    for (const value of [own, foreign]) {
      expect(isInterceptorError(value)).toBe(true);
      expect(InterceptorError.isError(value)).toBe(true);
    }
    for (const value of [
      new Error('x'),
      { name: 'InterceptorError' },
      'InterceptorError',
      null,
      undefined,
    ]) {
      expect(isInterceptorError(value)).toBe(false);
      expect(InterceptorError.isError(value)).toBe(false);
    }
  });
});
