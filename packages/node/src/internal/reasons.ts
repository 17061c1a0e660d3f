import type { AbortReason } from '@plinth/writeable-body';
import { NodeAdapterError } from '../errors';

const MESSAGES: Record<AbortReason, string> = {
  CLIENT_DISCONNECT: 'The client closed the connection before the response ended',
  SERVER_STOP: 'The server is stopping',
  BODY_ERROR: 'The response body failed after the response started',
  ABORTED: 'The response was aborted',
  TIMEOUT: 'The request handler did not start a response within handlerTimeout',
};

/**
 * The error a response's signal aborts with; `code` says why.
 * @internal
 */
export function abortReason(code: AbortReason, cause?: unknown): NodeAdapterError {
  return new NodeAdapterError(code, MESSAGES[code], { cause });
}

/** @internal */
export function reasonCode(reason: unknown): AbortReason | undefined {
  return NodeAdapterError.isError(reason) ? (reason.code as AbortReason) : undefined;
}
