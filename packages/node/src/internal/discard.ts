import { isWriteableBody, type WriteableBody } from '@plinth/writeable-body';
import { noop } from './promises';

function releaseBody(body: WriteableBody | undefined): void {
  if (body === undefined || typeof body.release !== 'function') return;
  try {
    body.release();
  } catch {
    // Releasing is best effort: the response is not written either way.
  }
}

/**
 * A body that will not be written is given up: a prepared body (or a `WriteableBody`
 * the application made) is released, and a stream the application opened is
 * destroyed or cancelled (an fs.ReadStream holds a descriptor), so HEAD, 204, 304 and
 * a response refused before its headers leak nothing. Every body gets exactly one of
 * `writeBody` or this. `original` is what the application passed, `body` what it
 * became, when it got that far.
 * @internal
 */
export function discard(original: unknown, body?: WriteableBody): void {
  releaseBody(body ?? (isWriteableBody(original) ? original : undefined));
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
