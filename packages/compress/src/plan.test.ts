import { describe, expect, it } from 'vitest';
import { mergeVary, negotiate } from './plan';

const codings = ['br', 'gzip', 'deflate'] as const;
const offered = [...codings, 'identity'];
const pick = (accept: string | string[] | undefined) => negotiate(accept, codings, offered);

describe('negotiate (pure: Accept-Encoding through negotiator)', () => {
  it('prefers br, then gzip, then deflate at equal q', () => {
    expect(pick('gzip, deflate, br')).toBe('br');
    expect(pick('deflate, gzip')).toBe('gzip');
    expect(pick('deflate')).toBe('deflate');
  });

  it('follows q-values over the server preference', () => {
    expect(pick('br;q=0.5, gzip;q=0.9')).toBe('gzip');
    expect(pick('br;q=0.1, deflate')).toBe('deflate');
  });

  it('q=0 refuses a coding; * stands for the others', () => {
    expect(pick('br;q=0, gzip')).toBe('gzip');
    expect(pick('*')).toBe('br');
    expect(pick('*, br;q=0')).toBe('gzip');
    expect(pick('*;q=0')).toBeUndefined();
  });

  it('identity when the client prefers it, names nothing we have, or sends no header', () => {
    expect(pick('identity')).toBeUndefined();
    expect(pick('identity, gzip;q=0.5')).toBeUndefined();
    expect(pick('compress, lzma')).toBeUndefined();
    expect(pick(undefined)).toBeUndefined();
    expect(pick('')).toBeUndefined();
  });

  it('takes repeated headers as one list', () => {
    expect(pick(['deflate', 'gzip'])).toBe('gzip');
  });

  it('malformed values are identity or a coding the client named, never an error', () => {
    for (const value of [
      ';;;',
      'gzip;q=abc',
      'gzip;q=',
      '\u0000\u0001',
      'br;q=1.5;;',
      ',,,,',
      '='.repeat(10_000),
      'gzip;q=0.5;q=0.2',
      'x'.repeat(100_000),
    ]) {
      const got = pick(value);
      expect([undefined, ...codings], value.slice(0, 20)).toContain(got);
    }
    expect(pick('gzip;q=abc')).not.toBe('br');
  });
});

describe('mergeVary', () => {
  it('adds Accept-Encoding once, keeps *', () => {
    expect(mergeVary(undefined)).toBe('Accept-Encoding');
    expect(mergeVary('Origin')).toBe('Origin, Accept-Encoding');
    expect(mergeVary('origin, accept-encoding')).toBe('origin, accept-encoding');
    expect(mergeVary('*')).toBe('*');
  });
});
