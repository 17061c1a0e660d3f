// The one rule both adapters follow for a body that will not be written: it lives
// here so that @plinth/node and @plinth/fetch give bodies up the same way.
import { isWriteableBody, type WriteableBody } from '../writeable-body';

function noop(): void {}

/**
 * A body that will not be written is given up: a prepared body (or a `WriteableBody`
 * the application made) is released, and a stream the application opened is
 * destroyed or cancelled (an fs.ReadStream holds a descriptor), so HEAD, 204, 304 and
 * a response refused before its headers leak nothing. Every body gets exactly one of
 * `writeBody` or this. `original` is what the application passed, `body` what it
 * became, when it got that far. Best effort: it never throws.
 * @internal Shared by Plinth's adapters; not for applications to rely on.
 */
export function discardBody(original: unknown, body?: WriteableBody): void {
  const writeable = body ?? (isWriteableBody(original) ? original : undefined);
  if (writeable !== undefined && typeof writeable.release === 'function') {
    try {
      writeable.release();
    } catch {
      // Releasing is best effort: the response is not written either way.
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
    // Best effort: the response goes out without the body either way.
  }
}
