// Builds dist/: the CLI, one program per server and per client, each bundled with
// its own helpers (packages stay external and resolve from node_modules).
import { readdirSync } from 'node:fs';
import { build } from 'esbuild';

const entries = (dir) =>
  readdirSync(`src/${dir}`)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && f !== 'harness.ts')
    .map((f) => `src/${dir}/${f}`);

await build({
  entryPoints: ['src/cli.ts', ...entries('servers'), ...entries('clients')],
  outdir: 'dist',
  outbase: 'src',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  packages: 'external',
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
});
