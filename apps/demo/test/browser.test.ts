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

const missing = missingBrowserReason();
if (missing && !browserRequired) {
  console.warn(
    `[demo] browser tests skipped: ${missing}. CI runs them (PLINTH_REQUIRE_BROWSER=1).`,
  );
}

const WAIT = { timeout: 10_000 };

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

  async function texts(page: Page): Promise<string[]> {
    return page.locator('#chat-messages li[data-id] .text').allTextContents();
  }

  async function send(page: Page, user: string, text: string): Promise<void> {
    await page.fill('#chat-user', user);
    await page.fill('#chat-text', text);
    await page.click('#chat-form button[type="submit"]');
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
    await page.screenshot({ path: await artifactPath('page-loaded.png'), fullPage: true });
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
    const id = Number(await page.textContent('#clock-id'));
    expect(id).toBeGreaterThanOrEqual(2);
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
    // While the hundred-million-element sequence streams, the server still answers
    // others (the adapter's sink gives the event loop a turn during long bursts).
    const other = await fetch(`${url}/range?limit=3`, { signal: AbortSignal.timeout(5000) });
    expect(await other.text()).toBe('[0,1,2]');
    await page.click('#range-stop');
    await page.waitForSelector('#range-status:has-text("stopped")', WAIT);
    expect(await logs.waitFor(/range: stopped early/, 10_000)).toMatch(/stopped early/);
    expect(pageErrors).toEqual([]);
    await page.close();
  });

  it('shows a message posted in one page in another page', async () => {
    const [a, b] = [await open(), await open()];
    await send(a, 'ada', 'hello from page A');
    await b.waitForSelector('#chat-messages li:has-text("hello from page A")', WAIT);
    await a.waitForSelector('#chat-messages li:has-text("hello from page A")', WAIT);
    expect((await texts(b)).filter((t) => t === 'hello from page A')).toHaveLength(1);
    await a.close();
    await b.close();
  });

  it('reconnects after a server restart and receives what was published meanwhile, none twice', async () => {
    const page = await open();
    await send(page, 'ada', 'before the restart');
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
    await send(page, 'ada', 'after the restart');
    await page.waitForSelector('#chat-messages li:has-text("after the restart")', WAIT);

    const shown = await texts(page);
    const expected = ['before the restart', 'while away 1', 'while away 2', 'after the restart'];
    expect(shown.filter((t) => expected.includes(t))).toEqual(expected);
    const ids = await page
      .locator('#chat-messages li[data-id]')
      .evaluateAll((items) => items.map((item) => (item as HTMLElement).dataset.id));
    expect(new Set(ids).size).toBe(ids.length);
    await page.screenshot({ path: await artifactPath('page-after-restart.png'), fullPage: true });
    expect(pageErrors.filter((e) => !/ERR_CONNECTION_REFUSED|net::/.test(e))).toEqual([]);
    await page.close();
  });

  it('says messages were missed after a restart that lost the log', async () => {
    const page = await open();
    await send(page, 'ada', 'into the old log');
    await page.waitForSelector('#chat-messages li:has-text("into the old log")', WAIT);
    await demo.stop({ graceMs: 500 });
    // A server that lost the history: an in-memory log whose ids start again at 1.
    demo = createDemo({ ...settings, chatLog: memoryEventLog(), port });
    await demo.start();
    await page.waitForSelector('#chat-messages li.notice', WAIT);
    await page.waitForSelector('#chat-status[data-state="open"]', WAIT);
    await send(page, 'ada', 'into the new log');
    await page.waitForSelector('#chat-messages li:has-text("into the new log")', WAIT);
    await page.close();
  });
});
