// @plinth/writeable-body: the shared contract between Plinth packages and plugins.

export type { AbortReason, BodySink } from './body-sink';
// Helpers shared by Plinth's packages (@internal: not for applications)
export { describeValue, isCodedError, isThenable, TEXT_PLAIN_UTF8 } from './helpers';
export { clientErrorStatus, clientErrorText, errorMessage } from './internal/client-error';
export { discardBody } from './internal/discard-body';
export { jsonLogLine } from './internal/log-line';
// Request and response shapes
export type { ReadBodyOptions, Request, RequestBody, RequestHeaders } from './request';
export type { HttpContext, Responder } from './responder';
// Low-level streaming, through whatever adapter serves the context
export {
  endResponse,
  findResponder,
  RESPONDER,
  responseSent,
  WRAPPED_RESPONDER,
  writeResponse,
  writeResponseBody,
} from './responder';
export type { HeaderValue, Response, ResponseHeaders } from './response';
export type { WriteableBody, WriteableBodySpec } from './writeable-body';
// Bodies
export { isWriteableBody, WRITEABLE_BODY, writeableBody } from './writeable-body';
