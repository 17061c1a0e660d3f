import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RouterError } from './errors';
import { parseQuery } from './query';

const plain = (value: object) => ({ ...value });

describe('parseQuery', () => {
  it('gives an empty null-prototype object for an absent or empty query', () => {
    for (const qs of [undefined, null, '']) {
      const query = parseQuery(qs);
      expect(Object.getPrototypeOf(query)).toBeNull();
      expect(Object.keys(query)).toEqual([]);
    }
  });

  it('keeps empty values and skips empty pairs (Pedestal: a=&b=2)', () => {
    expect(plain(parseQuery('a=&b=2'))).toEqual({ a: '', b: '2' });
    expect(plain(parseQuery('a&b'))).toEqual({ a: '', b: '' });
    expect(plain(parseQuery('&&a=1&&'))).toEqual({ a: '1' });
    expect(plain(parseQuery('=x'))).toEqual({ '': 'x' });
  });

  it('reads + as a space, and %2B as a plus', () => {
    expect(plain(parseQuery('q=hello+world&r=1%2B1&s=a+%2B+b'))).toEqual({
      q: 'hello world',
      r: '1+1',
      s: 'a + b',
    });
    expect(plain(parseQuery('two+words=x'))).toEqual({ 'two words': 'x' });
  });

  it('decodes UTF-8 escapes in keys and values', () => {
    expect(plain(parseQuery('name=%C3%A9l%C3%A8ve&%E2%9C%93=%F0%9F%98%80'))).toEqual({
      name: 'élève',
      '✓': '😀',
    });
  });

  it('splits on the first = only, and keeps encoded reserved characters in values', () => {
    expect(plain(parseQuery('a=b=c'))).toEqual({ a: 'b=c' });
    expect(plain(parseQuery('expr=1%2B2%3D3&amp=%26&path=%2Fa%2Fb%3Fx%23y'))).toEqual({
      expr: '1+2=3',
      amp: '&',
      path: '/a/b?x#y',
    });
    expect(plain(parseQuery('url=http://x.test/?a=1;b=2'))).toEqual({
      url: 'http://x.test/?a=1;b=2',
    });
    expect(plain(parseQuery('a%3Db=c'))).toEqual({ 'a=b': 'c' });
  });

  it('collects repeated keys into an array, in order', () => {
    expect(plain(parseQuery('tag=a&x=1&tag=b&tag=c'))).toEqual({ tag: ['a', 'b', 'c'], x: '1' });
    expect(plain(parseQuery('k=&k='))).toEqual({ k: ['', ''] });
  });

  it('treats __proto__ and other Object.prototype names as ordinary keys', () => {
    const query = parseQuery('__proto__=x&constructor=y&toString=z&hasOwnProperty=1');
    expect(Object.getPrototypeOf(query)).toBeNull();
    expect(Object.getOwnPropertyDescriptor(query, '__proto__')?.value).toBe('x');
    expect(query.constructor).toBe('y');
    expect(query.toString).toBe('z');
    expect(Object.keys(query)).toEqual(['__proto__', 'constructor', 'toString', 'hasOwnProperty']);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it.each([
    ['q=%', '"%"'],
    ['q=%zz', '"%zz"'],
    ['q=%4', '"%4"'],
    ['q=ok&r=abc%g1', '"%g1"'],
    ['%zz=1', '"%zz"'],
  ])('refuses the malformed escape in %s with a 400 RouterError naming it', (qs, named) => {
    let error: unknown;
    try {
      parseQuery(qs);
    } catch (e) {
      error = e;
    }
    expect(RouterError.isError(error)).toBe(true);
    const e = error as RouterError;
    expect(e.code).toBe('MALFORMED_QUERY');
    expect(e.status).toBe(400);
    expect(e.expose).toBe(true);
    expect(e.message).toContain(named);
    expect(e.message).toContain('not a percent-encoded byte');
  });

  it('refuses escapes that are not UTF-8', () => {
    expect(() => parseQuery('q=%FF')).toThrow(/not valid UTF-8/);
    expect(() => parseQuery('q=%C3%28')).toThrow(/not valid UTF-8/);
    expect(() => parseQuery('q=%ED%A0%80')).toThrow(/not valid UTF-8/); // an encoded surrogate
  });

  it('agrees with URLSearchParams on well-formed input', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme' })), {
          maxLength: 8,
        }),
        fc.boolean(),
        (pairs, plusForSpace) => {
          let qs = new URLSearchParams(pairs).toString();
          if (!plusForSpace) qs = qs.replaceAll('+', '%20');
          const expected: Record<string, string | string[]> = Object.create(null);
          for (const [k, v] of new URLSearchParams(qs)) {
            const prev = expected[k];
            expected[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
          }
          expect(plain(parseQuery(qs))).toEqual(plain(expected));
        },
      ),
    );
  });

  it('never throws anything but a MALFORMED_QUERY RouterError, whatever the input', () => {
    // Strings made of the pieces that matter: escapes good and bad, separators, UTF-8.
    const piece = fc.constantFrom(
      '%',
      '+',
      '=',
      '&',
      'a',
      'F',
      '0',
      '9',
      'z',
      'é',
      '%C3',
      '%A9',
      '%FF',
      '%2',
    );
    fc.assert(
      fc.property(fc.string({ unit: piece, maxLength: 30 }), (qs) => {
        try {
          parseQuery(qs);
        } catch (e) {
          expect(RouterError.isError(e) && e.code === 'MALFORMED_QUERY').toBe(true);
        }
      }),
    );
  });
});
