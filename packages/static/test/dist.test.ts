// The built package (what npm users get), ESM and CJS: the same exports, and the
// bundle still refuses an escape from the root (a bundler must not drop the checks).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const esmPath = new URL('../dist/index.mjs', import.meta.url);
const cjsPath = new URL('../dist/index.cjs', import.meta.url);

describe('dist', () => {
  it('is built (run the build first: pnpm turbo run build --filter=@plinth/static...)', () => {
    expect(existsSync(esmPath)).toBe(true);
    expect(existsSync(cjsPath)).toBe(true);
  });

  it('exports the same API from ESM and CJS, and it refuses traversal', async () => {
    const esm = await import(esmPath.href);
    const cjs = createRequire(import.meta.url)(cjsPath.pathname);
    const names = ['StaticError', 'isStaticError', 'serveFile', 'serveStatic'];
    expect(Object.keys(esm).sort()).toEqual(names);
    expect(Object.keys(cjs).sort()).toEqual(names);
    for (const mod of [esm, cjs]) {
      const ctx = {
        request: { method: 'GET', path: '/%2e%2e/etc/passwd', headers: {} },
      } as { request: unknown; response?: { status: number } };
      await mod.serveStatic(new URL('.', import.meta.url).pathname).enter(ctx);
      expect(ctx.response?.status).toBe(403);
      expect(mod.StaticError.isError(new cjs.StaticError('FILE_ERROR', 'x'))).toBe(true);
    }
  });
});
