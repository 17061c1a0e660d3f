import { describe, expect, it } from 'vitest';
import { parseCurlWrite } from './curl';

describe('parseCurlWrite', () => {
  it("reads curl's status, size and times", () => {
    expect(parseCurlWrite('200 104857600 0.000512 0.081234\n')).toEqual({
      status: 200,
      bytes: 104_857_600,
      ttfb: 0.000512,
      total: 0.081234,
    });
  });

  it('names output it cannot read', () => {
    expect(() => parseCurlWrite('000 0')).toThrow(/curl printed "000 0"/);
  });
});
