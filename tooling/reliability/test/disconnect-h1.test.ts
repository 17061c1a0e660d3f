// Issue 9, "Faults", over HTTP/1.1: clients that disconnect at random points (while
// sending the request, before the answer was made, mid-body, while an event stream
// idles on heartbeats), 1,000 trials per body type. Afterwards the process holds no
// more descriptors, handles or timers than before, every producer was cleaned up
// exactly once, every onClientDisconnect ran once, nothing was logged at error level
// and no promise rejection went unhandled.
import { disconnectSuite } from './support/disconnect-suite';

disconnectSuite('HTTP/1.1', false);
