// Shared settings for every vitest project (the root vitest.config.ts lists them).
import { defineProject } from 'vitest/config';

/**
 * @param {string} name the project's name in vitest's output
 * @param {import('vitest/config').UserWorkspaceConfig['test']} [test] overrides
 */
export function project(name, test = {}) {
  return defineProject({
    test: {
      name,
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      environment: 'node',
      testTimeout: 20_000,
      hookTimeout: 20_000,
      // Behaviour over HTTP uses real sockets and real descriptors; files run in
      // separate forks so that one file's descriptor counts are its own.
      pool: 'forks',
      ...test,
    },
  });
}
