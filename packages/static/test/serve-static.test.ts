// serveStatic over a real socket: directories, and never a byte from outside the
// root (traversal, encoded slashes, NUL, backslashes, symbolic links, dotfiles).
import { execFileSync } from 'node:child_process';
import { chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveStatic } from '../src/index';
import { fixtureDir, request, serve, symlink } from './helpers';

const SECRET = 'TOP-SECRET-OUTSIDE-THE-ROOT';

let fixture: Awaited<ReturnType<typeof fixtureDir>>;
let url: string;
let stop: () => Promise<void>;
let errors: () => unknown[];

beforeAll(async () => {
  fixture = await fixtureDir({
    '../secret.txt': SECRET,
    '../outside/file.txt': SECRET,
    'a.txt': 'inside',
    'sub/b.txt': 'in sub',
    'sub/index.html': '<p>sub index</p>',
    'docs/readme.txt': 'docs',
    'docs/<b>&"q".txt': 'odd name',
    'evil.example/dir/index.html': 'evil dir',
    '.env': 'SECRET=1',
    '.git/config': '[core]',
    'index.html': '<p>root index</p>',
  });
  const { root, dir } = fixture;
  await symlink(join(root, 'a.txt'), join(root, 'link-in.txt'));
  await symlink(join(dir, 'secret.txt'), join(root, 'link-out.txt'));
  await symlink(join(dir, 'outside'), join(root, 'dir-out'));
  const at = (prefix: string, options: Parameters<typeof serveStatic>[1] = {}) =>
    serveStatic(root, { ...options, prefix });
  const started = await serve([
    at('/s'),
    at('/follow', { followSymlinks: true }),
    at('/deny', { dotfiles: 'deny' }),
    at('/allow', { dotfiles: 'allow' }),
    at('/noindex', { index: false, redirect: false }),
    at('/list', { index: false, listing: true }),
    at('/through', { fallthrough: true }),
    serveStatic(root, { fallthrough: true }), // at the root of the URL space
    () => ({ status: 418, body: 'fell through' }),
  ]);
  url = started.url;
  stop = () => started.server.stop({ graceMs: 100 });
  errors = () => started.logger.errors();
});

afterAll(async () => {
  await stop?.();
  await fixture?.cleanup();
});

const get = (path: string, method = 'GET') => request(url, path, { method });

describe('directories', () => {
  it('serves index.html for a directory path with its slash', async () => {
    const res = await get('/s/sub/');
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe('<p>sub index</p>');
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect((await get('/s/')).body.toString()).toBe('<p>root index</p>');
    expect((await get('/s')).status).toBe(301); // the mount point itself is a directory
  });

  it('redirects /dir to /dir/ with 301, keeping the query', async () => {
    const res = await get('/s/sub?x=1&y=%20');
    expect(res.status).toBe(301);
    expect(res.headers.location).toBe('/s/sub/?x=1&y=%20');
  });

  it('never redirects to another host (//host/dir)', async () => {
    const res = await get('//evil.example/dir');
    expect(res.status).toBe(301);
    expect(res.headers.location).toBe('/evil.example/dir/');
  });

  it('a file is not served under a directory name (trailing slash)', async () => {
    expect((await get('/s/a.txt/')).status).toBe(404);
  });

  it('lists nothing by default; 404 without index or redirect', async () => {
    expect((await get('/s/docs/')).status).toBe(404);
    expect((await get('/noindex/sub/')).status).toBe(404);
    expect((await get('/noindex/sub')).status).toBe(404);
  });

  it('lists a directory when asked, names HTML-escaped and links encoded', async () => {
    const res = await get('/list/docs/');
    expect(res.status).toBe(200);
    const html = res.body.toString();
    expect(html).toContain('&lt;b&gt;&amp;&quot;q&quot;.txt');
    expect(html).not.toContain('<b>');
    expect(html).toContain('href="%3Cb%3E%26%22q%22.txt"');
    expect(html).toContain('href="readme.txt"');
  });
});

describe('safety: never a byte from outside the root', () => {
  const attempts: [string, number][] = [
    ['/s/../secret.txt', 403],
    ['/s/%2e%2e/secret.txt', 403],
    ['/s/%2E%2E/secret.txt', 403],
    ['/s/sub/%2e%2e/%2e%2e/secret.txt', 403],
    ['/s/..%2fsecret.txt', 403],
    ['/s/..%2Fsecret.txt', 403],
    ['/s/sub%2f..%2f..%2fsecret.txt', 403],
    ['/s/..%5csecret.txt', 403],
    ['/s/..\\secret.txt', 403],
    ['/s/a.txt%00', 403],
    ['/s/a.txt%00.html', 403],
    ['/s/%252e%252e/secret.txt', 404], // decoded once: a file literally named "%2e%2e"
    ['/s/./a.txt', 403],
    ['/s/%zz', 400],
    ['/s/%c0%ae%c0%ae/secret.txt', 400], // overlong UTF-8 is not a dot
    ['/s/link-out.txt', 403],
    ['/s/dir-out/file.txt', 403],
    ['/s/.env', 404],
    ['/s/.git/config', 404],
    ['/s/sub/.%65nv', 404],
  ];
  for (const [path, status] of attempts) {
    it(`${path} → ${status}`, async () => {
      const res = await get(path);
      expect(res.status).toBe(status);
      expect(res.body.toString()).not.toContain(SECRET);
    });
  }

  it('logs no error for any of them (none is a 500)', () => {
    expect(errors()).toEqual([]);
  });

  it('follows links inside the root, and outside only when allowed', async () => {
    expect((await get('/s/link-in.txt')).body.toString()).toBe('inside');
    const out = await get('/follow/link-out.txt');
    expect(out.status).toBe(200);
    expect(out.body.toString()).toBe(SECRET);
  });

  it('dotfiles: deny gives 403, allow serves them', async () => {
    expect((await get('/deny/.env')).status).toBe(403);
    expect((await get('/allow/.env')).body.toString()).toBe('SECRET=1');
  });

  it('a FIFO in the tree is not opened for reading (no hang), it is a 404', async () => {
    execFileSync('mkfifo', [join(fixture.root, 'pipe')]);
    const res = await get('/s/pipe');
    expect(res.status).toBe(404);
  });
});

describe('misses and methods', () => {
  it('ENOENT and ENOTDIR give 404', async () => {
    expect((await get('/s/nope.txt')).status).toBe(404);
    expect((await get('/s/a.txt/more')).status).toBe(404);
  });

  it('falls through to the next interceptor when asked', async () => {
    const res = await get('/through/nope.txt');
    expect(res.status).toBe(418);
    expect((await get('/through/a.txt')).body.toString()).toBe('inside');
    expect((await get('/through/a.txt', 'POST')).status).toBe(418);
  });

  it('leaves paths outside its prefix alone', async () => {
    expect((await get('/sx/a.txt')).status).toBe(418); // the root-mounted one finds no "sx" either
    expect((await get('/a.txt')).body.toString()).toBe('inside');
  });

  it('answers other methods with 405 and Allow', async () => {
    const res = await get('/s/a.txt', 'DELETE');
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('GET, HEAD');
  });

  it.skipIf(process.getuid?.() === 0)('EACCES gives 403', async () => {
    const path = join(fixture.root, 'locked.txt');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(path, 'locked');
    await chmod(path, 0);
    expect((await get('/s/locked.txt')).status).toBe(403);
  });
  if (process.getuid?.() === 0) {
    console.warn(
      '[static] EACCES over a socket skipped: running as root, which reads any file; the mapping is unit-tested in errno.test.ts',
    );
  }
});
