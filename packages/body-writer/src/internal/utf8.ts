// The UTF-8 length of a string without `Buffer`, which workers and Deno do not
// have as a global (issue 20). Node's `Buffer.byteLength` is used where it exists:
// it is native and the fast path of every string body on Node.

const nodeBuffer = (globalThis as { Buffer?: { byteLength(text: string, enc: 'utf8'): number } })
  .Buffer;

function countUtf8(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) continue;
    if (unit < 0x800) bytes += 1;
    else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        // A surrogate pair: 4 bytes for 2 units.
        bytes += 2;
        i++;
      } else bytes += 2; // a lone surrogate becomes U+FFFD: 3 bytes
    } else bytes += 2;
  }
  return bytes;
}

/**
 * The number of bytes `text` takes in UTF-8 (a lone surrogate counts as the 3 bytes
 * of U+FFFD, as `TextEncoder` writes it).
 * @internal
 */
export const utf8Length: (text: string) => number =
  nodeBuffer === undefined ? countUtf8 : (text) => nodeBuffer.byteLength(text, 'utf8');

/** @internal Exported for its test: the count used where `Buffer` does not exist. */
export const countUtf8ForTest: (text: string) => number = countUtf8;
