// Logging: a pino instance works as the logger; the default jsonLogger writes pino's
// shape; an unhandled error is one error line with interceptor, stage and err.
import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { jsonLogger } from '../src/index';
import { responseFor } from '../src/testing';

const failing = {
  name: 'failing',
  enter: () => {
    throw new Error('logged once');
  },
};

function lines(): { stream: Writable; records: Record<string, any>[] } {
  const records: Record<string, any>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      for (const line of String(chunk).split('\n')) if (line) records.push(JSON.parse(line));
      callback();
    },
  });
  return { stream, records };
}

describe('logging', () => {
  it('takes a pino instance as the logger', async () => {
    const { stream, records } = lines();
    const logger = pino({ level: 'debug' }, stream);
    const response = await responseFor({ logger, interceptors: [failing] }, 'GET', '/');
    expect(response.status).toBe(500);
    const errors = records.filter((r) => r.level === 50);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      interceptor: 'failing',
      stage: 'enter',
      method: 'GET',
      url: '/',
      err: { type: 'Error', message: 'logged once' },
    });
    expect(errors[0]!.err.stack).toMatch(/logged once/);
  });

  it('jsonLogger writes one JSON object per line with pino levels, above its level only', () => {
    const out: string[] = [];
    const logger = jsonLogger({ level: 'info', write: (line) => out.push(line) });
    logger.debug({ a: 1 }, 'hidden');
    logger.info({ a: 1 }, 'shown');
    logger.error({ err: Object.assign(new Error('boom'), { code: 'E_X' }) }, 'failed');
    expect(out).toHaveLength(2);
    expect(out.every((l) => l.endsWith('\n'))).toBe(true);
    const [info, error] = out.map((l) => JSON.parse(l));
    expect(info).toMatchObject({ level: 30, msg: 'shown', a: 1 });
    expect(typeof info.time).toBe('number');
    expect(error).toMatchObject({
      level: 50,
      msg: 'failed',
      err: { type: 'Error', message: 'boom', code: 'E_X' },
    });
    expect(() => jsonLogger({ level: 'loud' as never })).toThrow(
      /options.level must be one of .* got loud/,
    );
  });
});
