import type { AbortReason } from '@plinth/writeable-body';
import { NodeAdapterError } from '../errors';

const MESSAGES: Record<AbortReason, string> = {
  'client-disconnect': 'The client closed the connection before the response ended',
  'server-stop': 'The server is stopping',
  'body-error': 'The response body failed after the response started',
  aborted: 'The response was aborted',
  timeout: 'The request handler did not start a response within handlerTimeout',
};

/**
 * The error a response's signal aborts with; `code` says why.
 * @internal
 */
export function abortReason(code: AbortReason, cause?: unknown): NodeAdapterError {
  return new NodeAdapterError(MESSAGES[code], { code, cause });
}

/** @internal */
export function reasonCode(reason: unknown): AbortReason | undefined {
  return NodeAdapterError.isError(reason) ? (reason.code as AbortReason) : undefined;
}
