import { createServer } from '@plinth/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureLogs, openSse, type StartedDemo, startDemo } from '../test/helpers';
import { clockStream, type Tick } from './clock';

describe('GET /events/clock', () => {
  let app: StartedDemo;
  beforeAll(async () => {
    app = await startDemo({ clock: { intervalMs: 50 } });
  });
  afterAll(() => app.stop());

  it('sends a tick event at once, then one per interval, with ids', async () => {
    const sse = await openSse(`${app.url}/events/clock`);
    try {
      expect(sse.response.statusCode).toBe(200);
      expect(sse.response.headers['content-type']).toBe('text/event-stream; charset=utf-8');
      expect(sse.response.headers['cache-control']).toContain('no-cache');
      await sse.until((r) => r.events.length >= 3);
      const ticks = sse.events.slice(0, 3);
      expect(ticks.map((e) => e.event)).toEqual(['tick', 'tick', 'tick']);
      expect(ticks.map((e) => e.id)).toEqual(['1', '2', '3']);
      const data = ticks.map((e) => JSON.parse(e.data) as Tick);
      expect(data.map((d) => d.n)).toEqual([1, 2, 3]);
      for (const d of data) expect(Number.isNaN(Date.parse(d.time))).toBe(false);
    } finally {
      sse.close();
    }
  });

  it('goes on after Last-Event-ID', async () => {
    const sse = await openSse(`${app.url}/events/clock`, { 'last-event-id': '41' });
    try {
      await sse.until((r) => r.events.length >= 2);
      expect(sse.events.slice(0, 2).map((e) => e.id)).toEqual(['42', '43']);
    } finally {
      sse.close();
    }
  });
});

describe('clockStream heartbeats', () => {
  const logs = captureLogs();
  const server = createServer([clockStream({ intervalMs: 60_000, heartbeatMs: 50 })], {
    port: 0,
    logger: logs.logger,
  });
  let url: string;
  beforeAll(async () => {
    url = (await server.start()).url;
  });
  afterAll(() => server.stop({ graceMs: 1000 }));

  it('sends a comment when no tick is due', async () => {
    const sse = await openSse(url);
    try {
      await sse.until((r) => r.events.length >= 1 && r.comments.length >= 2);
      expect(sse.events).toHaveLength(1); // the first tick only: the next is a minute away
    } finally {
      sse.close();
    }
  });
});
