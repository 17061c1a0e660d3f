import { describe, expect, it } from 'vitest';
import { describeValue, isCodedError, isThenable, TEXT_PLAIN_UTF8 } from './index';

describe('shared helpers', () => {
  it('describeValue names the type, and the value when short', () => {
    expect(describeValue(null)).toBe('null');
    expect(describeValue(undefined)).toBe('undefined');
    expect(describeValue('x')).toBe('string "x"');
    expect(describeValue('y'.repeat(70))).toBe(`string "${'y'.repeat(60)}…"`);
    expect(describeValue(3)).toBe('number 3');
    expect(describeValue(2n)).toBe('bigint 2');
    expect(describeValue(Symbol('s'))).toBe('symbol Symbol(s)');
    expect(describeValue(function named() {})).toBe('a function (named)');
    expect(describeValue([1])).toBe('an array');
    expect(describeValue(new Map())).toBe('an object (Map)');
    expect(describeValue(Object.create(null))).toBe('an object (null prototype)');
  });

  it('isThenable follows await: anything with a then method', () => {
    // Thenables built by assignment: what the check is about.
    const thenable: Record<string, unknown> = {};
    thenable['then'] = () => {};
    const callable = Object.assign(() => {}, thenable);
    const notCallable: Record<string, unknown> = {};
    notCallable['then'] = 1;
    expect(isThenable(Promise.resolve())).toBe(true);
    expect(isThenable(thenable)).toBe(true);
    expect(isThenable(callable)).toBe(true);
    for (const value of [null, undefined, 0, 'then', {}, notCallable]) {
      expect(isThenable(value), String(value)).toBe(false);
    }
  });

  it('TEXT_PLAIN_UTF8 is the text content type', () => {
    expect(TEXT_PLAIN_UTF8).toBe('text/plain; charset=utf-8');
  });

  it('isCodedError recognises an Error by its name and a string code, whatever its class', () => {
    class FromAnotherCopy extends Error {
      override name = 'NodeAdapterError';
      code = 'BODY_TOO_LARGE';
    }
    const named = Object.assign(new Error('x'), { name: 'NodeAdapterError', code: 'TIMEOUT' });
    expect(isCodedError(new FromAnotherCopy(), 'NodeAdapterError')).toBe(true);
    expect(isCodedError(named, 'NodeAdapterError')).toBe(true);
    expect(isCodedError(named, 'SseError')).toBe(false);
    expect(
      isCodedError(Object.assign(new Error('x'), { name: 'NodeAdapterError' }), 'NodeAdapterError'),
    ).toBe(false);
    expect(isCodedError({ name: 'NodeAdapterError', code: 'TIMEOUT' }, 'NodeAdapterError')).toBe(
      false,
    );
    expect(isCodedError(null, 'NodeAdapterError')).toBe(false);
  });
});
