import { project } from '@plinth/vitest-config';

// Packing and installing every package takes a while on a 2-core machine.
export default project('tests', { testTimeout: 300_000, hookTimeout: 300_000 });
