// The demo compressed in Chromium: its event streams go out brotli-encoded (the
// browser asks for it) and the clock and the chat still update at once.
import { memoryEventLog } from '@plinth/sse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemo, type Demo } from '../src/demo';
import { type Browser, browserRequired, launchBrowser, missingBrowserReason } from './browser';
import { captureLogs } from './helpers';

const missing = missingBrowserReason();
if (missing && !browserRequired) {
  console.warn(`[demo] compression browser tests skipped: ${missing}.`);
}

// Records, in the page, the wall-clock time of every clock tick and chat message shown.
const RECORDER = `
  window.__arrivals = { clock: [], chat: [] };
  const now = () => performance.timeOrigin + performance.now();
  new MutationObserver(() => {
    const count = document.getElementById('clock-count');
    if (count && count.textContent !== window.__lastCount) {
      window.__lastCount = count.textContent;
      window.__arrivals.clock.push(now());
    }
    for (const li of document.querySelectorAll('#chat-messages li[data-id]')) {
      if (!li.dataset.seenAt) {
        li.dataset.seenAt = String(now());
        window.__arrivals.chat.push({ text: li.textContent, at: now() });
      }
    }
  }).observe(document, { subtree: true, childList: true, characterData: true });
`;

describe.skipIf(missing !== undefined && !browserRequired)(
  'the demo, compressed, in Chromium',
  () => {
    if (missing !== undefined) {
      it('has a browser to run in', () => {
        throw new Error(`PLINTH_REQUIRE_BROWSER=1 but ${missing}`);
      });
      return;
    }
    const logs = captureLogs({ echo: false });
    let demo: Demo;
    let url: string;
    let browser: Browser;

    beforeAll(async () => {
      browser = await launchBrowser();
      demo = createDemo({
        host: '127.0.0.1',
        port: 0,
        logger: logs.logger,
        clock: { intervalMs: 250, retryMs: 250 },
        chat: { retryMs: 250 },
        chatLog: memoryEventLog({ maxEvents: 100 }),
      });
      url = (await demo.start()).url;
    }, 60_000);

    afterAll(async () => {
      await browser?.close();
      await demo?.stop({ graceMs: 500 });
    });

    it('streams the clock and the chat compressed, each update shown at once', async () => {
      const page = await browser.context.newPage();
      const encodings = new Map<string, string | undefined>();
      page.on('response', (res) => {
        const path = new URL(res.url()).pathname;
        if (path === '/events/clock' || path === '/chat/events' || path === '/app.js') {
          encodings.set(path, res.headers()['content-encoding']);
        }
      });
      await page.addInitScript(RECORDER);
      await page.goto(url);
      await page.waitForSelector('#chat-status[data-state="open"]', { timeout: 10_000 });
      await page.waitForSelector('#clock-status[data-state="open"]', { timeout: 10_000 });

      // The clock ticks every 250 ms: six ticks shown one by one, none held back.
      await page.waitForFunction(
        () => (window as never as { __arrivals: { clock: number[] } }).__arrivals.clock.length >= 7,
        undefined,
        { timeout: 10_000 },
      );
      const clock = await page.evaluate(
        () => (window as never as { __arrivals: { clock: number[] } }).__arrivals.clock,
      );
      const gaps = clock.slice(1).map((at, i) => at - clock[i]!);
      console.log(`clock gaps (ms): ${gaps.map((g) => g.toFixed(0)).join(' ')}`);
      for (const gap of gaps.slice(1)) expect(gap).toBeLessThan(1000);

      // A chat message published on the server is shown within 200 ms.
      for (let i = 0; i < 5; i++) {
        const sentAt = performance.timeOrigin + performance.now();
        await demo.hub.publish({
          data: { user: 'bot', text: `compressed ${i}`, time: new Date().toISOString() },
        });
        await page.waitForSelector(`#chat-messages li:has-text("compressed ${i}")`, {
          timeout: 2000,
        });
        const seen = await page.evaluate(
          (text) =>
            (
              window as never as { __arrivals: { chat: { text: string; at: number }[] } }
            ).__arrivals.chat.find((m) => m.text.includes(text))?.at,
          `compressed ${i}`,
        );
        expect(seen).toBeDefined();
        console.log(`chat message ${i} shown after ${(seen! - sentAt).toFixed(0)} ms`);
        expect(seen! - sentAt).toBeLessThan(200);
      }

      expect(encodings.get('/events/clock')).toMatch(/^(br|gzip|zstd)$/);
      expect(encodings.get('/chat/events')).toMatch(/^(br|gzip|zstd)$/);
      expect(encodings.get('/app.js')).toMatch(/^(br|gzip|zstd)$/);
      await page.close();
    });
  },
);
