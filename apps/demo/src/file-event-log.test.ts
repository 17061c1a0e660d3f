import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHub } from '@plinth/sse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileEventLog } from './file-event-log';

describe('fileEventLog', () => {
  let dir: string;
  let n = 0;
  const fresh = () => join(dir, `log-${++n}`, 'chat.jsonl');
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'plinth-demo-log-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('assigns ids 1, 2, 3 and reads after an id, up to a limit', async () => {
    const log = await fileEventLog(fresh());
    expect(await log.readAfter('0', 10)).toEqual({ found: true, events: [], lastId: undefined });
    for (const data of ['a', 'b', 'c']) await log.append({ data });
    expect(await log.readAfter('1', 10)).toEqual({
      found: true,
      events: [
        { id: '2', data: 'b' },
        { id: '3', data: 'c' },
      ],
      lastId: '3',
    });
    expect((await log.readAfter('0', 2)).events.map((e) => e.id)).toEqual(['1', '2']);
    expect(await log.readAfter('3', 10)).toEqual({ found: true, events: [], lastId: '3' });
  });

  it('does not know ids it never issued, or that are not ids', async () => {
    const log = await fileEventLog(fresh());
    await log.append({ data: 'a' });
    for (const id of ['2', '-1', 'x', '', '01']) {
      expect(await log.readAfter(id, 10)).toEqual({ found: false, events: [], lastId: '1' });
    }
  });

  it('keeps the history and the ids across a restart (a new instance on the file)', async () => {
    const path = fresh();
    const before = await fileEventLog(path);
    await before.append({ event: 'x', data: '{"text":"one"}' });
    await before.append({ data: 'two', retry: 500 });
    const after = await fileEventLog(path);
    expect(await after.readAfter('0', 10)).toEqual({
      found: true,
      events: [
        { id: '1', event: 'x', data: '{"text":"one"}' },
        { id: '2', data: 'two', retry: 500 },
      ],
      lastId: '2',
    });
    expect((await after.append({ data: 'three' })).id).toBe('3');
  });

  it('forgets events beyond maxEvents, and compacts the file', async () => {
    const path = fresh();
    const log = await fileEventLog(path, { maxEvents: 2 });
    for (let i = 1; i <= 9; i++) await log.append({ data: `m${i}` });
    expect((await log.readAfter('1', 10)).found).toBe(false); // older than held
    expect((await log.readAfter('7', 10)).events.map((e) => e.data)).toEqual(['m8', 'm9']);
    const lines = (await readFile(path, 'utf8')).trim().split('\n');
    expect(lines.length).toBeLessThanOrEqual(4);
    const reloaded = await fileEventLog(path, { maxEvents: 2 });
    expect((await reloaded.readAfter('7', 10)).events.map((e) => e.data)).toEqual(['m8', 'm9']);
    expect((await reloaded.append({ data: 'm10' })).id).toBe('10');
  });

  it('skips lines that do not parse', async () => {
    const path = fresh();
    await (await fileEventLog(path)).append({ data: 'ok' });
    await writeFile(path, `${await readFile(path, 'utf8')}{not json\n{"id":"x","data":"bad"}\n`);
    const log = await fileEventLog(path);
    expect(await log.readAfter('0', 10)).toEqual({
      found: true,
      events: [{ id: '1', data: 'ok' }],
      lastId: '1',
    });
  });

  it('refuses a bad maxEvents, naming it', async () => {
    await expect(fileEventLog(fresh(), { maxEvents: 0 })).rejects.toThrow(
      'fileEventLog: maxEvents must be a positive integer, got 0',
    );
  });

  it('serves a hub: publish appends, ids come from the file', async () => {
    const path = fresh();
    const hub = createHub({ log: await fileEventLog(path) });
    expect(await hub.publish({ data: { user: 'ada', text: 'hi' } })).toBe('1');
    const again = createHub({ log: await fileEventLog(path) });
    expect(await again.publish({ data: { user: 'bob', text: 'yo' } })).toBe('2');
    expect(await readFile(path, 'utf8')).toBe(
      '{"data":"{\\"user\\":\\"ada\\",\\"text\\":\\"hi\\"}","id":"1"}\n' +
        '{"data":"{\\"user\\":\\"bob\\",\\"text\\":\\"yo\\"}","id":"2"}\n',
    );
  });
});
