// The one rollup config every package uses: ESM (.mjs) and CJS (.cjs) from
// src/index.ts through esbuild, and declarations bundled by rollup-plugin-dts as
// .d.mts beside the .mjs and .d.cts beside the .cjs (one shared .d.ts is wrong for
// one of the two formats). Dependencies, peer dependencies and node: built-ins stay
// external; any warning fails the build. A package with subpath exports passes
// `input` as a record (entry name to source file): each entry then gets its own
// .mjs/.cjs/.d.mts/.d.cts in dist/, and code they share goes to one shared chunk
// per format, so that both entries see the same classes and symbols.
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { dts } from 'rollup-plugin-dts';
import esbuild from 'rollup-plugin-esbuild';

/**
 * @param {{ cwd?: string, input?: string | Record<string, string> }} [options]
 * @returns {import('rollup').RollupOptions[]}
 */
export function createConfig(options = {}) {
  const cwd = options.cwd ?? process.cwd();
  const input = options.input ?? 'src/index.ts';
  const pkg = JSON.parse(readFileSync(join(cwd, 'package.json'), 'utf8'));
  const deps = [
    ...Object.keys(pkg.dependencies ?? {}),
    ...Object.keys(pkg.peerDependencies ?? {}),
    ...Object.keys(pkg.optionalDependencies ?? {}),
  ];
  const builtins = new Set(builtinModules);
  /** @param {string} id */
  const external = (id) =>
    id.startsWith('node:') ||
    builtins.has(id) ||
    deps.some((dep) => id === dep || id.startsWith(`${dep}/`));
  /** @param {import('rollup').RollupLog} warning */
  const onwarn = (warning) => {
    throw new Error(`rollup warning treated as an error: ${warning.message}`);
  };
  const single = typeof input === 'string';
  /**
   * @param {string} ext the extension of every file of this output
   * @param {import('rollup').OutputOptions} rest
   * @returns {import('rollup').OutputOptions}
   */
  const output = (ext, rest) =>
    single
      ? { file: `dist/index${ext}`, ...rest }
      : {
          dir: 'dist',
          entryFileNames: `[name]${ext}`,
          chunkFileNames: `shared-[hash]${ext}`,
          ...rest,
        };
  return [
    {
      input,
      external,
      onwarn,
      plugins: [esbuild({ target: 'node20', sourceMap: true })],
      output: [
        output('.mjs', { format: 'es', sourcemap: true }),
        output('.cjs', { format: 'cjs', sourcemap: true, exports: 'named' }),
      ],
    },
    {
      input,
      external,
      onwarn,
      plugins: [dts({ tsconfig: join(cwd, 'tsconfig.json') })],
      output: [output('.d.mts', { format: 'es' }), output('.d.cts', { format: 'es' })],
    },
  ];
}
