import { describe, expect, it } from 'vitest';
import {
  evaluatePreconditions,
  httpDate,
  ifRangeMatches,
  parseEntityTags,
  type Validators,
} from './conditional';

const LM = Date.parse('Fri, 01 Mar 2024 12:00:00 GMT');
const v: Validators = { etag: 'W/"abc"', lastModified: LM, strongDate: true };
const strong = { ...v, etag: '"abc"' };

describe('parseEntityTags', () => {
  it('keeps tags as sent, allows commas inside quotes and empty elements', () => {
    expect(parseEntityTags('"a", W/"b" ,,"c,d"')).toEqual(['"a"', 'W/"b"', '"c,d"']);
    expect(parseEntityTags('')).toEqual([]);
  });
  it('refuses malformed lists', () => {
    expect(parseEntityTags('abc')).toBeUndefined();
    expect(parseEntityTags('"a')).toBeUndefined();
    expect(parseEntityTags('"a" "b"')).toBeUndefined();
    expect(parseEntityTags('"a b"')).toBeUndefined();
  });
});

describe('httpDate', () => {
  it('reads the three HTTP-date forms and nothing else (RFC 9110 5.6.7)', () => {
    expect(httpDate('Fri, 01 Mar 2024 12:00:00 GMT')).toBe(LM);
    expect(httpDate('Friday, 01-Mar-24 12:00:00 GMT')).toBe(LM);
    expect(httpDate('Fri Mar  1 12:00:00 2024')).toBe(LM);
    expect(httpDate('2024')).toBeUndefined();
    expect(httpDate('tomorrow')).toBeUndefined();
    expect(httpDate(undefined)).toBeUndefined();
  });
});

describe('evaluatePreconditions (RFC 9110 13.2.2)', () => {
  const run = (headers: Record<string, string>, method = 'GET', validators = v) =>
    evaluatePreconditions(method, headers, validators);
  it('If-Match uses strong comparison; * matches', () => {
    expect(run({ 'if-match': 'W/"abc"' })).toBe('failed');
    expect(run({ 'if-match': '"abc"' }, 'GET', strong)).toBe('proceed');
    expect(run({ 'if-match': '*' })).toBe('proceed');
  });
  it('If-None-Match uses weak comparison; 412 for other methods', () => {
    expect(run({ 'if-none-match': '"abc"' })).toBe('not-modified');
    expect(run({ 'if-none-match': '*' }, 'HEAD')).toBe('not-modified');
    expect(run({ 'if-none-match': '"abc"' }, 'DELETE')).toBe('failed');
    expect(run({ 'if-none-match': 'garbage' })).toBe('proceed');
  });
  it('dates compare at one-second precision; invalid dates are ignored', () => {
    expect(run({ 'if-modified-since': 'Fri, 01 Mar 2024 12:00:00 GMT' })).toBe('not-modified');
    expect(run({ 'if-modified-since': 'Fri, 01 Mar 2024 11:59:59 GMT' })).toBe('proceed');
    expect(run({ 'if-unmodified-since': 'Fri, 01 Mar 2024 11:59:59 GMT' })).toBe('failed');
    expect(run({ 'if-unmodified-since': 'nonsense' })).toBe('proceed');
    expect(run({ 'if-modified-since': 'Fri, 01 Mar 2024 12:00:00 GMT' }, 'POST')).toBe('proceed');
  });
  it('without the validator, the condition cannot hold (etag off) or is ignored (dates off)', () => {
    const none = { etag: undefined, lastModified: undefined, strongDate: false };
    expect(run({ 'if-match': '"abc"' }, 'GET', none)).toBe('failed');
    expect(run({ 'if-none-match': '"abc"' }, 'GET', none)).toBe('proceed');
    expect(run({ 'if-modified-since': 'Fri, 01 Mar 2024 12:00:00 GMT' }, 'GET', none)).toBe(
      'proceed',
    );
  });
});

describe('ifRangeMatches (RFC 9110 13.1.5)', () => {
  it('matches a strong tag or the exact strong date only', () => {
    expect(ifRangeMatches('"abc"', strong)).toBe(true);
    expect(ifRangeMatches('W/"abc"', v)).toBe(false);
    expect(ifRangeMatches('"abc"', v)).toBe(false);
    expect(ifRangeMatches('Fri, 01 Mar 2024 12:00:00 GMT', v)).toBe(true);
    expect(ifRangeMatches('Fri, 01 Mar 2024 12:00:00 GMT', { ...v, strongDate: false })).toBe(
      false,
    );
    expect(ifRangeMatches('Fri, 01 Mar 2024 12:00:01 GMT', v)).toBe(false);
    expect(ifRangeMatches('junk', v)).toBe(false);
  });
});
