// Headless Chromium's EventSource over gzip and over brotli: each event, published
// one at a time with no heartbeat behind it, is decoded and dispatched before the
// next is sent. Without a flushed block per event the compressor would hold it and
// the page would wait for it until the bound below; the delays are printed, not
// asserted (speed is the benchmark's business, this machine's load is not).
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PlinthServer } from '@plinth/node';
import { type Channel, eventStream } from '@plinth/sse';
import type { Request } from '@plinth/writeable-body';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ContentCoding, compress } from '../src/index';
import { serve, waitFor } from './helpers';

const chromiumPath = process.env.PLINTH_CHROMIUM ?? '/usr/bin/chromium';
const required = process.env.PLINTH_REQUIRE_BROWSER === '1';
const missing = existsSync(chromiumPath)
  ? undefined
  : `no Chromium at ${chromiumPath} (install Debian's "chromium" package, or set PLINTH_CHROMIUM)`;
if (missing && !required) console.warn(`[compress] browser tests skipped: ${missing}`);

const PAGE = `<!doctype html><meta charset="utf-8"><title>sse</title><ol id="events"></ol>
<script>
  const source = new EventSource('/events');
  source.addEventListener('tick', (e) => {
    const li = document.createElement('li');
    // Wall-clock time of arrival, comparable with the server's (same machine).
    li.dataset.at = String(performance.timeOrigin + performance.now());
    li.textContent = e.data;
    document.getElementById('events').append(li);
  });
  source.onopen = () => { document.body.dataset.open = '1'; };
</script>`;

describe.skipIf(missing !== undefined && !required)('Chromium EventSource, compressed', () => {
  if (missing !== undefined) {
    it('has a browser to run in', () => {
      throw new Error(`PLINTH_REQUIRE_BROWSER=1 but ${missing}`);
    });
    return;
  }
  let context: BrowserContext;
  let profile: string;
  const servers: PlinthServer[] = [];

  beforeAll(async () => {
    profile = await mkdtemp(join(tmpdir(), 'plinth-compress-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: chromiumPath,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      timeout: 30_000,
    });
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    for (const server of servers) await server.stop({ graceMs: 100 });
    if (profile) await rm(profile, { recursive: true, force: true });
  });

  for (const coding of ['gzip', 'br'] as ContentCoding[]) {
    it(`over ${coding}: each event arrives decoded before the next is sent`, async () => {
      const channels: Channel[] = [];
      const events = eventStream((channel) => void channels.push(channel), { heartbeatMs: 0 });
      const { server, url } = await serve([
        compress({ encodings: [coding], ignoreNoTransform: true }),
        {
          name: 'events',
          enter: (ctx: { request: Request }) =>
            ctx.request.path === '/events' ? events.enter!(ctx as never) : ctx,
        },
        () => ({
          status: 200,
          headers: { 'content-type': 'text/html; charset=utf-8' },
          body: PAGE,
        }),
      ]);
      servers.push(server);
      const page = await context.newPage();
      const encodings: (string | undefined)[] = [];
      page.on('response', (res) => {
        if (res.url().endsWith('/events')) encodings.push(res.headers()['content-encoding']);
      });
      await page.goto(url);
      await page.waitForSelector('body[data-open="1"]', { state: 'attached', timeout: 10_000 });
      await waitFor(() => channels.length === 1, 'the stream');
      const sentAt: number[] = [];
      for (let i = 0; i < 10; i++) {
        sentAt.push(performance.timeOrigin + performance.now());
        void channels[0]!.send({ event: 'tick', id: i, data: `event number ${i}, decoded` });
        // One at a time: the next is sent only once this one was shown.
        await page.waitForFunction(
          (n) => document.querySelectorAll('#events li').length === n,
          i + 1,
          { timeout: 10_000, polling: 5 },
        );
      }
      const arrivedAt = (
        await page.locator('#events li').evaluateAll((lis) => lis.map((li) => li.dataset.at))
      ).map(Number);
      const delays = arrivedAt.map((at, i) => at - sentAt[i]!);
      console.log(`${coding}: delivery in ms ${delays.map((d) => d.toFixed(0)).join(' ')}`);
      expect(encodings).toEqual([coding]);
      expect(await page.locator('#events li').allTextContents()).toEqual(
        Array.from({ length: 10 }, (_, i) => `event number ${i}, decoded`),
      );
      await page.close();
    });
  }
});
