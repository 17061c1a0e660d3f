import { responseFor } from '@plinth/node/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { curl, openGet, readUntil, type StartedDemo, startDemo } from '../test/helpers';
import { DemoError } from './error';
import { parseLimit, RANGE_MAX_LIMIT, range } from './range';

describe('parseLimit', () => {
  it('defaults to 10 and parses decimal digits', () => {
    expect(parseLimit(undefined)).toBe(10);
    expect(parseLimit('0')).toBe(0);
    expect(parseLimit('5')).toBe(5);
    expect(parseLimit('007')).toBe(7);
    expect(parseLimit(String(RANGE_MAX_LIMIT))).toBe(RANGE_MAX_LIMIT);
  });

  it.each([
    ['-1', 'limit must be a non-negative integer, got "-1"'],
    ['1.5', 'limit must be a non-negative integer, got "1.5"'],
    ['1e3', 'limit must be a non-negative integer, got "1e3"'],
    ['', 'limit must be a non-negative integer, got ""'],
    [' 5', 'limit must be a non-negative integer, got " 5"'],
    ['0x10', 'limit must be a non-negative integer, got "0x10"'],
    ['ten', 'limit must be a non-negative integer, got "ten"'],
    [
      String(RANGE_MAX_LIMIT + 1),
      `limit must be at most ${RANGE_MAX_LIMIT}, got ${RANGE_MAX_LIMIT + 1}`,
    ],
    [
      '99999999999999999999999',
      `limit must be at most ${RANGE_MAX_LIMIT}, got 99999999999999999999999`,
    ],
  ])('refuses %j with a 400 naming it', (value, message) => {
    let error: unknown;
    try {
      parseLimit(value);
    } catch (e) {
      error = e;
    }
    expect(DemoError.isError(error)).toBe(true);
    expect((error as DemoError).status).toBe(400);
    expect((error as DemoError).message).toBe(message);
  });

  it('refuses a repeated limit', () => {
    expect(() => parseLimit(['1', '2'])).toThrow('limit must be given once, got 2 values');
  });
});

describe('range', () => {
  it('is lazy and reports how far it got when closed early', () => {
    const stops: number[] = [];
    const numbers = range(1_000_000_000, (n) => stops.push(n));
    expect(numbers.next().value).toBe(0);
    expect(numbers.next().value).toBe(1);
    numbers.return(undefined);
    expect(stops).toEqual([2]);
    expect([...range(3, (n) => stops.push(n))]).toEqual([0, 1, 2]);
    expect(stops).toEqual([2]); // a completed sequence is not "stopped"
  });
});

describe('GET /range', () => {
  let app: StartedDemo;
  beforeAll(async () => {
    app = await startDemo();
  });
  afterAll(() => app.stop());

  it('streams 0..9 as a JSON array by default (fetch)', async () => {
    const response = await fetch(`${app.url}/range`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await response.json()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('takes limit from the query string (curl)', async () => {
    const { status, headers, body } = await curl([`${app.url}/range?limit=5`]);
    expect(status).toBe(200);
    expect(headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(body)).toEqual([0, 1, 2, 3, 4]);
  });

  it('answers an empty array for limit=0 (in-process test client)', async () => {
    const response = await responseFor(app.demo.service, 'GET', '/range?limit=0');
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual([]);
  });

  it.each([
    ['-1', 'limit must be a non-negative integer, got "-1"'],
    ['abc', 'limit must be a non-negative integer, got "abc"'],
    ['2000000000', `limit must be at most ${RANGE_MAX_LIMIT}, got 2000000000`],
  ])('answers 400 with the reason for limit=%s (curl)', async (limit, reason) => {
    const { status, headers, body } = await curl([`${app.url}/range?limit=${limit}`]);
    expect(status).toBe(400);
    expect(headers['content-type']).toMatch(/^text\/plain/);
    expect(body).toContain(reason);
  });

  it('answers 400 for a repeated limit and a malformed query', async () => {
    const repeated = await curl([`${app.url}/range?limit=1&limit=2`]);
    expect(repeated.status).toBe(400);
    expect(repeated.body).toContain('limit must be given once');
    const malformed = await curl([`${app.url}/range?limit=%zz`]);
    expect(malformed.status).toBe(400);
  });

  it('starts a 100 million number range at once and stops the generator when the client leaves', async () => {
    const { response, close } = await openGet(`${app.url}/range?limit=100000000`);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-length']).toBeUndefined();
    const start = await readUntil(response, (text) => text.length >= 1000);
    expect(start.startsWith('[0,1,2,3,4,5,6,7,8,9,10,')).toBe(true);
    close();
    const line = await app.logs.waitFor(/range: stopped early/);
    const produced = Number(/produced=(\d+)/.exec(line)?.[1]);
    // Backpressure kept the producer near the client: nowhere near 100 million.
    expect(produced).toBeGreaterThan(0);
    expect(produced).toBeLessThan(10_000_000);
  });
});
