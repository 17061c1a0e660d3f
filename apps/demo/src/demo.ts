import { fileURLToPath } from 'node:url';
import type { Interceptor } from '@plinth/interceptor';
import {
  createServer,
  type PlinthServer,
  type ServerAddress,
  type StopOptions,
} from '@plinth/node';
import { queryParams, type RouteTableSpec, router } from '@plinth/router';
import { createHub, type EventHub, type EventLog, memoryEventLog } from '@plinth/sse';
import { type ChatEventsOptions, chatEvents, postMessageHandler } from './chat';
import { type ClockOptions, clockStream } from './clock';
import { demoCompression } from './compression';
import { filesHandler } from './files';
import { imageHandler } from './image';
import { type DemoLogger, readableLogger } from './logger';
import { type LowLevelOptions, lowLevelInterceptors } from './low-level';
import { PAGE_FILES, pageHandler } from './page';
import { rangeHandler } from './range';
import { type ReportOptions, reportHandler } from './report';
import { requestLog } from './request-log';
import { type ObjectStore, storeFromFolder, storeHandler } from './store';

/** Options of {@link createDemo}. */
export interface DemoOptions {
  /**
   * The port to listen on; `0` picks a free one.
   * @default 8080
   */
  port?: number | undefined;
  /**
   * The interface to listen on.
   * @default 'localhost'
   */
  host?: string | undefined;
  /**
   * Where `/image/:key` fetches `/store/:key` from: any server with that path (a
   * real S3-compatible endpoint behind a small proxy, or another demo).
   * @default the demo's own address, once started
   */
  storeUrl?: string | undefined;
  /**
   * The folder `/files/:name` serves and the default store is filled from.
   * @default the app's `assets/` folder
   */
  assetsDir?: string | undefined;
  /**
   * The folder of the web page (`index.html`, `app.css`, `app.js`, `favicon.svg`).
   * @default the app's `public/` folder
   */
  publicDir?: string | undefined;
  /**
   * The object store behind `/store/:key`.
   * @default every file of `assetsDir`, read into memory on first use
   */
  store?: ObjectStore | undefined;
  /**
   * Where chat messages are kept for replay after `Last-Event-ID`. Pass the same log
   * to a new demo to keep the history across a restart (the browser tests do), or
   * an implementation over a shared store for several processes.
   * @default memoryEventLog({ maxEvents: 1000 }), lost when the process exits
   */
  chatLog?: EventLog | undefined;
  /**
   * Where the demo and the adapter log, one readable line per request.
   * @default readableLogger() on stdout
   */
  logger?: DemoLogger | undefined;
  /** `/events/clock` settings. */
  clock?: ClockOptions | undefined;
  /** `/chat/events` settings. */
  chat?: ChatEventsOptions | undefined;
  /** `/report` settings. */
  report?: ReportOptions | undefined;
  /** `/low-level` settings. */
  lowLevel?: LowLevelOptions | undefined;
  /**
   * More routes (the Redis rooms of `redis-chat.ts` with PLINTH_REDIS_URL).
   * @default []
   */
  routes?: RouteTableSpec | undefined;
}

/** A demo app made by {@link createDemo}. */
export interface Demo {
  /** The interceptors served, for the in-process test client (`responseFor`). */
  readonly service: readonly Interceptor<any>[];
  /** The chat's hub: `publish` posts a message as `POST /chat/messages` does. */
  readonly hub: EventHub;
  /** The chat's event log. */
  readonly chatLog: EventLog;
  /** The server (not listening until `start()`). */
  readonly server: PlinthServer;
  /** Starts listening; resolves with the address. */
  start(): Promise<ServerAddress>;
  /** Stops gracefully: event streams end, in-flight responses get `graceMs`. */
  stop(options?: StopOptions): Promise<void>;
}

const appDir = (folder: string): string => fileURLToPath(new URL(`../${folder}/`, import.meta.url));

/**
 * Builds the demo: every endpoint of Pedestal's "Streaming Responses" guide on one
 * `@plinth/node` server, routed by `@plinth/router`, with the chat on a
 * `@plinth/sse` hub.
 *
 * @example
 * ```ts
 * const demo = createDemo({ port: 0, host: '127.0.0.1' });
 * const { url } = await demo.start();
 * console.log(await (await fetch(`${url}/range?limit=3`)).json()); // [0, 1, 2]
 * await demo.stop();
 * ```
 */
export function createDemo(options: DemoOptions = {}): Demo {
  const logger = options.logger ?? readableLogger();
  const assetsDir = options.assetsDir ?? appDir('assets');
  const publicDir = options.publicDir ?? appDir('public');
  const chatLog = options.chatLog ?? memoryEventLog({ maxEvents: 1000 });
  const hub = createHub({ log: chatLog });

  let store: Promise<ObjectStore> | undefined;
  const getStore = (): Promise<ObjectStore> => {
    store ??= options.store ? Promise.resolve(options.store) : storeFromFolder(assetsDir);
    return store;
  };
  const storeUrl = (): string => {
    const url = options.storeUrl ?? server.address?.url;
    if (url === undefined)
      throw new Error('no storeUrl: the demo is not started and none was given');
    return url.replace(/\/+$/, '');
  };

  const table: RouteTableSpec = [
    ...Object.entries(PAGE_FILES).map(
      ([path, name]) =>
        [path, 'GET', pageHandler(publicDir, name), { name: `page ${name}` }] as const,
    ),
    ['/range', 'GET', rangeHandler(logger), { name: 'range' }],
    ['/files/:name', 'GET', filesHandler(assetsDir), { name: 'files' }],
    ['/download/:name', 'GET', filesHandler(assetsDir, true), { name: 'download' }],
    ['/store/:key', 'GET', storeHandler(getStore), { name: 'store' }],
    ['/image/:key', 'GET', imageHandler(storeUrl, logger), { name: 'image' }],
    ['/report', 'GET', reportHandler(logger, options.report ?? {}), { name: 'report' }],
    ['/low-level', 'GET', lowLevelInterceptors(options.lowLevel), { name: 'low-level' }],
    ['/events/clock', 'GET', clockStream(options.clock), { name: 'clock' }],
    ['/chat/messages', 'POST', postMessageHandler(hub), { name: 'chat-post' }],
    ['/chat/events', 'GET', chatEvents(hub, chatLog, options.chat), { name: 'chat-events' }],
    ...(options.routes ?? []),
  ];
  const service: Interceptor<any>[] = [
    requestLog(logger),
    queryParams,
    demoCompression(),
    router(table),
  ];
  const server = createServer(service, {
    port: options.port ?? 8080,
    host: options.host ?? 'localhost',
    logger,
  });

  return {
    service,
    hub,
    chatLog,
    server,
    start: () => server.start(),
    stop: (stopOptions) => server.stop(stopOptions),
  };
}
