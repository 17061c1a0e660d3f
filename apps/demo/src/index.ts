// The demo app: createDemo() for tests and embedding, main.ts to run it.

// Endpoints' building blocks
export type { ChatEventsOptions, ChatMessage } from './chat';
export {
  CHAT_BODY_LIMIT,
  CHAT_HISTORY,
  CHAT_MAX_TEXT,
  CHAT_MAX_USER,
  validateMessage,
} from './chat';
export type { ClockOptions, Tick } from './clock';
export { clockStream } from './clock';
// The app
export type { Demo, DemoOptions } from './demo';
export { createDemo } from './demo';
export type { DemoErrorOptions } from './error';
export { DemoError } from './error';
export type { FileEventLogOptions } from './file-event-log';
export { fileEventLog } from './file-event-log';
export { resolveAsset } from './files';
export type { DemoLogger, ReadableLoggerOptions } from './logger';
export { readableLogger } from './logger';
export type { LowLevelOptions } from './low-level';
export { lowLevelInterceptors } from './low-level';
export { PAGE_FILES } from './page';
export { parseLimit, RANGE_DEFAULT_LIMIT, RANGE_MAX_LIMIT, range } from './range';
export type { ReportOptions } from './report';
export { reportBody } from './report';
export { requestLog } from './request-log';
export type { MemoryStore, ObjectStore, StoredObject } from './store';
export { memoryStore, storeFromFolder } from './store';
