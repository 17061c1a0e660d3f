import { isWriteableBody, type WriteableBody } from '@plinth/writeable-body';

function noop(): void {}

// The same rule as @plinth/node's discard (its internal module, not importable
// from here): every body gets exactly one of writeBody or this.

/**
 * A body that will not be written is given up: a prepared body is released, and a
 * stream the application opened is destroyed or cancelled.
 * @internal
 */
export function discard(original: unknown, body?: WriteableBody): void {
  const writeable = body ?? (isWriteableBody(original) ? original : undefined);
  if (writeable !== undefined && typeof writeable.release === 'function') {
    try {
      writeable.release();
    } catch {
      // Best effort: the response is not written either way.
    }
  }
  if (original === null || typeof original !== 'object') return;
  try {
    const stream = original as { destroy?: unknown; cancel?: unknown; locked?: unknown };
    if (typeof stream.destroy === 'function') (stream.destroy as () => void).call(original);
    else if (typeof stream.cancel === 'function' && stream.locked === false) {
      (stream.cancel as () => Promise<void>).call(original).catch(noop);
    }
  } catch {
    // Best effort.
  }
}
