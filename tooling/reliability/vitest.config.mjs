import { project } from '@plinth/vitest-config';

// Runs after every other project (groupOrder 1), so the load and fault trials here
// do not steal CPU from other packages' timing-sensitive tests on a 2-core CI box.
// Files run in separate forks (two at a time), so each file's descriptor, handle and
// RSS figures are its own.
// `--expose-gc`: leak checks compare heap and RSS after a full collection.
export default project('reliability', {
  testTimeout: 120_000,
  hookTimeout: 60_000,
  execArgv: ['--expose-gc'],
  sequence: { groupOrder: 1 },
});
