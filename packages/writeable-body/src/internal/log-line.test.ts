import { describe, expect, it } from 'vitest';
import { jsonLogLine } from './log-line';

describe('jsonLogLine', () => {
  it('writes the level, time, message and fields, errors with their code and cause', () => {
    const cause = new Error('inner');
    const error = Object.assign(new TypeError('outer', { cause }), { code: 'E_OUTER' });
    const line = JSON.parse(jsonLogLine(50, { err: error, n: 10n }, 'failed'));
    expect(line.level).toBe(50);
    expect(typeof line.time).toBe('number');
    expect(line.msg).toBe('failed');
    expect(line.n).toBe('10');
    expect(line.err).toMatchObject({ type: 'TypeError', message: 'outer', code: 'E_OUTER' });
    expect(line.err.cause).toMatchObject({ type: 'Error', message: 'inner' });
    expect(line.err.cause.code).toBeUndefined();
  });

  it('keeps level, time and message when the fields cannot be serialised', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const line = JSON.parse(jsonLogLine(40, { cyclic }, 'cycle'));
    expect(Object.keys(line).sort()).toEqual(['level', 'msg', 'time']);
    expect(line).toMatchObject({ level: 40, msg: 'cycle' });
  });
});
