import { createConfig } from '@plinth/rollup-config';

// Two entries: the adapter, and the test client at `@plinth/node/testing` (kept
// out of the main entry so that production code pulls in no test-only code).
export default createConfig({ input: { index: 'src/index.ts', testing: 'src/testing.ts' } });
