// The demo page in Chromium against the demo served by Bun through @plinth/fetch
// (`pnpm --filter @plinth/demo start:bun`, issue 20): the same page, the same routes
// and streams as on Node, with Bun as a child process on an ephemeral port.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { type Browser, browserRequired, launchBrowser, missingBrowserReason } from './browser';
import {
  checkChatAcrossPages,
  checkClockTicks,
  checkPageLoads,
  checkRangeStreamsAndStops,
  pageOpener,
} from './page-checks';

const appDir = fileURLToPath(new URL('..', import.meta.url));
const bunBinary = join(appDir, 'node_modules/bun/bin/bun.exe');
const missing =
  missingBrowserReason() ??
  (existsSync(bunBinary) ? undefined : `no Bun at ${bunBinary} (pnpm install fetches it)`);
if (missing && !browserRequired) {
  console.warn(`[demo] Bun browser tests skipped: ${missing}. CI runs them.`);
}

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
    const pages = pageOpener(
      () => browser.context,
      () => url,
    );

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

    it('loads: clock, chat and range panels live, the picture streamed through /image', () =>
      checkPageLoads(pages, 'bun-page-loaded.png'));

    it('shows the clock ticking', () => checkClockTicks(pages));

    it('streams /range?limit=100000000 into the page and stops the server generator on Stop', () =>
      checkRangeStreamsAndStops(pages, url, async () => {
        const deadline = Date.now() + 10_000;
        while (!/range: stopped early/.test(output) && Date.now() < deadline) {
          await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
        }
        return output;
      }));

    it('shows a message posted in one page in another page', () =>
      checkChatAcrossPages(pages, 'hello from Bun'));
  },
);
