import { BodyWriterError } from '../errors';
import { describe } from './describe';

/**
 * Checks that a stream or `text()` source produced a string or bytes.
 * @internal
 */
export function checkChunk(chunk: unknown, what: string): string | Uint8Array {
  if (typeof chunk === 'string' || chunk instanceof Uint8Array) return chunk;
  if (ArrayBuffer.isView(chunk)) {
    return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  }
  throw new BodyWriterError(
    'INVALID_CHUNK',
    `${what} produced ${describe(chunk)}; expected a string or bytes`,
  );
}
