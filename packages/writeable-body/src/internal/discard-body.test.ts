import { describe, expect, it } from 'vitest';
import { type WriteableBody, writeableBody } from '../writeable-body';
import { discardBody } from './discard-body';

function releasing(release: () => void): WriteableBody {
  return { ...writeableBody({ write() {} }), release };
}

describe('discardBody', () => {
  it('releases the body it became, and destroys the stream the application passed', () => {
    const seen: string[] = [];
    const body = releasing(() => void seen.push('release'));
    const stream = { destroy: () => void seen.push('destroy') };
    discardBody(stream, body);
    expect(seen).toEqual(['release', 'destroy']);
  });

  it('releases a WriteableBody the application passed itself', () => {
    let released = 0;
    const body = releasing(() => void released++);
    discardBody(body);
    expect(released).toBe(1);
  });

  it('cancels an unlocked web stream and leaves a locked one alone', async () => {
    let cancelled = 0;
    const open = new ReadableStream({ cancel: () => void cancelled++ });
    discardBody(open);
    const locked = new ReadableStream({ cancel: () => void cancelled++ });
    locked.getReader();
    discardBody(locked);
    await Promise.resolve();
    expect(cancelled).toBe(1);
  });

  it('never throws: not from release, destroy nor a rejected cancel', async () => {
    const body = releasing(() => {
      throw new Error('release');
    });
    const throwing = {
      destroy: () => {
        throw new Error('destroy');
      },
    };
    expect(() => discardBody(throwing, body)).not.toThrow();
    const rejecting = { locked: false, cancel: () => Promise.reject(new Error('cancel')) };
    expect(() => discardBody(rejecting)).not.toThrow();
    await Promise.resolve();
  });

  it('ignores primitives and null', () => {
    expect(() => discardBody(null)).not.toThrow();
    expect(() => discardBody('text')).not.toThrow();
  });
});
