import { project } from '@plinth/vitest-config';

export default project('compress');
