import { describe, expect, it } from 'vitest';
import { BodyWriterError, isBodyWriterError } from './errors';

describe('BodyWriterError', () => {
  it('carries code, status and cause', () => {
    const cause = new Error('inner');
    const error = new BodyWriterError('FILE_NOT_FOUND', 'outer', { status: 404, cause });
    expect(error.name).toBe('BodyWriterError');
    expect(error.code).toBe('FILE_NOT_FOUND');
    expect(error.status).toBe(404);
    expect(error.cause).toBe(cause);
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toBe('outer');
  });

  it('needs no options: no status, no cause', () => {
    const error = new BodyWriterError('INVALID_ARGUMENT', 'bad');
    expect([error.code, error.message, error.status]).toEqual([
      'INVALID_ARGUMENT',
      'bad',
      undefined,
    ]);
    expect('cause' in error).toBe(false);
  });

  it('isError goes by name, so another copy of the class counts', () => {
    const fromOtherCopy = Object.assign(new Error('x'), {
      name: 'BodyWriterError',
      code: 'UNSUPPORTED_BODY',
    });
    expect(BodyWriterError.isError(fromOtherCopy)).toBe(true);
    expect(BodyWriterError.isError(new Error('x'))).toBe(false);
    expect(BodyWriterError.isError({ name: 'BodyWriterError', code: 'X' })).toBe(false);
    expect(BodyWriterError.isError(undefined)).toBe(false);
  });
});

describe('isBodyWriterError', () => {
  it('recognises the class by name, across copies of the package, as BodyWriterError.isError does', () => {
    const own = new BodyWriterError('FILE_ERROR', 'm');
    const foreign = Object.assign(new Error('x'), { name: 'BodyWriterError', code: 'FILE_ERROR' });
    for (const value of [own, foreign]) {
      expect(isBodyWriterError(value)).toBe(true);
      expect(BodyWriterError.isError(value)).toBe(true);
    }
    for (const value of [
      new Error('x'),
      { name: 'BodyWriterError', code: 'FILE_ERROR' },
      'BodyWriterError',
      null,
      undefined,
    ]) {
      expect(isBodyWriterError(value)).toBe(false);
      expect(BodyWriterError.isError(value)).toBe(false);
    }
  });
});
