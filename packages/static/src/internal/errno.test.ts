import { describe, expect, it } from 'vitest';
import { statusForErrno } from './errno';

describe('statusForErrno', () => {
  it('maps missing to 404, forbidden to 403, out of descriptors to 503, the rest to 500', () => {
    const of = (code: string) => statusForErrno(Object.assign(new Error(code), { code }));
    expect(['ENOENT', 'ENOTDIR', 'ENAMETOOLONG', 'ELOOP', 'EISDIR'].map(of)).toEqual([
      404, 404, 404, 404, 404,
    ]);
    expect(['EACCES', 'EPERM'].map(of)).toEqual([403, 403]);
    expect(['EMFILE', 'ENFILE'].map(of)).toEqual([503, 503]);
    expect(of('EIO')).toBeUndefined();
    expect(statusForErrno(null)).toBeUndefined();
  });
});
