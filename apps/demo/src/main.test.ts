// main.ts as `pnpm start` runs it: bundled (as the build does) and started with
// plain node, PORT=0, then stopped with SIGTERM.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { withTimeout } from '../test/helpers';

const appDir = fileURLToPath(new URL('..', import.meta.url));
// Inside the app folder (gitignored), so the bundle resolves the app's dependencies
// and finds assets/ and public/ at ../ as dist/main.mjs does.
const outDir = `${appDir}test-artifacts/`;

describe('main (node dist/main.mjs)', () => {
  let child: ChildProcess | undefined;
  afterAll(() => {
    child?.kill('SIGKILL');
  });

  it('listens on PORT/HOST, logs each request, and stops gracefully on SIGTERM', async () => {
    await mkdir(outDir, { recursive: true });
    const outfile = `${outDir}main.mjs`;
    await build({
      entryPoints: [`${appDir}src/main.ts`],
      outfile,
      bundle: true,
      packages: 'external',
      platform: 'node',
      format: 'esm',
      target: 'node20',
      logLevel: 'silent',
    });
    child = spawn(process.execPath, [outfile], {
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
    });
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
    });
    const exited = once(child, 'exit');
    const url = await withTimeout(
      new Promise<string>((resolve, reject) => {
        const check = () => {
          const match = /listening on (http:\/\/\S+)/.exec(output);
          if (match) resolve(match[1]!);
        };
        child!.stdout!.on('data', check);
        void exited.then(() => reject(new Error(`main exited early:\n${output}`)));
      }),
      10_000,
      'the demo to listen',
    );
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await (await fetch(`${url}/range?limit=3`)).json()).toEqual([0, 1, 2]);
    await withTimeout(
      new Promise<void>((resolve) => {
        const check = () => output.includes('GET /range?limit=3 200') && resolve();
        check();
        child!.stdout!.on('data', check);
      }),
      5000,
      'the request line',
    );
    child.kill('SIGTERM');
    const [code] = await withTimeout(exited, 10_000, 'the demo to exit');
    expect(code).toBe(0);
    expect(output).toContain('SIGTERM: stopping');
    expect(output).toMatch(/demo stopped\n$/);
  });
});
