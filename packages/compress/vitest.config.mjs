import { project } from '@plinth/vitest-config';

// --expose-gc: the memory tests collect garbage before reading RSS, so that what they
// compare is what is still held, not what the collector has not reached yet.
export default project('compress', { execArgv: ['--expose-gc'] });
