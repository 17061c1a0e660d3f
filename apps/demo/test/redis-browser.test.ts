// The chat across two demo processes sharing Redis (PLINTH_REDIS_URL), in a real
// Chromium: a message posted on a page of one process shows on a page of the other;
// a process is killed (SIGKILL) and its page, behind a small TCP "load balancer",
// reconnects to the other process with Last-Event-ID and shows exactly what it missed.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir } from 'node:fs/promises';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, browserRequired, launchBrowser, missingBrowserReason } from './browser';
import { withTimeout } from './helpers';
import { type RedisProcess, redisMissing, startRedis } from './redis';

const missingBrowser = missingBrowserReason();
const missingRedis = redisMissing();
const missing = missingRedis ?? missingBrowser;
if (missing !== undefined && !browserRequired) {
  console.warn(`[demo] cross-process browser test skipped: ${missing}.`);
}

const appDir = fileURLToPath(new URL('..', import.meta.url));
const outfile = `${appDir}test-artifacts/redis-main.mjs`;
const WAIT = { timeout: 15_000 };

interface DemoProcess {
  readonly url: string;
  readonly child: ChildProcess;
}

const children = new Set<ChildProcess>();

async function startDemoProcess(redisUrl: string): Promise<DemoProcess> {
  const child = spawn(process.execPath, [outfile], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', PLINTH_REDIS_URL: redisUrl },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let output = '';
  const listening = new Promise<string>((resolve, reject) => {
    const onData = (chunk: string): void => {
      output += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) resolve(match[1]!);
    };
    child.stdout!.setEncoding('utf8').on('data', onData);
    child.stderr!.setEncoding('utf8').on('data', onData);
    child.once('exit', () => reject(new Error(`the demo exited:\n${output}`)));
  });
  const url = await withTimeout(listening, 15_000, 'the demo to listen');
  return { url, child };
}

/** A TCP proxy standing for a load balancer: forwards to `target`, refuses when it is unset. */
async function balancer(): Promise<{
  url: string;
  route(port: number | undefined): void;
  close(): Promise<void>;
}> {
  let target: number | undefined;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    if (target === undefined) {
      client.destroy();
      return;
    }
    const upstream = net.connect(target, '127.0.0.1');
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    client.pipe(upstream).pipe(client);
    const end = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end);
    upstream.on('error', end);
    client.on('close', end);
    upstream.on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    route(to) {
      target = to;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

describe.skipIf(missing !== undefined && !browserRequired)(
  'the chat across two processes (Redis) in Chromium',
  () => {
    if (missing !== undefined) {
      it('has a browser and redis-server to run with', () => {
        throw new Error(`PLINTH_REQUIRE_BROWSER=1 but ${missing}`);
      });
      return;
    }

    let redis: RedisProcess;
    let browser: Browser;
    let lb: Awaited<ReturnType<typeof balancer>>;
    const pageErrors: string[] = [];

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
      redis = await startRedis();
      browser = await launchBrowser();
      lb = await balancer();
    }, 60_000);

    afterAll(async () => {
      await browser?.close();
      await lb?.close();
      for (const child of children) child.kill('SIGKILL');
      await redis?.stop();
    });

    async function open(url: string): Promise<Page> {
      const page = await browser.context.newPage();
      page.on('pageerror', (error) => pageErrors.push(error.message));
      await page.goto(url);
      await page.waitForSelector('#chat-status[data-state="open"]', WAIT);
      return page;
    }
    const texts = (page: Page): Promise<string[]> =>
      page.locator('#chat-messages li[data-id] .text').allTextContents();
    async function send(page: Page, text: string): Promise<void> {
      await page.fill('#chat-user', 'tester');
      await page.fill('#chat-text', text);
      await page.click('#chat-form button[type="submit"]');
    }

    it('shares messages between processes and resumes a killed process’s page on the other', async () => {
      const a = await startDemoProcess(redis.url);
      const b = await startDemoProcess(redis.url);
      lb.route(Number(new URL(a.url).port));
      const onA = await open(lb.url); // through the balancer, to A
      const onB = await open(b.url);

      await send(onA, 'hello from A');
      await onB.waitForSelector('#chat-messages li:has-text("hello from A")', WAIT);
      await send(onB, 'hello from B');
      await onA.waitForSelector('#chat-messages li:has-text("hello from B")', WAIT);

      // A dies; the balancer has nowhere to send the page yet: it keeps retrying.
      lb.route(undefined);
      const exited = once(a.child, 'exit');
      a.child.kill('SIGKILL');
      await exited;
      await onA.waitForSelector('#chat-status:not([data-state="open"])', WAIT);
      await send(onB, 'while away 1');
      await send(onB, 'while away 2');
      await onB.waitForSelector('#chat-messages li:has-text("while away 2")', WAIT);

      // The balancer now sends the page to B: it resumes with Last-Event-ID.
      lb.route(Number(new URL(b.url).port));
      await onA.waitForSelector('#chat-messages li:has-text("while away 2")', WAIT);
      await onA.waitForSelector('#chat-status[data-state="open"]', WAIT);
      const expected = ['hello from A', 'hello from B', 'while away 1', 'while away 2'];
      expect(await texts(onA)).toEqual(expected);
      expect(await texts(onB)).toEqual(expected);
      expect(await onA.locator('#chat-messages li.notice').count()).toBe(0);
      // Live again on B.
      await send(onB, 'after');
      await onA.waitForSelector('#chat-messages li:has-text("after")', WAIT);
      expect(await texts(onA)).toEqual([...expected, 'after']);
      expect(pageErrors).toEqual([]);
    }, 60_000);
  },
);
