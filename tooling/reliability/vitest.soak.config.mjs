import { defineConfig } from 'vitest/config';

// The soak (`pnpm --filter @plinth/reliability soak`): minutes long, not in CI.
// SOAK_MINUTES sets its length (default 3).
export default defineConfig({
  test: {
    name: 'reliability-soak',
    include: ['soak/**/*.test.ts'],
    environment: 'node',
    pool: 'forks',
    execArgv: ['--expose-gc'],
    testTimeout: 60 * 60 * 1000,
    hookTimeout: 60_000,
    allowOnly: false,
  },
});
