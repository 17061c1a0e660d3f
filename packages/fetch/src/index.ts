// @plinth/fetch: the Fetch-API adapter of Plinth, for Bun, Deno and workers.

export type { HttpContext, Request, Responder, Response } from '@plinth/writeable-body';
// Low-level streaming (delegating to the adapter's Responder on the context)
export {
  endResponse,
  RESPONDER,
  responseSent,
  writeResponse,
  writeResponseBody,
} from '@plinth/writeable-body';
export type { FetchAdapterErrorCode, FetchAdapterErrorOptions } from './errors';
// Errors
export { FetchAdapterError, isFetchAdapterError } from './errors';
export type { FetchApp, FetchHandler, FetchHandlerOptions, Service } from './handler';
// Serving
export { fetchApp, fetchHandler } from './handler';
export type { Logger } from './logger';
export { DEFAULT_BODY_LIMIT } from './request';
