// Out of file descriptors (EMFILE) is a 503 with Retry-After, not a crash: the
// server runs in a child process under `ulimit -n 64` with its table full.
import { spawn } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { fixtureDir } from './helpers';

let fixture: Awaited<ReturnType<typeof fixtureDir>>;

beforeAll(async () => {
  fixture = await fixtureDir({ 'a.txt': 'hello' });
});

afterAll(async () => {
  await fixture?.cleanup();
});

it('answers 503 with Retry-After when the process is out of descriptors', async () => {
  const script = fileURLToPath(new URL('./fixtures/emfile-server.mjs', import.meta.url));
  const child = spawn(
    'sh',
    ['-c', 'ulimit -n 64 && exec "$0" "$@"', process.execPath, script, `${fixture.root}/a.txt`],
    {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  );
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the server did not start')), 10_000);
      child.once('message', (m: { port: number }) => {
        clearTimeout(timer);
        resolve(m.port);
      });
      child.once('exit', (code) => reject(new Error(`the server exited with ${code}`)));
    });
    const answer = await new Promise<{ status: number; retryAfter: unknown; body: string }>(
      (resolve, reject) => {
        http
          .get({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
            let body = '';
            res.on('data', (c) => {
              body += c;
            });
            res.on('end', () =>
              resolve({
                status: res.statusCode ?? 0,
                retryAfter: res.headers['retry-after'],
                body,
              }),
            );
          })
          .on('error', reject);
      },
    );
    expect(answer.status).toBe(503);
    expect(answer.retryAfter).toBe('1');
    expect(child.exitCode).toBeNull(); // still running
  } finally {
    child.send?.('exit');
    child.kill();
  }
});
