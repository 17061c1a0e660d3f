import { createConfig } from '@plinth/rollup-config';

// Three entries: the whole protocol; `@plinth/body-writer/portable`, the same
// without file() (node:fs), for Bun, Deno and workers; and
// `@plinth/body-writer/schema`, the element schemas, which need the optional peer
// fast-json-stringify. They share one chunk, so one registry serves them all.
export default createConfig({
  input: { index: 'src/index.ts', portable: 'src/portable.ts', schema: 'src/schema.ts' },
});
