// main.ts as `pnpm start` runs it: bundled (as the build does) and started with
// plain node, PORT=0, then stopped with SIGTERM.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { type IncomingMessage, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSse, withTimeout } from '../test/helpers';

const appDir = fileURLToPath(new URL('..', import.meta.url));
// Inside the app folder (gitignored), so the bundle resolves the app's dependencies
// and finds assets/ and public/ at ../ as dist/main.mjs does.
const outfile = `${appDir}test-artifacts/main.mjs`;

interface Running {
  readonly url: string;
  output(): string;
  waitForOutput(text: string): Promise<void>;
  /** Sends SIGTERM and resolves with the exit code. */
  stop(): Promise<number | null>;
}

const children = new Set<ChildProcess>();

async function startMain(env: Record<string, string>): Promise<Running> {
  const child = spawn(process.execPath, [outfile], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let output = '';
  const listeners = new Set<() => void>();
  const onData = (chunk: string) => {
    output += chunk;
    for (const listener of [...listeners]) listener();
  };
  child.stdout!.setEncoding('utf8').on('data', onData);
  child.stderr!.setEncoding('utf8').on('data', onData);
  const exited = once(child, 'exit') as Promise<[number | null]>;
  const waitForOutput = (text: string) =>
    withTimeout(
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (output.includes(text)) {
            listeners.delete(check);
            resolve();
          }
        };
        listeners.add(check);
        check();
        void exited.then(() => reject(new Error(`main exited first:\n${output}`)));
      }),
      10_000,
      `${JSON.stringify(text)} in the output`,
    );
  await waitForOutput('listening on ');
  const url = /listening on (http:\/\/\S+)/.exec(output)![1]!;
  return {
    url,
    output: () => output,
    waitForOutput,
    async stop() {
      child.kill('SIGTERM');
      const [code] = await withTimeout(exited, 10_000, 'the demo to exit');
      children.delete(child);
      return code;
    },
  };
}

describe('main (node dist/main.mjs)', () => {
  let dataDir: string;
  beforeAll(async () => {
    await mkdir(`${appDir}test-artifacts`, { recursive: true });
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
    dataDir = await mkdtemp(join(tmpdir(), 'plinth-demo-main-'));
  });
  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  });

  it('listens on PORT/HOST, logs each request, and stops gracefully on SIGTERM', async () => {
    const main = await startMain({ CHAT_LOG: join(dataDir, 'a.jsonl') });
    expect(main.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await (await fetch(`${main.url}/range?limit=3`)).json()).toEqual([0, 1, 2]);
    await main.waitForOutput('GET /range?limit=3 200');
    expect(await main.stop()).toBe(0);
    expect(main.output()).toContain('SIGTERM: stopping');
    expect(main.output()).toMatch(/demo stopped\n$/);
  });

  it('keeps the chat history in CHAT_LOG across a restart', async () => {
    const env = { CHAT_LOG: join(dataDir, 'b.jsonl') };
    const first = await startMain(env);
    const posted = await fetch(`${first.url}/chat/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: 'ada', text: 'before the restart' }),
    });
    const { id } = (await posted.json()) as { id: string };
    expect(await first.stop()).toBe(0);

    const second = await startMain(env);
    const sse = await openSse(`${second.url}/chat/events`, { 'last-event-id': '0' });
    try {
      await sse.until((r) => r.events.length >= 1);
      expect(sse.events[0]!.id).toBe(id);
      expect(JSON.parse(sse.events[0]!.data)).toMatchObject({ text: 'before the restart' });
    } finally {
      sse.close();
    }
    expect(await second.stop()).toBe(0);
  });

  it('keeps answering other requests while a fast client downloads /range?limit=100000000', async () => {
    // The server runs in its own process, so a starved event loop there cannot
    // stall this test's timers.
    const main = await startMain({ CHAT_LOG: join(dataDir, 'd.jsonl') });
    const big = request(`${main.url}/range?limit=100000000`, { agent: false });
    big.on('error', () => {});
    const response = await new Promise<IncomingMessage>((resolve) => {
      big.once('response', resolve);
      big.end();
    });
    let received = 0;
    response.on('data', (chunk: Buffer) => {
      received += chunk.length; // read as fast as possible
    });
    await withTimeout(
      new Promise<void>((resolve) => {
        const check = () => received > 4 * 1024 * 1024 && resolve();
        response.on('data', check);
      }),
      10_000,
      'the first 4 MiB',
    );
    try {
      const small = await fetch(`${main.url}/range?limit=1`, {
        signal: AbortSignal.timeout(3000),
      }).catch((error: unknown) => {
        // Seen when the producer of the big response never yields to the event loop
        // because the socket accepts every write at once (loopback, fast reader).
        throw new Error(
          'the server did not answer GET /range?limit=1 within 3 s while another client read /range?limit=100000000 as fast as it could: the event loop is starved',
          { cause: error },
        );
      });
      expect(await small.json()).toEqual([0]);
    } finally {
      big.destroy();
      expect(await main.stop()).toBe(0);
    }
  });

  it('refuses a bad PORT with a message naming it', async () => {
    const child = spawn(process.execPath, [outfile], {
      env: { ...process.env, PORT: 'eighty', CHAT_LOG: join(dataDir, 'c.jsonl') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const [code] = await withTimeout(once(child, 'exit'), 10_000, 'the demo to exit');
    expect(code).toBe(2);
    expect(stderr).toContain('PORT must be an integer from 0 to 65535, got "eighty"');
  });
});
