// The built package (what npm users get), ESM and CJS: the same exports, and an
// event encoded by the bundle (a bundler must not drop the injection checks).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const esmPath = new URL('../dist/index.mjs', import.meta.url);
const cjsPath = new URL('../dist/index.cjs', import.meta.url);

describe('dist', () => {
  it('is built (run the build first: pnpm turbo run build --filter=@plinth/sse...)', () => {
    expect(existsSync(esmPath)).toBe(true);
    expect(existsSync(cjsPath)).toBe(true);
  });

  it('exports the same API from ESM and CJS, and it works', async () => {
    const esm = await import(esmPath.href);
    const cjs = createRequire(import.meta.url)(cjsPath.pathname);
    const names = [
      'RESET_EVENT',
      'SSE_CHANNELS',
      'SseError',
      'createHub',
      'encodeComment',
      'encodeEvent',
      'eventSource',
      'eventSourceResponse',
      'eventStream',
      'isSseError',
      'memoryEventLog',
      'startEventStream',
    ];
    expect(Object.keys(esm).sort()).toEqual(names);
    expect(Object.keys(cjs).sort()).toEqual(names);
    for (const mod of [esm, cjs]) {
      expect(mod.encodeEvent({ id: 0, event: 'e', data: 'a\nb' })).toBe(
        'id: 0\nevent: e\ndata: a\ndata: b\n\n',
      );
      expect(() => mod.encodeEvent({ event: 'x\ny', data: '' })).toThrow(/event must not contain/);
      expect(mod.SseError.isError(new cjs.SseError('CLOSED', 'x'))).toBe(true);
      expect(mod.isSseError(new esm.SseError('CLOSED', 'x'))).toBe(true);
    }
  });
});
