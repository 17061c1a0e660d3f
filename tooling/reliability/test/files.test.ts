// Issue 9, "Bad input: file serving": traversal (`..`, `%2e%2e`, `%2f`, backslashes,
// absolute paths, NUL, overlong UTF-8, symlinks out of the root), fixed cases and
// fuzzed with fast-check, over HTTP/1.1 (raw socket, the target byte for byte) and
// h2c, against a file route built the way an application builds one: @plinth/router
// path parameters, a resolver that follows symlinks and checks the real path, and
// @plinth/body-writer's file(). Nothing outside the root is ever served.
//
// RELIABILITY_MUTANT=naive-files swaps in the resolver most tutorials show
// (`join(root, name)` and nothing else): the test then fails, as it must.
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { realpath } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative, sep } from 'node:path';
import { file } from '@plinth/body-writer';
import { router } from '@plinth/router';
import type { Request, Response } from '@plinth/writeable-body';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from './support/clients';
import { runSeed } from './support/random';
import { errorLines, PROTOCOLS, type Served, serve } from './support/server';

const seed = runSeed();
const RUNS = Number(process.env.RELIABILITY_FUZZ_RUNS ?? 500);
const MUTANT = process.env.RELIABILITY_MUTANT === 'naive-files';
console.log(
  `files: fast-check seed ${seed} (replay with RELIABILITY_SEED=${seed}), ${RUNS} runs${MUTANT ? '; MUTANT naive-files: this file must fail' : ''}`,
);

// tmp/outside/secret.txt, tmp/outside/dir/secret2.txt, and the served root with
// symlinks that point out of it (and one that stays in).
const base = realpathSync(mkdtempSync(join(tmpdir(), 'plinth-files-')));
const SECRET = `secret-${process.pid}-${Date.now()}`;
const outside = join(base, 'outside');
const ROOT = join(base, 'root');
mkdirSync(join(outside, 'dir'), { recursive: true });
mkdirSync(join(ROOT, 'sub'), { recursive: true });
writeFileSync(join(outside, 'secret.txt'), SECRET);
writeFileSync(join(outside, 'dir', 'secret2.txt'), SECRET);
writeFileSync(join(ROOT, 'hello.txt'), 'hello');
writeFileSync(join(ROOT, 'sub', 'inner.txt'), 'inner');
symlinkSync(join(outside, 'secret.txt'), join(ROOT, 'link-out.txt'));
symlinkSync('../outside/dir', join(ROOT, 'link-dir'));
symlinkSync('hello.txt', join(ROOT, 'link-in.txt'));
const SECRET_ABS = join(outside, 'secret.txt');
const PASSWD = (() => {
  try {
    return readFileSync('/etc/passwd', 'utf8');
  } catch {
    return undefined;
  }
})();
const SERVED = new Set(['hello', 'inner']);

/** The resolver an application writes: the real path (symlinks followed) must be inside the real root. */
async function resolveInRoot(root: string, name: string): Promise<string | undefined> {
  if (name.includes('\0')) return undefined;
  try {
    const realRoot = await realpath(root);
    const real = await realpath(join(realRoot, name));
    const rel = relative(realRoot, real);
    if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel))
      return undefined;
    return real;
  } catch {
    return undefined; // ENOENT, ENOTDIR, ELOOP: not found, to the client
  }
}

async function serveFile(name: string): Promise<Response> {
  const path = MUTANT ? join(ROOT, name) : await resolveInRoot(ROOT, name);
  if (path === undefined) return { status: 404, body: `No file named ${JSON.stringify(name)}\n` };
  return { status: 200, body: file(path) };
}

function service() {
  return [
    router([
      ['/files/*path', 'GET', (req: Request) => serveFile(req.pathParams!.path!)],
      ['/one/:name', 'GET', (req: Request) => serveFile(req.pathParams!.name!)],
    ]),
  ];
}

const servers: Record<'h1' | 'h2', Served> = {} as never;
beforeAll(async () => {
  servers.h1 = await serve(service());
  servers.h2 = await serve(service(), { http2: true });
});
afterAll(async () => {
  await servers.h1.stop();
  await servers.h2.stop();
});

const tally = { requests: 0, served: 0, refused: 0 };

