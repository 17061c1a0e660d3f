import { readdir, readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { Request, Response } from '@plinth/writeable-body';

/** An object in the {@link ObjectStore}: bytes and their type. */
export interface StoredObject {
  /** The object's content. */
  readonly bytes: Uint8Array;
  /** Its media type, sent as Content-Type. */
  readonly contentType: string;
}

/**
 * The object store `/store/:key` plays (think of an S3 bucket): keys to objects.
 * Implement it to serve from somewhere else; the demo's is {@link memoryStore}.
 */
export interface ObjectStore {
  /** The object under `key`, or `undefined`. */
  get(key: string): StoredObject | undefined | Promise<StoredObject | undefined>;
}

/** An {@link ObjectStore} held in memory, with `put` to fill it. */
export interface MemoryStore extends ObjectStore {
  /** Stores (or replaces) an object. */
  put(key: string, object: StoredObject): void;
  /** The keys, in insertion order. */
  keys(): string[];
}

/**
 * An object store in memory.
 *
 * @example
 * ```ts
 * const store = memoryStore([['hello.txt', { bytes: Buffer.from('hi'), contentType: 'text/plain' }]]);
 * createDemo({ store });
 * ```
 */
export function memoryStore(entries: Iterable<readonly [string, StoredObject]> = []): MemoryStore {
  const objects = new Map<string, StoredObject>(entries);
  return {
    get: (key) => objects.get(key),
    put: (key, object) => {
      objects.set(key, object);
    },
    keys: () => [...objects.keys()],
  };
}

// The few types the demo's assets have; anything else is application/octet-stream.
const TYPES: Record<string, string> = {
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.txt': 'text/plain; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
};

/**
 * A {@link memoryStore} filled with every regular file of `dir` (read from disk
 * once), keyed by file name: the demo's default store, seeded from its assets.
 *
 * @example
 * ```ts
 * const store = await storeFromFolder('./assets'); // keys: plinth.png, hello.txt, …
 * ```
 */
export async function storeFromFolder(dir: string): Promise<MemoryStore> {
  const store = memoryStore();
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (!entry.isFile() || entry.name.startsWith('.')) continue;
    store.put(entry.name, {
      bytes: await readFile(join(dir, entry.name)),
      contentType: TYPES[extname(entry.name).toLowerCase()] ?? 'application/octet-stream',
    });
  }
  return store;
}

/**
 * `GET /store/:key` (and HEAD): the bytes of an object with its type; the
 * body-writer sets Content-Length from the byte length.
 * @internal
 */
export function storeHandler(
  store: () => Promise<ObjectStore>,
): (request: Request) => Promise<Response> {
  return async (request) => {
    const key = request.pathParams?.key ?? '';
    const object = await (await store()).get(key);
    if (!object) {
      return {
        status: 404,
        headers: { 'content-type': 'text/plain; charset=utf-8' },
        body: `no object under the key ${JSON.stringify(key)}\n`,
      };
    }
    return {
      status: 200,
      headers: { 'content-type': object.contentType },
      body: object.bytes,
    };
  };
}
