import { createConfig } from '@plinth/rollup-config';

// Two entries: the whole protocol, and `@plinth/body-writer/portable`, the same
// without file() (node:fs), for Bun, Deno and workers. Both share one chunk, so one
// registry serves both.
export default createConfig({ input: { index: 'src/index.ts', portable: 'src/portable.ts' } });
