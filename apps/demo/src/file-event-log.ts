import { appendFile, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { EventLog, LoggedEvent, LogRead } from '@plinth/sse';
import { DemoError } from './error';

/** Options of {@link fileEventLog}. */
export interface FileEventLogOptions {
  /**
   * The most events kept (in memory, and in the file after a compaction).
   * @default 1000
   */
  maxEvents?: number | undefined;
}

const DIGITS = /^(0|[1-9][0-9]{0,15})$/;

function isLogged(value: unknown): value is LoggedEvent {
  const e = value as Partial<LoggedEvent> | null;
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof e.id === 'string' &&
    DIGITS.test(e.id) &&
    typeof e.data === 'string' &&
    (e.event === undefined || typeof e.event === 'string') &&
    (e.retry === undefined || typeof e.retry === 'number')
  );
}

/**
 * An `EventLog` (see `@plinth/sse`) kept in a JSON-lines file, so the chat's
 * history and its ids survive a restart of the process: a page that reconnects
 * with `Last-Event-ID` after `npm run demo` was stopped and started again gets
 * exactly what it missed. The last `maxEvents` events are held in memory; every
 * append adds one line, and the file is rewritten with only those events when it
 * holds twice as many. Ids are `1`, `2`, `3`, … continuing from the file. Lines
 * that do not parse are skipped. One process per file.
 *
 * @example
 * ```ts
 * const chatLog = await fileEventLog('.data/chat-log.jsonl');
 * const demo = createDemo({ chatLog });
 * ```
 */
export async function fileEventLog(
  path: string,
  options: FileEventLogOptions = {},
): Promise<EventLog> {
  const max = options.maxEvents ?? 1000;
  if (!Number.isSafeInteger(max) || max < 1) {
    throw new DemoError(`fileEventLog: maxEvents must be a positive integer, got ${String(max)}`);
  }
  await mkdir(dirname(path), { recursive: true });
  let text = '';
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'ENOENT') throw error;
  }
  let events: LoggedEvent[] = [];
  let last = 0; // the newest id issued
  let lines = 0; // lines in the file
  for (const line of text.split('\n')) {
    if (line === '') continue;
    lines++;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      continue;
    }
    if (!isLogged(parsed) || Number(parsed.id) <= last) continue;
    events.push(parsed);
    last = Number(parsed.id);
  }
  events = events.slice(-max);

  // Writes happen one after the other, in the order of the appends.
  let writing: Promise<unknown> = Promise.resolve();
  const compact = async (): Promise<void> => {
    const kept = events.slice();
    await writeFile(`${path}.tmp`, kept.map((e) => `${JSON.stringify(e)}\n`).join(''));
    await rename(`${path}.tmp`, path);
    lines = kept.length;
  };

  return {
    append(entry) {
      last++;
      const logged: LoggedEvent = { ...entry, id: String(last) };
      events.push(logged);
      if (events.length > max) events.shift();
      const written = writing.then(async () => {
        if (lines + 1 > 2 * max) return compact();
        await appendFile(path, `${JSON.stringify(logged)}\n`);
        lines++;
      });
      writing = written.catch(() => {});
      return written.then(() => logged);
    },
    readAfter(lastEventId, limit): Promise<LogRead> {
      const lastId = last === 0 ? undefined : String(last);
      const after = DIGITS.test(lastEventId) ? Number(lastEventId) : Number.NaN;
      const first = events.length > 0 ? Number(events[0]!.id) : last + 1;
      // Found when every event after `after` is still held.
      if (!(after <= last && after >= first - 1)) {
        return Promise.resolve({ found: false, events: [], lastId });
      }
      const start = events.findIndex((e) => Number(e.id) > after);
      const found = start === -1 ? [] : events.slice(start, start + limit);
      return Promise.resolve({ found: true, events: found, lastId });
    },
  };
}
