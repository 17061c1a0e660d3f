// The Range header (RFC 9110 section 14), on top of `range-parser`.
import rangeParser from 'range-parser';

/** An inclusive byte range of the selected representation. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/** What a Range header asks for. */
export type RangeRequest =
  /** No Range, an unknown unit, a malformed header, or more ranges than allowed: 200. */
  | { readonly kind: 'whole' }
  /** Every range lies past the end: 416. */
  | { readonly kind: 'unsatisfiable' }
  /** One or more satisfiable ranges, coalesced, in the order requested. */
  | { readonly kind: 'ranges'; readonly ranges: readonly ByteRange[] };

const WHOLE: RangeRequest = { kind: 'whole' };
const UNSATISFIABLE: RangeRequest = { kind: 'unsatisfiable' };
const SUFFIX = /^\s*-\s*(\d+)\s*$/;

/**
 * Reads a Range header for a representation of `size` bytes. Overlapping and
 * adjacent ranges are coalesced (14.2 allows it; it is what keeps "many overlapping
 * ranges" cheap). A header with more than `maxRanges` ranges is ignored, as 14.2
 * lets a server do, and the whole representation is sent.
 */
export function parseRange(
  value: string | undefined,
  size: number,
  maxRanges: number,
): RangeRequest {
  if (value === undefined) return WHOLE;
  const eq = value.indexOf('=');
  // Range units are case-insensitive (14.1); only `bytes` is known, others are ignored.
  if (eq === -1 || value.slice(0, eq).trim().toLowerCase() !== 'bytes') return WHOLE;
  const specs = value.slice(eq + 1).split(',');
  if (specs.length > maxRanges) return WHOLE;
  // range-parser drops a suffix longer than the representation as unsatisfiable;
  // 14.1.1 says the whole representation is meant, so ask for `0-` instead.
  for (let i = 0; i < specs.length; i++) {
    const suffix = SUFFIX.exec(specs[i]!);
    if (suffix !== null && Number(suffix[1]) > size && Number(suffix[1]) > 0) specs[i] = '0-';
  }
  const parsed = rangeParser(size, `bytes=${specs.join(',')}`, { combine: true });
  if (parsed === -2) return WHOLE; // malformed: ignored (14.2)
  if (parsed === -1) return UNSATISFIABLE;
  return { kind: 'ranges', ranges: parsed.map(({ start, end }) => ({ start, end })) };
}

/** A piece of a multipart body: literal bytes, or a range of the file. */
export type Part = Uint8Array | ByteRange;

/**
 * Lays out a `multipart/byteranges` body (RFC 9110 14.6) and computes its exact
 * length before any byte is read, so the response carries Content-Length.
 */
export function multipartLayout(
  ranges: readonly ByteRange[],
  size: number,
  contentType: string,
  boundary: string,
): { parts: Part[]; length: number } {
  const parts: Part[] = [];
  let length = 0;
  for (let i = 0; i < ranges.length; i++) {
    const range = ranges[i]!;
    const head = Buffer.from(
      `${i === 0 ? '' : '\r\n'}--${boundary}\r\ncontent-type: ${contentType}\r\ncontent-range: bytes ${range.start}-${range.end}/${size}\r\n\r\n`,
      'latin1',
    );
    parts.push(head, range);
    length += head.byteLength + (range.end - range.start + 1);
  }
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`, 'latin1');
  parts.push(tail);
  length += tail.byteLength;
  return { parts, length };
}
