import { project } from '@plinth/vitest-config';

// Every file starts its own redis-server and Plinth processes: give them time.
export default project('sse-redis', { testTimeout: 30_000, hookTimeout: 30_000 });
