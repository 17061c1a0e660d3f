import { createClient } from '@redis/client';
import { SseRedisError } from './errors';
import type { Script } from './scripts';

/** @internal What this package uses of a Redis client: raw commands, state, events. */
export interface Client {
  sendCommand(args: readonly string[]): Promise<unknown>;
  readonly isReady: boolean;
  readonly isOpen: boolean;
  destroy(): void;
  on(event: 'ready' | 'error', listener: (...args: any[]) => void): unknown;
  once(event: 'ready', listener: () => void): unknown;
  removeListener(event: 'ready', listener: () => void): unknown;
}

/** @internal What a Redis reply may be, as RESP2 hands it over. */
export type Reply = string | number | null | Reply[];

/** @internal The address of a Redis URL, without credentials (for messages). */
export function addressOf(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`;
  } catch {
    return '(an unparsable Redis URL)';
  }
}

/** @internal Options of {@link connectPair}. */
export interface PairOptions {
  readonly url: string;
  readonly connectTimeoutMs: number;
  readonly onError: (error: Error) => void;
}

/** @internal The two connections of a process: commands, and the blocking reader. */
export interface Pair {
  readonly commands: Client;
  readonly reader: Client;
  readonly address: string;
}

const MIN_VERSION = [7, 0];

/**
 * @internal Connects the command connection and the reader. Fails (never hangs) when
 * Redis cannot be reached within the timeout: a `CONNECT_FAILED` error naming the
 * address. Once connected, both reconnect by themselves (backing off up to 1 s);
 * commands issued meanwhile fail at once (no offline queue).
 */
export async function connectPair(options: PairOptions): Promise<Pair> {
  const address = addressOf(options.url);
  let connected = false;
  const reconnectStrategy = (retries: number, cause: Error): number | Error =>
    connected
      ? Math.min(50 * 2 ** Math.min(retries, 5), 1000)
      : new SseRedisError(
          'CONNECT_FAILED',
          `could not connect to Redis at ${address}: ${cause.message || cause.name}`,
          { cause },
        );
  const commandsClient = createClient({
    url: options.url,
    RESP: 2,
    disableOfflineQueue: true,
    socket: { connectTimeout: options.connectTimeoutMs, reconnectStrategy },
  });
  const readerClient = commandsClient.duplicate();
  const commands = commandsClient as unknown as Client;
  const reader = readerClient as unknown as Client;
  commands.on('error', options.onError);
  reader.on('error', options.onError);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new SseRedisError(
            'CONNECT_FAILED',
            `could not connect to Redis at ${address}: no answer within ${options.connectTimeoutMs} ms`,
          ),
        ),
      options.connectTimeoutMs,
    );
  });
  try {
    const info = await Promise.race([
      (async () => {
        await commandsClient.connect();
        await readerClient.connect();
        return String(await commands.sendCommand(['INFO', 'server']));
      })(),
      timeout,
    ]);
    const version = /redis_version:([0-9]+)\.([0-9]+)/.exec(info);
    const [major, minor] = version === null ? [0, 0] : [Number(version[1]), Number(version[2])];
    if (major < MIN_VERSION[0]! || (major === MIN_VERSION[0] && minor < MIN_VERSION[1]!)) {
      throw new SseRedisError(
        'CONNECT_FAILED',
        `Redis at ${address} is version ${major}.${minor}; @plinth/sse-redis needs 7.0 or later (XINFO STREAM entries-added)`,
      );
    }
  } catch (error) {
    clearTimeout(timer);
    destroy(commands);
    destroy(reader);
    if (SseRedisError.isError(error)) throw error;
    throw new SseRedisError(
      'CONNECT_FAILED',
      `could not connect to Redis at ${address}: ${(error as Error)?.message ?? String(error)}`,
      { cause: error },
    );
  }
  clearTimeout(timer);
  connected = true;
  return { commands, reader, address };
}

/** @internal Closes a client at once, whatever its state. */
export function destroy(client: Client): void {
  try {
    client.destroy();
  } catch {
    // already closed
  }
}

/** @internal Resolves when the client is ready again (or at once if it is); `false` if it was closed. */
export async function whenReady(client: Client, signal: AbortSignal): Promise<boolean> {
  while (!client.isReady) {
    if (signal.aborted || !client.isOpen) return false;
    const ready = await new Promise<boolean>((resolve) => {
      const onReady = (): void => {
        signal.removeEventListener('abort', onAbort);
        resolve(true);
      };
      const onAbort = (): void => {
        client.removeListener('ready', onReady);
        resolve(false);
      };
      client.once('ready', onReady);
      signal.addEventListener('abort', onAbort, { once: true });
    });
    if (!ready) return false;
  }
  return true;
}

/**
 * @internal Runs a script by its SHA1, loading it when Redis does not know it (a
 * restarted Redis forgot its scripts).
 */
export async function runScript(
  client: Client,
  script: Script,
  keys: readonly string[],
  args: readonly string[],
): Promise<Reply> {
  const tail = [String(keys.length), ...keys, ...args];
  try {
    return (await client.sendCommand(['EVALSHA', script.sha, ...tail])) as Reply;
  } catch (error) {
    if (!String((error as Error)?.message).startsWith('NOSCRIPT')) throw error;
    return (await client.sendCommand(['EVAL', script.source, ...tail])) as Reply;
  }
}
