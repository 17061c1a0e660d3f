import { describe, expect, it } from 'vitest';
import { isSseError, SseError } from './errors';

describe('SseError', () => {
  it('takes the code first and { field, reason, cause } last', () => {
    const cause = new Error('inner');
    const error = new SseError('CLOSED', 'outer', {
      field: 'data',
      reason: { code: 'CLIENT_DISCONNECT' },
      cause,
    });
    expect(error.name).toBe('SseError');
    expect(error.code).toBe('CLOSED');
    expect(error.field).toBe('data');
    expect(error.reason).toEqual({ code: 'CLIENT_DISCONNECT' });
    expect(error.cause).toBe(cause);
    expect(error.message).toBe('outer');
    expect(error).toBeInstanceOf(Error);
  });

  it('needs no options', () => {
    const error = new SseError('INVALID_OPTION', 'bad');
    expect([error.code, error.field, error.reason]).toEqual([
      'INVALID_OPTION',
      undefined,
      undefined,
    ]);
    expect('cause' in error).toBe(false);
  });

  it('isSseError goes by name, so another copy of the class counts; isError is the same', () => {
    const fromOtherCopy = Object.assign(new Error('x'), {
      name: 'SseError',
      code: 'INVALID_EVENT',
    });
    for (const guard of [isSseError, SseError.isError]) {
      expect(guard(new SseError('CLOSED', 'x'))).toBe(true);
      expect(guard(fromOtherCopy)).toBe(true);
      expect(guard(new Error('x'))).toBe(false);
      expect(guard(Object.assign(new Error('x'), { name: 'SseError' }))).toBe(false);
      expect(guard({ name: 'SseError', code: 'CLOSED' })).toBe(false);
      expect(guard(null)).toBe(false);
    }
  });
});
