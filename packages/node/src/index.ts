// @plinth/node: the servlet-style Node adapter of Plinth.

export type { HttpContext, Request, Responder, Response } from '@plinth/writeable-body';
// Low-level streaming (delegating to the adapter's Responder on the context)
export {
  endResponse,
  RESPONDER,
  responseSent,
  writeResponse,
  writeResponseBody,
} from '@plinth/writeable-body';
// Diagnostics channels (a stable contract; see the README)
export type { RequestMessage } from './diagnostics';
export { NODE_CHANNELS } from './diagnostics';
export type { NodeAdapterErrorCode, NodeAdapterErrorOptions } from './errors';
// Errors
export { isNodeAdapterError, NodeAdapterError } from './errors';
export type { NodeRequest } from './exchange';
// The adapter's own interceptors (already in front of every service)
export { ringResponse, stylobate, terminator } from './interceptors';
export type { PlinthListener } from './listener';
// Serving
export { requestListener } from './listener';
export type { JsonLoggerOptions, Logger, LogLevel } from './logger';
// Logging
export { jsonLogger } from './logger';
export type { ListenerOptions, ServerOptions, Service, ServiceOptions } from './options';
export { DEFAULT_BODY_LIMIT } from './request';
export type { ResponseSink } from './response-sink';
// The BodySink over a Node response
export { responseSink } from './response-sink';
export type { NodeServer, PlinthServer, ServerAddress, StopOptions } from './server';
export { createServer } from './server';
export type { NodeResponse } from './sink';
