import { describe, expect, it } from 'vitest';
import { item, jsonArrayPieces, ndjsonPieces } from '../servers/harness';
import { checkJsonArray, checkNdjson, itemJson } from './sequence';

describe('sequence checks', () => {
  it('agree with what the servers send', () => {
    expect(itemJson(7)).toBe(JSON.stringify(item(7)));
    expect(checkJsonArray([...jsonArrayPieces(1000)].join(''), 1000)).toBeUndefined();
    expect(checkJsonArray([...jsonArrayPieces(0)].join(''), 0)).toBeUndefined();
    expect(checkNdjson([...ndjsonPieces(1000)].join(''), 1000)).toBeUndefined();
  });

  it('find a missing, changed or truncated element', () => {
    const pieces = [...jsonArrayPieces(10)];
    expect(checkJsonArray(pieces.join('').replace('"item 3"', '"item x"'), 10)).toMatch(
      /element 3/,
    );
    expect(checkJsonArray(pieces.slice(0, -1).join(''), 10)).toMatch(/not JSON/);
    const lines = [...ndjsonPieces(10)];
    expect(checkNdjson(lines.slice(1).join(''), 10)).toMatch(/9 lines, expected 10/);
    expect(checkNdjson(lines.join('').slice(0, -1), 10)).toMatch(/newline/);
  });
});
