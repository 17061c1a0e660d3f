import { createHash } from 'node:crypto';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { strongEtag } from './strong-etag';

it('hashes a file once per version, and anew when it changes', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'plinth-etag-'));
  try {
    const path = join(dir, 'f');
    await writeFile(path, 'one');
    const first = strongEtag(path, await stat(path), undefined);
    expect(strongEtag(path, await stat(path), undefined)).toBe(first); // the same promise: cached
    const tag = await first;
    expect(tag).toBe(`"${createHash('sha256').update('one').digest('base64url')}"`);
    await writeFile(path, 'two, longer');
    expect(await strongEtag(path, await stat(path), undefined)).not.toBe(tag);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
