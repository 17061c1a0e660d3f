// The demo page in Chromium against the demo served by Bun through @plinth/fetch
// (`pnpm --filter @plinth/demo start:bun`, issue 20): the same page, the same routes
// and streams as on Node, with Bun as a child process on an ephemeral port.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  artifactPath,
  type Browser,
  browserRequired,
  launchBrowser,
  missingBrowserReason,
} from './browser';

const appDir = fileURLToPath(new URL('..', import.meta.url));
const bunBinary = join(appDir, 'node_modules/bun/bin/bun.exe');
const missing =
  missingBrowserReason() ??
  (existsSync(bunBinary) ? undefined : `no Bun at ${bunBinary} (pnpm install fetches it)`);
if (missing && !browserRequired) {
  console.warn(`[demo] Bun browser tests skipped: ${missing}. CI runs them.`);
}

const WAIT = { timeout: 10_000 };

describe.skipIf(missing !== undefined && !browserRequired)(
  'the demo page on Bun in Chromium',
  () => {
    if (missing !== undefined) {
      it('has a browser and Bun to run with', () => {
        throw new Error(`PLINTH_REQUIRE_BROWSER=1 but ${missing}`);
      });
      return;
    }

    let child: ChildProcess;
    let dataDir: string;
    let url: string;
    let browser: Browser;
    let output = '';
    const pageErrors: string[] = [];

    async function open(): Promise<Page> {
      const page = await browser.context.newPage();
      page.on('pageerror', (error) => pageErrors.push(error.message));
      page.on('console', (message) => {
        if (message.type() === 'error') pageErrors.push(message.text());
      });
      await page.goto(url);
      await page.waitForSelector('#chat-status[data-state="open"]', WAIT);
      return page;
    }

    beforeAll(async () => {
      dataDir = await mkdtemp(join(tmpdir(), 'plinth-demo-bun-'));
      child = spawn(bunBinary, ['src/bun.ts'], {
        cwd: appDir,
        env: {
          ...process.env,
          PORT: '0',
          HOST: '127.0.0.1',
          CHAT_LOG: join(dataDir, 'chat-log.jsonl'),
          NO_COLOR: '1',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`Bun demo did not start: ${output}`)),
          30_000,
        );
        const onData = (d: Buffer): void => {
          output += d.toString();
          const found = /listening on (http:\/\/[0-9.:]+)/.exec(output);
          if (found) {
            clearTimeout(timer);
            resolve(found[1]!);
          }
        };
        child.stdout!.on('data', onData);
        child.stderr!.on('data', onData);
        child.once('exit', (code) => reject(new Error(`Bun demo exited with ${code}: ${output}`)));
      });
      browser = await launchBrowser();
    }, 60_000);

    afterAll(async () => {
      await browser?.close();
      if (child && child.exitCode === null) {
        await new Promise<void>((resolve) => {
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        });
      }
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
    });

    it('loads: clock, chat and range panels live, the picture streamed through /image', async () => {
      const page = await open();
      expect(await page.title()).toBe('Plinth demo');
      await page.waitForSelector('#clock-status[data-state="open"]', WAIT);
      await page.waitForFunction(
        () => {
          const img = document.querySelector<HTMLImageElement>('.picture img');
          return img?.complete === true && img.naturalWidth === 960;
        },
        undefined,
        WAIT,
      );
      await page.fill('#range-limit', '5');
      await page.click('#range-start');
      await page.waitForSelector('#range-status[data-state="done"]', WAIT);
      expect(await page.textContent('#range-output')).toBe('[0,1,2,3,4]');
      await page.screenshot({ path: await artifactPath('bun-page-loaded.png'), fullPage: true });
      expect(pageErrors).toEqual([]);
      await page.close();
    });

    it('shows the clock ticking', async () => {
      const page = await open();
      await page.waitForFunction(
        () => Number(document.getElementById('clock-count')?.textContent) >= 2,
        undefined,
        WAIT,
      );
      expect(await page.textContent('#clock-time')).toMatch(/^\d\d:\d\d:\d\d$/);
      await page.close();
    });

    it('streams /range?limit=100000000 into the page and stops the server generator on Stop', async () => {
      const page = await open();
      await page.fill('#range-limit', '100000000');
      await page.click('#range-start');
      await page.waitForFunction(
        () => (document.getElementById('range-output')?.textContent?.length ?? 0) >= 4000,
        undefined,
        WAIT,
      );
      const other = await fetch(`${url}/range?limit=3`, { signal: AbortSignal.timeout(5000) });
      expect(await other.text()).toBe('[0,1,2]');
      await page.click('#range-stop');
      await page.waitForSelector('#range-status:has-text("stopped")', WAIT);
      const deadline = Date.now() + 10_000;
      while (!/range: stopped early/.test(output) && Date.now() < deadline) {
        await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
      }
      expect(output).toMatch(/range: stopped early/);
      expect(pageErrors).toEqual([]);
      await page.close();
    });

    it('shows a message posted in one page in another page', async () => {
      const [a, b] = [await open(), await open()];
      await a.fill('#chat-user', 'ada');
      await a.fill('#chat-text', 'hello from Bun');
      await a.click('#chat-form button[type="submit"]');
      await b.waitForSelector('#chat-messages li:has-text("hello from Bun")', WAIT);
      await a.waitForSelector('#chat-messages li:has-text("hello from Bun")', WAIT);
      expect(pageErrors).toEqual([]);
      await a.close();
      await b.close();
    });
  },
);
