import type { AbortReason } from '@plinth/writeable-body';
import type { CloseCode, CloseReason } from '../errors';

// Every reason the adapter aborts with, as a value. Typed as a record over the
// adapter's own type, so the compiler fails here when that type gains or loses one:
// the list is derived, not kept in step by hand.
const ADAPTER_REASONS: { readonly [code in AbortReason]: true } = {
  CLIENT_DISCONNECT: true,
  SERVER_STOP: true,
  BODY_ERROR: true,
  ABORTED: true,
  TIMEOUT: true,
};

/** @internal Why the adapter aborted, from its signal (`reason.code`); `ABORTED` when it does not say. */
export function reasonFromSignal(signal: AbortSignal): CloseReason {
  const cause = signal.reason as { code?: unknown } | undefined;
  const code: CloseCode =
    typeof cause?.code === 'string' && Object.hasOwn(ADAPTER_REASONS, cause.code)
      ? (cause.code as AbortReason)
      : 'ABORTED';
  return { code, error: signal.reason };
}
