import type { Interceptor } from '@plinth/interceptor';
import type { Exchange } from '../exchange';
import type { Logger } from '../logger';
import type { LiveList } from './live';

/**
 * What every exchange of one listener shares.
 * @internal
 */
export interface Shared {
  readonly chain: readonly Interceptor[];
  readonly logger: Logger;
  readonly bodyLimit: number;
  /** Milliseconds the chain may take to start a response; 0: no limit. */
  readonly handlerTimeout: number;
  /** The exchanges not yet closed; kept by `createServer` for `stop()`. */
  readonly live: LiveList<Exchange> | undefined;
  /** Errors already logged, so that each is logged once. */
  readonly logged: WeakSet<object>;
  stopping: boolean;
  /** Called when an exchange closes while the server stops. */
  onClosed: (() => void) | undefined;
}
