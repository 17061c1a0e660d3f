// The published files, not src/: a bundling mistake must fail here.
import { readdirSync, readFileSync } from 'node:fs';
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

  it('the schema entry (ESM and CJS) compiles a schema into a serializer jsonArray() takes', async () => {
    const esm = await import('../dist/index.mjs');
    const require = createRequire(import.meta.url);
    const cjs = require('../dist/index.cjs');
    const pairs = [
      [esm, await import('../dist/schema.mjs')],
      [cjs, require('../dist/schema.cjs')],
    ] as const;
    for (const [api, schema] of pairs) {
      const serialize = schema.compileElementSchema({
        type: 'object',
        properties: { id: { type: 'integer' } },
        required: ['id'],
      });
      const sink = collectingSink();
      await api.writeBodyToStream(
        api.jsonArray([{ id: 1 }, { id: 2 }].values(), { serialize }),
        sink,
      );
      expect(sink.text()).toBe('[{"id":1},{"id":2}]');
    }
  });

  it('only the schema entry loads fast-json-stringify (an optional peer): the main and portable entries never do', () => {
    const dist = new URL('../dist/', import.meta.url);
    const files = readdirSync(dist).filter((f) => /\.(mjs|cjs)$/.test(f));
    const loading = files.filter((f) =>
      /(from |require\()'fast-json-stringify'/.test(readFileSync(new URL(f, dist), 'utf8')),
    );
    expect(loading.sort()).toEqual(['schema.cjs', 'schema.mjs']);
  });
});
