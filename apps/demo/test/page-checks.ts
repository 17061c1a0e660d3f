// The checks of the demo page that hold whichever server answers it (Node through
// @plinth/node, Bun through @plinth/fetch): each browser test file opens pages on
// its own server and runs these on them.
import type { BrowserContext, Page } from 'playwright-core';
import { expect } from 'vitest';
import { artifactPath } from './browser';

export const WAIT = { timeout: 10_000 };

/** Opens pages of one running demo and collects their errors. */
export interface PageOpener {
  /** A new page at `url`, its chat stream open. */
  open(): Promise<Page>;
  /** Errors the pages reported (uncaught exceptions and console errors). */
  readonly errors: string[];
}

/** Opens pages of the demo at `url()` (read at each open: a restarted demo may move). */
export function pageOpener(context: () => BrowserContext, url: () => string): PageOpener {
  const errors: string[] = [];
  return {
    errors,
    async open() {
      const page = await context().newPage();
      page.on('pageerror', (error) => errors.push(error.message));
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(message.text());
      });
      await page.goto(url());
      await page.waitForSelector('#chat-status[data-state="open"]', WAIT);
      return page;
    },
  };
}

/** Posts a chat message from `page`. */
export async function sendChat(page: Page, user: string, text: string): Promise<void> {
  await page.fill('#chat-user', user);
  await page.fill('#chat-text', text);
  await page.click('#chat-form button[type="submit"]');
}

/** The clock, chat and range panels are live and the picture streamed through /image. */
export async function checkPageLoads(pages: PageOpener, screenshot: string): Promise<void> {
  const page = await pages.open();
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
  await page.screenshot({ path: await artifactPath(screenshot), fullPage: true });
  expect(pages.errors).toEqual([]);
  await page.close();
}

/** The clock ticks: at least two events shown, a wall-clock time. */
export async function checkClockTicks(pages: PageOpener): Promise<void> {
  const page = await pages.open();
  await page.waitForFunction(
    () => Number(document.getElementById('clock-count')?.textContent) >= 2,
    undefined,
    WAIT,
  );
  expect(Number(await page.textContent('#clock-id'))).toBeGreaterThanOrEqual(2);
  expect(await page.textContent('#clock-time')).toMatch(/^\d\d:\d\d:\d\d$/);
  await page.close();
}

/**
 * A hundred-million-element sequence streams into the page while the server still
 * answers other requests; Stop ends it and the server's generator says it stopped
 * early (`stoppedLog` waits for that log line).
 */
export async function checkRangeStreamsAndStops(
  pages: PageOpener,
  url: string,
  stoppedLog: () => Promise<string>,
): Promise<void> {
  const page = await pages.open();
  await page.fill('#range-limit', '100000000');
  await page.click('#range-start');
  await page.waitForFunction(
    () => (document.getElementById('range-output')?.textContent?.length ?? 0) >= 4000,
    undefined,
    WAIT,
  );
  // While the sequence streams, the server still answers others (the adapter's sink
  // gives the event loop a turn during long bursts).
  const other = await fetch(`${url}/range?limit=3`, { signal: AbortSignal.timeout(5000) });
  expect(await other.text()).toBe('[0,1,2]');
  await page.click('#range-stop');
  await page.waitForSelector('#range-status:has-text("stopped")', WAIT);
  expect(await stoppedLog()).toMatch(/range: stopped early/);
  expect(pages.errors).toEqual([]);
  await page.close();
}

/** A message posted in one page shows, once, in another page and in its own. */
export async function checkChatAcrossPages(pages: PageOpener, text: string): Promise<void> {
  const [a, b] = [await pages.open(), await pages.open()];
  await sendChat(a, 'ada', text);
  await b.waitForSelector(`#chat-messages li:has-text("${text}")`, WAIT);
  await a.waitForSelector(`#chat-messages li:has-text("${text}")`, WAIT);
  const shown = await b.locator('#chat-messages li[data-id] .text').allTextContents();
  expect(shown.filter((t) => t === text)).toHaveLength(1);
  expect(pages.errors).toEqual([]);
  await a.close();
  await b.close();
}
