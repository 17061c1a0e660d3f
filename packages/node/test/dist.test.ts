// The published files, not src/: a bundling mistake (a dropped side effect, a lost
// export) must fail here. Serves a request through the built ESM and CJS builds.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const API = [
  'createServer',
  'requestListener',
  'writeResponse',
  'writeResponseBody',
  'endResponse',
  'responseSent',
  'responseSink',
  'jsonLogger',
  'NodeAdapterError',
  'isNodeAdapterError',
];

describe('the built package (dist/)', () => {
  it.each(['ESM', 'CJS'])('%s exports the API and serves a request', async (format) => {
    const api =
      format === 'ESM'
        ? await import('../dist/index.mjs')
        : createRequire(import.meta.url)('../dist/index.cjs');
    for (const name of API) expect(typeof api[name], name).toBe('function');
    expect(typeof api.RESPONDER).toBe('symbol');
    for (const name of ['stylobate', 'terminator', 'ringResponse']) {
      expect(api[name].name, name).toMatch(/^plinth\./);
    }
    expect(api.responseFor, 'the test client is not in the main entry').toBeUndefined();
    expect(api.streamFor, 'the test client is not in the main entry').toBeUndefined();
    const testing =
      format === 'ESM'
        ? await import('../dist/testing.mjs')
        : createRequire(import.meta.url)('../dist/testing.cjs');
    expect(Object.keys(testing).sort()).toEqual(['responseFor', 'streamFor']);
    const response = await testing.responseFor(
      [
        (request: { path: string }) => ({
          status: 200,
          body: (function* () {
            yield request.path;
            yield 2;
          })(),
        }),
      ],
      'GET',
      '/dist',
    );
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(response.body)).toEqual(['/dist', 2]);
    const missing = await testing.responseFor([], 'GET', '/');
    expect(missing.status).toBe(404);
    // One shared chunk: the test client throws the main entry's error class.
    await expect(testing.responseFor([], 'GET', 'no-slash')).rejects.toBeInstanceOf(
      api.NodeAdapterError,
    );
  });
});
