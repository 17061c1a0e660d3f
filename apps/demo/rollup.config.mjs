// The demo is an app, not a library: one ES module, dist/main.mjs, that `pnpm start`
// runs with plain node (no TypeScript loader at run time). Packages stay external and
// resolve to their own built dist/ through the workspace links.
import esbuild from 'rollup-plugin-esbuild';

/** @type {import('rollup').RollupOptions} */
export default {
  input: 'src/main.ts',
  external: (id) => !id.startsWith('.') && !id.startsWith('/') && !id.startsWith('\0'),
  onwarn(warning) {
    throw new Error(`rollup warning treated as an error: ${warning.message}`);
  },
  plugins: [esbuild({ target: 'node20', sourceMap: true })],
  output: { file: 'dist/main.mjs', format: 'es', sourcemap: true },
};
