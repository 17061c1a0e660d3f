import { project } from '@plinth/vitest-config';

// The conformance suite spawns a server under Node, Bun and Deno; a runtime's
// first start (Deno compiling TypeScript) can take seconds on a shared machine.
export default project('fetch', { testTimeout: 60_000, hookTimeout: 60_000 });
