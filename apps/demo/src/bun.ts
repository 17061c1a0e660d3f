// `pnpm --filter @plinth/demo start:bun` (bun src/bun.ts): the same demo, every
// route and stream of createDemo, served by Bun.serve through @plinth/fetch
// instead of @plinth/node (issue 20). PORT/HOST as for `pnpm start`; the chat
// history lives in CHAT_LOG (default .data/chat-log.jsonl).
import { fileURLToPath } from 'node:url';
import { fetchHandler } from '@plinth/fetch';
import { createDemo, type DemoOptions } from './demo';
import { fileEventLog } from './file-event-log';
import { readableLogger } from './logger';

declare const Bun: {
  serve(options: {
    port: number;
    hostname: string;
    idleTimeout: number;
    fetch: (request: Request, server: unknown) => Response | Promise<Response>;
  }): { port: number; url: URL; stop(closeActive?: boolean): Promise<void> };
};

const logger = readableLogger();
const host = process.env.HOST || 'localhost';
const port =
  process.env.PORT === undefined || process.env.PORT === '' ? 8080 : Number(process.env.PORT);
const options: DemoOptions = {
  port,
  host,
  chatLog: await fileEventLog(
    process.env.CHAT_LOG || fileURLToPath(new URL('../.data/chat-log.jsonl', import.meta.url)),
  ),
  logger,
  // The Node server createDemo makes is never started: its address is unknown, so
  // /image fetches /store from this server, once it listens (below).
  storeUrl: process.env.STORE_URL || undefined,
};
const demo = createDemo(options);
const server = Bun.serve({
  port,
  hostname: host,
  // Event streams stay open between heartbeats; Bun's 10 s default would cut them.
  idleTimeout: 0,
  fetch: fetchHandler(demo.service, { logger }),
});
const url = `http://${host}:${server.port}`;
options.storeUrl ??= url;
logger.info({}, `Plinth demo (Bun, @plinth/fetch) listening on ${url}  (Ctrl+C stops)`);

process.on('SIGTERM', () => {
  void server.stop(true).then(() => process.exit(0));
});
process.on('SIGINT', () => {
  void server.stop(true).then(() => process.exit(0));
});
