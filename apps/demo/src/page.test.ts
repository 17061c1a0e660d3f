import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { curl, type StartedDemo, startDemo } from '../test/helpers';
import { readableLogger } from './logger';

const publicDir = fileURLToPath(new URL('../public/', import.meta.url));

describe('the web page', () => {
  let app: StartedDemo;
  beforeAll(async () => {
    app = await startDemo();
  });
  afterAll(() => app.stop());

  it.each([
    ['/', 'index.html', 'text/html'],
    ['/app.css', 'app.css', 'text/css'],
    ['/app.js', 'app.js', 'javascript'],
    ['/favicon.svg', 'favicon.svg', 'image/svg+xml'],
  ])('serves %s', async (path, name, type) => {
    const { status, headers, body } = await curl([`${app.url}${path}`]);
    expect(status).toBe(200);
    expect(headers['content-type']).toContain(type);
    expect(headers['cache-control']).toBe('no-cache');
    expect(body).toBe(await readFile(`${publicDir}${name}`, 'utf8'));
  });

  it('answers 404 for an unknown path and 405 with Allow for a wrong method', async () => {
    expect((await curl([`${app.url}/index.html`])).status).toBe(404);
    const wrong = await curl(['-X', 'POST', `${app.url}/range`]);
    expect(wrong.status).toBe(405);
    expect(wrong.headers.allow).toContain('GET');
  });

  it('logs one readable line per request', async () => {
    await fetch(`${app.url}/range?limit=2`).then((r) => r.text());
    const line = await app.logs.waitFor(/GET \/range\?limit=2 200/);
    expect(line).toMatch(/^\d\d:\d\d:\d\d INFO {2}GET \/range\?limit=2 200 \d+(\.\d)? ms$/);
    expect(app.logs.lines.filter((l) => l.includes('/range?limit=2'))).toHaveLength(1);
  });

  it('adds the reason of a client error to its line', async () => {
    await fetch(`${app.url}/range?limit=x`).then((r) => r.text());
    const line = await app.logs.waitFor(/GET \/range\?limit=x 400/);
    expect(line).toMatch(/ ms: limit must be a non-negative integer, got "x"$/);
  });
});

describe('readableLogger', () => {
  it("writes one line per entry and keeps the adapter's client errors at debug", () => {
    const lines: string[] = [];
    const logger = readableLogger({ write: (line) => lines.push(line) });
    logger.info({}, 'GET / 200 1.0 ms');
    logger.info({ status: 400 }, 'client error');
    logger.debug({}, 'noise');
    logger.warn(
      { url: 'http://x', err: new Error('boom', { cause: new Error('ECONNREFUSED') }) },
      'image: the upstream request failed',
    );
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d INFO {2}GET \/ 200 1\.0 ms\n$/);
    expect(lines[1]).toContain(
      'WARN  image: the upstream request failed url=http://x err="Error: boom <- Error: ECONNREFUSED"',
    );
    const verbose: string[] = [];
    readableLogger({ write: (line) => verbose.push(line), debug: true }).info({}, 'client error');
    expect(verbose[0]).toContain('DEBUG client error');
  });
});