async function probe(http2: boolean, target: string): Promise<{ status: number; body: string }> {
  const r = await request(http2, (http2 ? servers.h2 : servers.h1).port, target);
  tally.requests++;
  const body = r.body.toString('utf8');
  const where = `${http2 ? 'h2c' : 'HTTP/1.1'} ${JSON.stringify(target)}`;
  expect(body, `${where} served the secret`).not.toContain(SECRET);
  if (PASSWD !== undefined && PASSWD.length > 0)
    expect(body, `${where} served /etc/passwd`).not.toBe(PASSWD);
  expect([200, 400, 404], `${where} answered ${r.status}: ${body.slice(0, 100)}`).toContain(
    r.status,
  );
  if (r.status === 200) {
    expect(SERVED.has(body), `${where} served ${JSON.stringify(body.slice(0, 40))}`).toBe(true);
    tally.served++;
  } else {
    tally.refused++;
  }
  return { status: r.status, body };
}

const enc = encodeURIComponent;
const TRAVERSALS: readonly string[] = [
  '/files/../outside/secret.txt',
  '/files/../../outside/secret.txt',
  '/files/%2e%2e/outside/secret.txt',
  '/files/%2E%2E/outside/secret.txt',
  '/files/.%2e/outside/secret.txt',
  '/files/%2e%2e%2foutside%2fsecret.txt',
  '/files/..%2foutside%2fsecret.txt',
  '/files/sub/..%2f..%2foutside%2fsecret.txt',
  '/files/sub/../../outside/secret.txt',
  '/files/..%5coutside%5csecret.txt',
  '/files/..\\outside\\secret.txt',
  '/files/%252e%252e/outside/secret.txt',
  '/files/%c0%ae%c0%ae/outside/secret.txt',
  '/files/%e0%80%ae%e0%80%ae/outside/secret.txt',
  `/files/${SECRET_ABS}`,
  `/files/${enc(SECRET_ABS)}`,
  `/files//${SECRET_ABS}`,
  '/files//etc/passwd',
  '/files/%2fetc%2fpasswd',
  '/files/link-out.txt',
  '/files/link-dir/secret2.txt',
  '/files/link-dir%2fsecret2.txt',
  '/files/hello.txt%00.png',
  '/files/%00',
  '/files/',
  '/files/.',
  '/files/..',
  '/one/..',
  '/one/%2e%2e',
  '/one/..%2foutside%2fsecret.txt',
  `/one/${enc(SECRET_ABS)}`,
  '/one/link-out.txt',
  '/one/link-dir%2fsecret2.txt',
];

describe.each(PROTOCOLS)('file traversal over $name', ({ http2 }) => {
  it.each(TRAVERSALS)('%s stays in the root', async (target) => {
    const { status } = await probe(http2, target);
    expect(status).not.toBe(200);
  });

  it.each([
    ['/files/hello.txt', 'hello'],
    ['/files/sub/inner.txt', 'inner'],
    ['/files/link-in.txt', 'hello'],
    ['/files/sub/../hello.txt', 'hello'],
    ['/files/sub%2finner.txt', 'inner'],
    ['/one/hello.txt', 'hello'],
  ])('%s is served', async (target, content) => {
    const { status, body } = await probe(http2, target);
    expect(status).toBe(200);
    expect(body).toBe(content);
  });

  it(`fuzzed targets (${RUNS} runs) never leave the root`, async () => {
    const segment = fc.constantFrom(
      '..',
      '.',
      '%2e%2e',
      '%2E%2e',
      '.%2e',
      '%2f',
      '%5c',
      '\\',
      '%00',
      '%c0%ae',
      '%252e',
      '',
      'outside',
      'secret.txt',
      'secret2.txt',
      'link-out.txt',
      'link-dir',
      'link-in.txt',
      'hello.txt',
      'sub',
      'dir',
      'etc',
      'passwd',
      enc(SECRET_ABS),
      SECRET_ABS.slice(1),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('/files/', '/one/'),
        fc.array(fc.tuple(segment, fc.constantFrom('/', '%2f', '%2F', '\\', '%5c', '')), {
          maxLength: 7,
        }),
        async (prefix, parts) => {
          await probe(http2, prefix + parts.map(([s, j]) => s + j).join(''));
        },
      ),
      { numRuns: RUNS, seed: seed + (http2 ? 1 : 0) },
    );
    expect(errorLines(http2 ? servers.h2.logger : servers.h1.logger)).toEqual([]);
  });
});

afterAll(() => {
  console.log(
    `files: ${tally.requests} requests (${tally.served} served from the root, ${tally.refused} refused with 400/404); the secret outside the root was never served`,
  );
});
