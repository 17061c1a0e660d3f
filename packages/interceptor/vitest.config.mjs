import { project } from '@plinth/vitest-config';

// The type tests (*.test-d.ts) run through vitest's typecheck as well as `tsc`.
export default project('interceptor', {
  typecheck: { enabled: true, include: ['src/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
});
