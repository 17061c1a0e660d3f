import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      'packages/*/vitest.config.mjs',
      'apps/*/vitest.config.mjs',
      'tooling/*/vitest.config.mjs',
    ],
    // Fail loudly on `.only` left in a test file.
    allowOnly: false,
    passWithNoTests: false,
  },
});
