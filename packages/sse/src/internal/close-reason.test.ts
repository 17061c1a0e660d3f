import { describe, expect, it } from 'vitest';
import { reasonFromSignal } from './close-reason';

const aborted = (reason: unknown): AbortSignal => {
  const controller = new AbortController();
  controller.abort(reason);
  return controller.signal;
};

describe('reasonFromSignal', () => {
  it("takes the adapter's reason from the signal, with the error", () => {
    for (const code of ['CLIENT_DISCONNECT', 'SERVER_STOP', 'BODY_ERROR', 'ABORTED', 'TIMEOUT']) {
      const error = Object.assign(new Error(code), { code });
      expect(reasonFromSignal(aborted(error))).toEqual({ code, error });
    }
  });

  it('says aborted for a reason the adapter does not name, or names otherwise', () => {
    const plain = new Error('why');
    expect(reasonFromSignal(aborted(plain))).toEqual({ code: 'ABORTED', error: plain });
    const odd = Object.assign(new Error('odd'), { code: 'EVICTED' });
    expect(reasonFromSignal(aborted(odd)).code).toBe('ABORTED');
    const inherited = Object.assign(new Error('proto'), { code: 'toString' });
    expect(reasonFromSignal(aborted(inherited)).code).toBe('ABORTED');
  });
});
