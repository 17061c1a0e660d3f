import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { curl, openGet, readUntil, type StartedDemo, startDemo } from '../test/helpers';

describe('GET /report', () => {
  let app: StartedDemo;
  beforeAll(async () => {
    app = await startDemo({ report: { rows: 4, rowDelayMs: 150 } });
  });
  afterAll(() => app.stop());

  it('sends the first row long before the last one exists', async () => {
    const { response, close } = await openGet(`${app.url}/report`);
    try {
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(response.headers['content-length']).toBeUndefined();
      // The heading and the first row are on the wire while three rows (450 ms of
      // work) are still to be computed.
      const early = await readUntil(response, (text) => text.includes('Jan 2024'));
      expect(early).toContain('Monthly report: 4 rows');
      expect(early).not.toContain('Apr 2024');
      expect(early).not.toContain('rows in');
      response.resume();
      const rest = await readUntil(response, (text) => text.includes('rows in'));
      expect(rest).toContain('Apr 2024');
    } finally {
      close();
    }
  });

  it('answers the whole report to curl', async () => {
    const { status, body } = await curl([`${app.url}/report`]);
    expect(status).toBe(200);
    const rows = body.split('\n').filter((line) => /^[A-Z][a-z]{2} 20\d\d /.test(line));
    expect(rows).toHaveLength(4);
    expect(body).toMatch(/\n4 rows in \d+\.\d s\n$/);
  });

  it('stops computing when the client leaves', async () => {
    const slow = await startDemo({ report: { rows: 1000, rowDelayMs: 20 } });
    try {
      const { response, close } = await openGet(`${slow.url}/report`);
      await readUntil(response, (text) => text.includes('Jan 2024'));
      close();
      const line = await slow.logs.waitFor(/report: stopped early/);
      expect(Number(/rowsWritten=(\d+)/.exec(line)?.[1])).toBeLessThan(1000);
    } finally {
      await slow.stop();
    }
  });
});
