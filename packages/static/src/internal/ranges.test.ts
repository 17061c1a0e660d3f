import { describe, expect, it } from 'vitest';
import { multipartLayout, parseRange } from './ranges';

describe('parseRange', () => {
  it('reads single, suffix and open ranges', () => {
    expect(parseRange('bytes=0-9', 100, 8)).toEqual({
      kind: 'ranges',
      ranges: [{ start: 0, end: 9 }],
    });
    expect(parseRange('bytes=-10', 100, 8)).toEqual({
      kind: 'ranges',
      ranges: [{ start: 90, end: 99 }],
    });
    expect(parseRange('bytes=95-', 100, 8)).toEqual({
      kind: 'ranges',
      ranges: [{ start: 95, end: 99 }],
    });
    expect(parseRange('BYTES=0-0', 100, 8)).toEqual({
      kind: 'ranges',
      ranges: [{ start: 0, end: 0 }],
    });
  });
  it('treats a suffix longer than the representation as all of it (14.1.1)', () => {
    expect(parseRange('bytes=-500', 100, 8)).toEqual({
      kind: 'ranges',
      ranges: [{ start: 0, end: 99 }],
    });
  });
  it('is unsatisfiable past the end, for a zero suffix, and for an empty file', () => {
    expect(parseRange('bytes=100-', 100, 8).kind).toBe('unsatisfiable');
    expect(parseRange('bytes=-0', 100, 8).kind).toBe('unsatisfiable');
    expect(parseRange('bytes=0-', 0, 8).kind).toBe('unsatisfiable');
    expect(parseRange('bytes=-5', 0, 8).kind).toBe('unsatisfiable');
  });
  it('ignores malformed headers, other units and more ranges than allowed', () => {
    for (const h of [undefined, 'bytes=x-y', 'bytes', 'lines=0-1', 'bytes=1-2-3']) {
      expect(parseRange(h, 100, 8).kind, String(h)).toBe('whole');
    }
    expect(parseRange('bytes=0-0,2-2,4-4', 100, 2).kind).toBe('whole');
  });
  it('coalesces overlapping and adjacent ranges', () => {
    expect(parseRange('bytes=0-4,5-9,3-6', 100, 8)).toEqual({
      kind: 'ranges',
      ranges: [{ start: 0, end: 9 }],
    });
    const many = `bytes=${Array.from({ length: 30 }, (_, i) => `${i}-${i + 5}`).join(',')}`;
    expect(parseRange(many, 100, 32)).toEqual({ kind: 'ranges', ranges: [{ start: 0, end: 34 }] });
  });
});

describe('multipartLayout', () => {
  it('computes the exact length of the body it lays out', () => {
    const { parts, length } = multipartLayout(
      [
        { start: 0, end: 9 },
        { start: 50, end: 59 },
      ],
      100,
      'text/plain',
      'XYZ',
    );
    const size = parts.reduce(
      (n, p) => n + (p instanceof Uint8Array ? p.byteLength : p.end - p.start + 1),
      0,
    );
    expect(length).toBe(size);
    expect(Buffer.from(parts[0] as Uint8Array).toString()).toBe(
      '--XYZ\r\ncontent-type: text/plain\r\ncontent-range: bytes 0-9/100\r\n\r\n',
    );
    expect(Buffer.from(parts.at(-1) as Uint8Array).toString()).toBe('\r\n--XYZ--\r\n');
  });
});
