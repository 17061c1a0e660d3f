// Issue 9, "Faults", over h2c: the same trials as disconnect-h1.test.ts, the client
// leaving by RST_STREAM on a shared session or by closing a session of its own.
import { disconnectSuite } from './support/disconnect-suite';

disconnectSuite('h2c', true);
