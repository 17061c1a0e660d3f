import type { AbortReason } from '@plinth/writeable-body';
import { describe, expect, it } from 'vitest';
import { isNodeAdapterError, NodeAdapterError } from './errors';
import { abortReason, reasonCode } from './internal/reasons';

describe('NodeAdapterError', () => {
  it('takes the code first and { status, cause } last', () => {
    const cause = new SyntaxError('inner');
    const error = new NodeAdapterError('MALFORMED_JSON', 'outer', { status: 400, cause });
    expect(error.name).toBe('NodeAdapterError');
    expect(error.code).toBe('MALFORMED_JSON');
    expect(error.status).toBe(400);
    expect(error.cause).toBe(cause);
    expect(error.message).toBe('outer');
    expect(error).toBeInstanceOf(Error);
  });

  it('needs no options: no status, no cause', () => {
    const error = new NodeAdapterError('INVALID_ARGUMENT', 'bad');
    expect([error.code, error.message, error.status]).toEqual([
      'INVALID_ARGUMENT',
      'bad',
      undefined,
    ]);
    expect('cause' in error).toBe(false);
  });

  it('isNodeAdapterError goes by name, so another copy of the class counts; isError is the same', () => {
    const fromOtherCopy = Object.assign(new Error('x'), {
      name: 'NodeAdapterError',
      code: 'CLIENT_DISCONNECT',
    });
    for (const guard of [isNodeAdapterError, NodeAdapterError.isError]) {
      expect(guard(new NodeAdapterError('NO_RESPONSE', 'x'))).toBe(true);
      expect(guard(fromOtherCopy)).toBe(true);
      expect(guard(new Error('x'))).toBe(false);
      expect(guard(Object.assign(new Error('x'), { name: 'NodeAdapterError' }))).toBe(false);
      expect(guard({ name: 'NodeAdapterError', code: 'ABORTED' })).toBe(false);
      expect(guard(undefined)).toBe(false);
    }
  });
});

describe('abort reasons', () => {
  it('are NodeAdapterErrors whose code is the SCREAMING_SNAKE_CASE reason', () => {
    const codes: AbortReason[] = [
      'CLIENT_DISCONNECT',
      'SERVER_STOP',
      'BODY_ERROR',
      'ABORTED',
      'TIMEOUT',
    ];
    const cause = new Error('why');
    for (const code of codes) {
      const reason = abortReason(code, cause);
      expect(isNodeAdapterError(reason)).toBe(true);
      expect([reason.code, reason.cause, reasonCode(reason)]).toEqual([code, cause, code]);
      expect(reason.message).not.toBe('');
    }
    expect(reasonCode(new Error('plain'))).toBeUndefined();
  });
});
