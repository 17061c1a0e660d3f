import { responseFor } from '@plinth/node/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { curl, openGet, readUntil, type StartedDemo, startDemo } from '../test/helpers';

describe('GET /low-level', () => {
  let app: StartedDemo;
  beforeAll(async () => {
    app = await startDemo({ lowLevel: { stepMs: 200 } });
  });
  afterAll(() => app.stop());

  it('sends head and first part at once, more parts later, then ends', async () => {
    const { response, close } = await openGet(`${app.url}/low-level`);
    try {
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toBe('text/plain; charset=utf-8');
      const first = await readUntil(response, (text) => text.includes('part 1'));
      expect(first).not.toContain('end:'); // 400 ms of processing still to come
      response.resume();
      const all = await readUntil(response, (text) => text.includes('end:'));
      expect(all).toContain('part 2');
      expect(all).toContain('part 3');
    } finally {
      close();
    }
  });

  it("never sends the later interceptor's response, and logs it (curl)", async () => {
    const { status, headers, body } = await curl([`${app.url}/low-level`]);
    expect(status).toBe(200);
    expect(headers['set-cookie']).toBeUndefined();
    expect(body).not.toContain('this response is never sent');
    expect(body.split('\n').filter(Boolean)).toEqual([
      'part 1: status, headers and this line were sent by writeResponse',
      'part 2: written later with writeResponseBody',
      'part 3: written later with writeResponseBody',
      'end: endResponse closes the response; the next interceptor sets a response that is never sent',
    ]);
    const line = await app.logs.waitFor(/response already sent/i);
    expect(line).toContain('late-response');
  });

  it('works through the in-process test client too', async () => {
    const response = await responseFor(app.demo.service, 'GET', '/low-level');
    expect(response.status).toBe(200);
    expect(response.body).toMatch(/^part 1: .*\nend: .*\n$/s);
    expect(response.body).not.toContain('this response is never sent');
  });
});
