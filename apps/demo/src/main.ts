// `pnpm start` (node dist/main.mjs): starts the demo on PORT/HOST (default
// localhost:8080), logs one line per request, stops gracefully on SIGINT/SIGTERM.
import { fileURLToPath } from 'node:url';
import { createDemo } from './demo';
import { fileEventLog } from './file-event-log';
import { readableLogger } from './logger';
import { startRedisChat } from './redis-chat';
import { setupTelemetry } from './telemetry';

function portFrom(value: string | undefined): number {
  if (value === undefined || value === '') return 8080;
  const port = Number(value);
  if (!/^[0-9]+$/.test(value) || port > 65535) {
    console.error(`PORT must be an integer from 0 to 65535, got ${JSON.stringify(value)}`);
    process.exit(2);
  }
  return port;
}

const logger = readableLogger();
// PLINTH_OTEL=console: spans and metrics on stdout (see the README, "Telemetry").
const telemetry = await setupTelemetry(process.env.PLINTH_OTEL);
const host = process.env.HOST || 'localhost';
// The chat history survives restarts, so a page left open gets what it missed.
const chatLogPath =
  process.env.CHAT_LOG || fileURLToPath(new URL('../.data/chat-log.jsonl', import.meta.url));
// With PLINTH_REDIS_URL the chat is shared by every demo process on that Redis.
const redis = process.env.PLINTH_REDIS_URL
  ? await startRedisChat(process.env.PLINTH_REDIS_URL, logger)
  : undefined;
const demo = createDemo({
  port: portFrom(process.env.PORT),
  host,
  storeUrl: process.env.STORE_URL || undefined,
  chatLog: redis?.chatLog ?? (await fileEventLog(chatLogPath)),
  routes: redis?.routes,
  logger,
});

try {
  const { url, port } = await demo.start();
  // Show the name people type rather than the address it resolved to.
  const shown = host === 'localhost' ? `http://localhost:${port}` : url;
  logger.info({}, `Plinth demo listening on ${shown}  (open it in a browser; Ctrl+C stops)`);
} catch (error) {
  const code = (error as { code?: unknown }).code;
  if (code === 'EADDRINUSE') {
    logger.error({}, 'the port is taken: set PORT to another one, e.g. PORT=8081 pnpm demo');
  } else {
    logger.error({ err: error }, 'the demo could not start');
  }
  process.exit(1);
}

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) {
    logger.warn({}, `${signal} again: exiting now`);
    process.exit(1);
  }
  stopping = true;
  logger.info({}, `${signal}: stopping (open streams are ended, in-flight requests get 5 s)`);
  await demo.stop({ graceMs: 5000 });
  await telemetry?.shutdown();
  logger.info({}, 'demo stopped');
  process.exit(0);
}
process.on('SIGINT', (signal) => void stop(signal));
process.on('SIGTERM', (signal) => void stop(signal));
