import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countUtf8ForTest, utf8Length } from './utf8';

describe('utf8Length', () => {
  it('counts what TextEncoder writes, without Buffer, for any string', () => {
    const encoder = new TextEncoder();
    for (const text of ['', 'a', 'é', '€', '😀', '\ud800', 'a\udc00b', '\ud83d']) {
      expect(countUtf8ForTest(text), JSON.stringify(text)).toBe(encoder.encode(text).byteLength);
    }
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        expect(countUtf8ForTest(text)).toBe(encoder.encode(text).byteLength);
        expect(utf8Length(text)).toBe(encoder.encode(text).byteLength);
      }),
    );
  });
});
