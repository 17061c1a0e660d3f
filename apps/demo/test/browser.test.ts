// End-to-end: the page in a real (headless) Chromium against a running demo.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoryEventLog } from '@plinth/sse';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemo, type Demo } from '../src/demo';
import { fileEventLog } from '../src/file-event-log';
import {
  artifactPath,
  type Browser,
  browserRequired,
  launchBrowser,
  missingBrowserReason,
} from './browser';
import { captureLogs } from './helpers';
import {
  checkChatAcrossPages,
  checkClockTicks,
  checkPageLoads,
  checkRangeStreamsAndStops,
  pageOpener,
  sendChat,
  WAIT,
} from './page-checks';

const missing = missingBrowserReason();
if (missing && !browserRequired) {
  console.warn(
    `[demo] browser tests skipped: ${missing}. CI runs them (PLINTH_REQUIRE_BROWSER=1).`,
  );
}

describe.skipIf(missing !== undefined && !browserRequired)('the demo page in Chromium', () => {
  if (missing !== undefined) {
    it('has a browser to run in', () => {
      throw new Error(`PLINTH_REQUIRE_BROWSER=1 but ${missing}`);
    });
    return;
  }

  const logs = captureLogs({ echo: process.env.DEMO_TEST_LOGS === '1' });
  const settings = {
    host: '127.0.0.1',
    logger: logs.logger,
    clock: { intervalMs: 250, retryMs: 250 },
    chat: { retryMs: 250 },
  };
  // The chat history lives in a file, as with `npm run demo`: each server below
  // opens it afresh, as a new process would.
  let dataDir: string | undefined;
  let chatLogPath = '';
  let demo: Demo;
  let url: string;
  let port: number;
  let browser: Browser;
  const pages = pageOpener(
    () => browser.context,
    () => url,
  );
  const open = () => pages.open();

  async function texts(page: Page): Promise<string[]> {
    return page.locator('#chat-messages li[data-id] .text').allTextContents();
  }

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'plinth-demo-browser-'));
    chatLogPath = join(dataDir, 'chat-log.jsonl');
    browser = await launchBrowser();
    demo = createDemo({ ...settings, chatLog: await fileEventLog(chatLogPath), port: 0 });
    const address = await demo.start();
    url = address.url;
    port = address.port;
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await demo?.stop({ graceMs: 500 });
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('loads: clock, chat and range panels live, the picture streamed through /image', () =>
    checkPageLoads(pages, 'page-loaded.png'));

  it('shows the clock ticking', () => checkClockTicks(pages));

  it('streams /range?limit=100000000 into the page and stops the server generator on Stop', () =>
    checkRangeStreamsAndStops(pages, url, () => logs.waitFor(/range: stopped early/, 10_000)));

  it('shows a message posted in one page in another page', () =>
    checkChatAcrossPages(pages, 'hello from page A'));

  it('reconnects after a server restart and receives what was published meanwhile, none twice', async () => {
    const page = await open();
    await sendChat(page, 'ada', 'before the restart');
    await page.waitForSelector('#chat-messages li:has-text("before the restart")', WAIT);

    await demo.stop({ graceMs: 500 });
    await page.waitForSelector('#chat-status[data-state="connecting"]', WAIT);
    // A new server on the same port, reading the chat log from its file; messages
    // arrive (through its hub) before it listens, while the page is away.
    demo = createDemo({ ...settings, chatLog: await fileEventLog(chatLogPath), port });
    await demo.hub.publish({
      data: { user: 'bot', text: 'while away 1', time: new Date().toISOString() },
    });
    await demo.hub.publish({
      data: { user: 'bot', text: 'while away 2', time: new Date().toISOString() },
    });
    await demo.start();

    await page.waitForSelector('#chat-messages li:has-text("while away 2")', WAIT);
    await page.waitForSelector('#chat-status[data-state="open"]', WAIT);
    await page.waitForSelector('#clock-status[data-state="open"]', WAIT);
    await sendChat(page, 'ada', 'after the restart');
    await page.waitForSelector('#chat-messages li:has-text("after the restart")', WAIT);

    const shown = await texts(page);
    const expected = ['before the restart', 'while away 1', 'while away 2', 'after the restart'];
    expect(shown.filter((t) => expected.includes(t))).toEqual(expected);
    const ids = await page
      .locator('#chat-messages li[data-id]')
      .evaluateAll((items) => items.map((item) => (item as HTMLElement).dataset.id));
    expect(new Set(ids).size).toBe(ids.length);
    await page.screenshot({ path: await artifactPath('page-after-restart.png'), fullPage: true });
    expect(pages.errors.filter((e) => !/ERR_CONNECTION_REFUSED|net::/.test(e))).toEqual([]);
    await page.close();
  });

  it('says messages were missed after a restart that lost the log', async () => {
    const page = await open();
    await sendChat(page, 'ada', 'into the old log');
    await page.waitForSelector('#chat-messages li:has-text("into the old log")', WAIT);
    await demo.stop({ graceMs: 500 });
    // A server that lost the history: an in-memory log whose ids start again at 1.
    demo = createDemo({ ...settings, chatLog: memoryEventLog(), port });
    await demo.start();
    await page.waitForSelector('#chat-messages li.notice', WAIT);
    await page.waitForSelector('#chat-status[data-state="open"]', WAIT);
    await sendChat(page, 'ada', 'into the new log');
    await page.waitForSelector('#chat-messages li:has-text("into the new log")', WAIT);
    await page.close();
  });
});
