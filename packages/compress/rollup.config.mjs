import { createConfig } from '@plinth/rollup-config';

export default createConfig();
