import { createHash } from 'node:crypto';
import type { Stats } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';

// One hash per version of a file (device, inode, size, modification time): a file
// that changes gets a new key, so a stale tag is never served. Bounded: the oldest
// entries go first.
const MAX_ENTRIES = 4096;
const cache = new Map<string, Promise<string>>();

/**
 * The strong ETag of a file's bytes: SHA-256, base64url, computed once per version
 * and cached. Reads through `handle` when the caller holds one, else opens the file.
 *
 * @internal
 */
export function strongEtag(
  path: string,
  stats: Stats,
  handle: FileHandle | undefined,
): Promise<string> {
  const key = `${stats.dev}:${stats.ino}:${stats.size}:${stats.mtimeMs}`;
  let tag = cache.get(key);
  if (tag === undefined) {
    tag = hashFile(path, stats.size, handle);
    cache.set(key, tag);
    if (cache.size > MAX_ENTRIES) cache.delete(cache.keys().next().value!);
    // A failure is not cached: the next request tries again.
    tag.catch(() => cache.delete(key));
  }
  return tag;
}

async function hashFile(path: string, size: number, held: FileHandle | undefined): Promise<string> {
  const handle = held ?? (await open(path, 'r'));
  try {
    const hash = createHash('sha256');
    const buffer = Buffer.allocUnsafe(Math.min(size, 1024 * 1024) || 1);
    let position = 0;
    while (position < size) {
      const { bytesRead } = await handle.read(
        buffer,
        0,
        Math.min(buffer.length, size - position),
        position,
      );
      if (bytesRead === 0) break;
      hash.update(buffer.subarray(0, bytesRead));
      position += bytesRead;
    }
    return `"${hash.digest('base64url')}"`;
  } finally {
    if (held === undefined) await handle.close().catch(() => {});
  }
}
