import { afterEach, describe, expect, it, vi } from 'vitest';
import { compareEventIds, memoryEventLog } from './event-log';

afterEach(() => {
  vi.useRealTimers();
});

describe('memoryEventLog', () => {
  it('assigns growing ids and reads what came after an id, oldest first, by pages', async () => {
    const log = memoryEventLog();
    for (let i = 1; i <= 5; i++) {
      expect((await log.append({ data: `e${i}` })).id).toBe(String(i));
    }
    const read = await log.readAfter('2', 2);
    expect(read).toEqual({
      found: true,
      events: [
        { id: '3', data: 'e3' },
        { id: '4', data: 'e4' },
      ],
      lastId: '5',
    });
    expect((await log.readAfter('5', 10)).events).toEqual([]);
    expect((await log.readAfter('0', 10)).events).toHaveLength(5);
  });

  it('forgets beyond maxEvents: an id older than it holds is not found', async () => {
    const log = memoryEventLog({ maxEvents: 3 });
    for (let i = 1; i <= 10; i++) await log.append({ event: 'e', data: String(i) });
    expect((await log.readAfter('7', 10)).events.map((e) => e.id)).toEqual(['8', '9', '10']);
    expect(await log.readAfter('6', 10)).toEqual({ found: false, events: [], lastId: '10' });
  });

  it('forgets beyond maxAgeMs', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const log = memoryEventLog({ maxAgeMs: 1000 });
    await log.append({ data: 'old' });
    vi.advanceTimersByTime(600);
    await log.append({ data: 'newer' });
    vi.advanceTimersByTime(600);
    expect(await log.readAfter('1', 10)).toEqual({
      found: true,
      events: [{ id: '2', data: 'newer' }],
      lastId: '2',
    });
    expect((await log.readAfter('0', 10)).found).toBe(false);
    vi.advanceTimersByTime(600);
    expect((await log.readAfter('1', 10)).found).toBe(false);
    expect(await log.readAfter('2', 10)).toEqual({ found: true, events: [], lastId: '2' });
  });

  it('does not know ids it never issued (garbage, or from a previous process)', async () => {
    const log = memoryEventLog();
    await log.append({ data: 'x' });
    for (const id of ['abc', '', '-1', '1.0', '01', '99']) {
      expect((await log.readAfter(id, 10)).found).toBe(false);
    }
  });

  it('maxEvents 0 keeps nothing but knows an up-to-date client', async () => {
    const log = memoryEventLog({ maxEvents: 0 });
    await log.append({ data: 'a' });
    await log.append({ data: 'b' });
    expect((await log.readAfter('1', 10)).found).toBe(false);
    expect(await log.readAfter('2', 10)).toEqual({ found: true, events: [], lastId: '2' });
  });

  it('refuses bad options, naming them', () => {
    expect(() => memoryEventLog({ maxEvents: -1 })).toThrow(
      /options\.maxEvents must be a non-negative integer, got -1/,
    );
    expect(() => memoryEventLog({ maxAgeMs: 0 })).toThrow(/options\.maxAgeMs .* got 0/);
  });
});

describe('compareEventIds (the default order of ids)', () => {
  it('orders runs of digits as numbers and the rest as text', () => {
    const sorted = [
      '1',
      '2',
      '9',
      '10',
      '11',
      '100',
      '0100-1',
      '100-2',
      '100-10',
      '101-0',
      'a9',
      'b1',
    ];
    const shuffled = [...sorted].reverse();
    expect(shuffled.sort(compareEventIds)).toEqual(sorted);
    expect(compareEventIds('42', '42')).toBe(0);
    expect(compareEventIds('1700000000001-0', '1700000000000-10')).toBeGreaterThan(0);
  });
});
