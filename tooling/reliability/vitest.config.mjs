import { project } from '@plinth/vitest-config';

// Runs after every other project (groupOrder 1), so the load and fault trials here
// do not steal CPU from other packages' timing-sensitive tests on a 2-core CI box.
// Files run in separate forks (two at a time), so each file's descriptor, handle and
// RSS figures are its own.
// `--expose-gc`: leak checks compare heap and RSS after a full collection.
// RELIABILITY_ALIAS ("@plinth/node=/path/to/mutated/index.mjs,…") points package
// imports at mutated copies: mutants/run.mjs uses it to show that the tests fail
// when a guard is broken.
const alias = Object.fromEntries(
  (process.env.RELIABILITY_ALIAS ?? '')
    .split(',')
    .filter(Boolean)
    .map((entry) => entry.split('=')),
);

export default project('reliability', {
  testTimeout: 120_000,
  hookTimeout: 60_000,
  execArgv: ['--expose-gc'],
  sequence: { groupOrder: 1 },
  alias,
});
