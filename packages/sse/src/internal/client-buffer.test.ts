import { describe, expect, it } from 'vitest';
import { ClientBuffer } from './client-buffer';

const chunk = (n: number, size = 100): Uint8Array => new Uint8Array(size).fill(n);
const drain = (buffer: ClientBuffer): number[] => {
  const out: number[] = [];
  for (let c = buffer.take(); c !== undefined; c = buffer.take()) out.push(c[0]!);
  return out;
};

describe('ClientBuffer', () => {
  it('holds chunks in order up to its limit, and gives them back in order', () => {
    const buffer = new ClientBuffer(300);
    expect(buffer.isEmpty).toBe(true);
    for (let i = 1; i <= 3; i++) expect(buffer.admit(chunk(i), 'wait')).toBe('accepted');
    expect(buffer.bytes).toBe(300);
    expect(buffer.fullSince).toBe(0);
    expect(drain(buffer)).toEqual([1, 2, 3]);
    expect(buffer.bytes).toBe(0);
    expect(buffer.isEmpty).toBe(true);
  });

  it('always takes a chunk into an empty buffer, however large', () => {
    const buffer = new ClientBuffer(10);
    expect(buffer.admit(chunk(1, 1000), 'drop-newest')).toBe('accepted');
    expect(buffer.bytes).toBe(1000);
    expect(buffer.admit(chunk(2, 1), 'drop-newest')).toBe('dropped');
  });

  it('wait: says full, notes when, and admits the waiting chunk in order as room frees', async () => {
    const buffer = new ClientBuffer(200);
    buffer.admit(chunk(1), 'wait');
    buffer.admit(chunk(2), 'wait');
    const before = performance.now();
    expect(buffer.admit(chunk(3), 'wait')).toBe('full');
    expect(buffer.fullSince).toBeGreaterThanOrEqual(before);
    const admitted = buffer.waitForRoom(chunk(3));
    // While one waits, a later chunk may not overtake it, even if it would fit.
    expect(buffer.admit(chunk(4, 1), 'wait')).toBe('full');
    expect(buffer.isEmpty).toBe(false);
    expect(buffer.take()![0]).toBe(1);
    await expect(admitted).resolves.toBe(true);
    expect(drain(buffer)).toEqual([2, 3]);
    buffer.emptied();
    expect(buffer.fullSince).toBe(0);
  });

  it('drop-newest: refuses the new chunk and counts it', () => {
    const buffer = new ClientBuffer(200);
    buffer.admit(chunk(1), 'drop-newest');
    buffer.admit(chunk(2), 'drop-newest');
    expect(buffer.admit(chunk(3), 'drop-newest')).toBe('dropped');
    expect(buffer.dropped).toBe(1);
    expect(buffer.fullSince).toBeGreaterThan(0);
    expect(drain(buffer)).toEqual([1, 2]);
  });

  it('drop-oldest: drops the oldest chunks until the new one fits, and counts them', () => {
    const buffer = new ClientBuffer(250);
    buffer.admit(chunk(1), 'drop-oldest');
    buffer.admit(chunk(2), 'drop-oldest');
    expect(buffer.admit(chunk(3, 200), 'drop-oldest')).toBe('accepted');
    expect(buffer.dropped).toBe(2);
    expect(buffer.bytes).toBe(200);
    expect(drain(buffer)).toEqual([3]);
  });

  it('rejects every waiting chunk, and discards what it holds', async () => {
    const buffer = new ClientBuffer(100);
    buffer.admit(chunk(1), 'wait');
    const waiting = [buffer.waitForRoom(chunk(2)), buffer.waitForRoom(chunk(3))];
    const gone = new Error('closed');
    buffer.rejectWaiting(gone);
    for (const w of waiting) await expect(w).rejects.toBe(gone);
    buffer.discard();
    expect(buffer.bytes).toBe(0);
    expect(buffer.take()).toBeUndefined();
    expect(buffer.isEmpty).toBe(true);
  });
});
