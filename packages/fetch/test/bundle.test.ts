// A worker target has no Node built-ins: bundling @plinth/fetch (and everything it
// pulls in) for one must meet no `node:` import (issue 20). Bundled from the built
// dist, as a user's bundler would.
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { describe, expect, it } from 'vitest';

const BUILTINS = new Set(builtinModules);

/** Bundles `entry` for a worker; returns the Node built-ins it imports, and the code. */
async function bundle(
  contents: string,
  platform: 'neutral' | 'browser',
): Promise<{ builtins: string[]; code: string }> {
  const seen: string[] = [];
  const recordBuiltins: Plugin = {
    name: 'record-builtins',
    setup(b) {
      b.onResolve({ filter: /.*/ }, (args) => {
        const bare = args.path.startsWith('node:') ? args.path.slice(5) : args.path;
        if (args.path.startsWith('node:') || BUILTINS.has(bare)) {
          seen.push(args.path);
          return { path: args.path, external: true };
        }
        return undefined;
      });
    },
  };
  const result = await build({
    stdin: { contents, resolveDir: fileURLToPath(new URL('.', import.meta.url)), loader: 'js' },
    bundle: true,
    write: false,
    format: 'esm',
    platform,
    // What workerd and other worker bundlers resolve with.
    conditions: ['workerd', 'worker', 'browser', 'import'],
    mainFields: ['module', 'main'],
    plugins: [recordBuiltins],
    logLevel: 'silent',
  });
  return { builtins: seen, code: result.outputFiles[0]!.text };
}

describe('a bundle for a worker target', () => {
  for (const platform of ['neutral', 'browser'] as const) {
    it(`of @plinth/fetch with the router and SSE has no node: import (platform ${platform})`, async () => {
      const { builtins, code } = await bundle(
        `import { fetchApp } from '../dist/index.mjs';
         import { router } from '@plinth/router';
         import { eventStream } from '@plinth/sse';
         import { ndjson } from '@plinth/body-writer/portable';
         export default fetchApp([router([['/', 'GET', () => ({ status: 200, body: ndjson([1]) })]]), eventStream(() => {})]);`,
        platform,
      );
      expect(builtins).toEqual([]);
      expect(code).not.toMatch(/["']node:/);
      expect(code).toContain('plinth.ring-response');
    });
  }

  it('would see one: body-writer main entry, whose file() needs node:fs', async () => {
    const { builtins } = await bundle(
      `export { file } from '@plinth/body-writer'; export { fetchApp } from '../dist/index.mjs';`,
      'neutral',
    );
    expect(builtins).toContain('node:fs/promises');
  });
});
