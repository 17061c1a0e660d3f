// The published files, not src/: a bundling mistake must fail here.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { collectingSink } from './sink';

describe('the built package (dist/)', () => {
  it('ESM and CJS builds export the API and write a lazy sequence', async () => {
    const esm = await import('../dist/index.mjs');
    const cjs = createRequire(import.meta.url)('../dist/index.cjs');
    for (const api of [esm, cjs]) {
      for (const name of [
        'toWriteableBody',
        'defaultContentType',
        'contentLength',
        'writeBodyToStream',
        'extendBodyWriter',
        'file',
        'ndjson',
        'text',
        'BodyWriterError',
        'isBodyWriterError',
      ]) {
        expect(typeof api[name], name).toBe('function');
      }
      const sink = collectingSink();
      await api.writeBodyToStream(
        (function* () {
          yield 1;
          yield 2;
        })(),
        sink,
      );
      expect(sink.text()).toBe('[1,2]');
      expect(api.defaultContentType('x.txt')).toBe('text/plain; charset=utf-8');
    }
  });
});
