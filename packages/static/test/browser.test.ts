// A real browser: headless Chromium plays an <audio> element from the static
// route and seeks; every Range request it makes is answered 206 with the bytes
// asked for. Skipped with a printed reason when there is no Chromium, unless
// PLINTH_REQUIRE_BROWSER=1 (CI), which makes a missing browser a failure.
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveStatic } from '../src/index';
import { fixtureDir, serve } from './helpers';

const chromiumPath = process.env.PLINTH_CHROMIUM ?? '/usr/bin/chromium';
const required = process.env.PLINTH_REQUIRE_BROWSER === '1';
const missing = existsSync(chromiumPath) ? undefined : `no Chromium at ${chromiumPath}`;
if (missing !== undefined && !required) {
  console.warn(`[static] browser test skipped: ${missing}. CI runs it (PLINTH_REQUIRE_BROWSER=1).`);
}

const SECONDS = 180;
const RATE = 44_100;

/** A 16-bit stereo PCM WAV of a 440 Hz tone: about 31 MiB, more than a player preloads. */
function wav(seconds: number): Buffer {
  const frames = seconds * RATE;
  const data = frames * 4;
  const out = Buffer.alloc(44 + data);
  out.write('RIFF', 0, 'latin1');
  out.writeUInt32LE(36 + data, 4);
  out.write('WAVEfmt ', 8, 'latin1');
  out.writeUInt32LE(16, 16); // fmt chunk size
  out.writeUInt16LE(1, 20); // PCM
  out.writeUInt16LE(2, 22); // channels
  out.writeUInt32LE(RATE, 24);
  out.writeUInt32LE(RATE * 4, 28); // byte rate
  out.writeUInt16LE(4, 32); // block align
  out.writeUInt16LE(16, 34); // bits per sample
  out.write('data', 36, 'latin1');
  out.writeUInt32LE(data, 40);
  // One period of the tone, repeated (440 Hz does not divide 44.1 kHz, close enough).
  const period = Math.round(RATE / 440);
  const cycle = Buffer.alloc(period * 4);
  for (let i = 0; i < period; i++) {
    const v = Math.round(Math.sin((2 * Math.PI * i) / period) * 8000);
    cycle.writeInt16LE(v, i * 4);
    cycle.writeInt16LE(v, i * 4 + 2);
  }
  for (let at = 44; at < out.length; at += cycle.length)
    cycle.copy(out, at, 0, Math.min(cycle.length, out.length - at));
  return out;
}

const PAGE = `<!doctype html>
<meta charset="utf-8">
<title>audio</title>
<audio id="player" src="/media/tone.wav" preload="metadata" muted></audio>`;

describe.skipIf(missing !== undefined && !required)('an <audio> element in Chromium', () => {
  if (missing !== undefined) {
    it('has a browser to run in', () => {
      throw new Error(`PLINTH_REQUIRE_BROWSER=1 but ${missing}`);
    });
    return;
  }

  let fixture: Awaited<ReturnType<typeof fixtureDir>>;
  let url: string;
  let stop: () => Promise<void>;
  let browser: Browser;
  const seen: {
    range: string | undefined;
    ifRange?: unknown;
    status: number | undefined;
    contentRange: unknown;
  }[] = [];

  beforeAll(async () => {
    fixture = await fixtureDir({ 'index.html': PAGE, 'media/tone.wav': wav(SECONDS) });
    const record = {
      name: 'record',
      leave(ctx: {
        request: { path: string; headers: Record<string, unknown> };
        response?: { status: number; headers?: Record<string, unknown> };
      }) {
        if (ctx.request.path === '/media/tone.wav') {
          seen.push({
            range: ctx.request.headers.range as string | undefined,
            ifRange: ctx.request.headers['if-range'],
            status: ctx.response?.status,
            contentRange: ctx.response?.headers?.['content-range'],
          });
        }
        return ctx;
      },
    };
    // Chromium resumes and seeks with If-Range carrying the ETag it was given. A weak
    // ETag never matches If-Range (RFC 9110 13.1.5), so each seek would be a full 200:
    // media is served with strong ETags, as the README advises.
    const started = await serve([record, serveStatic(fixture.root, { etag: 'strong' })]);
    url = started.url;
    stop = () => started.server.stop({ graceMs: 100 });
    browser = await chromium.launch({
      executablePath: chromiumPath,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--autoplay-policy=no-user-gesture-required',
      ],
      timeout: 30_000,
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await stop?.();
    await fixture?.cleanup();
  });

  it('plays, seeks past what it loaded, and every Range request gets 206', async () => {
    const page = await browser.newPage();
    const browserSeen: { range: string | undefined; status: number }[] = [];
    page.on('response', (response) => {
      if (response.url().endsWith('/media/tone.wav')) {
        browserSeen.push({ range: response.request().headers().range, status: response.status() });
      }
    });
    await page.goto(`${url}/`);
    const result = await page.evaluate(async (target) => {
      const audio = document.getElementById('player') as HTMLAudioElement;
      const once = (event: string, ms = 15_000) =>
        new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`no ${event} within ${ms} ms`)), ms);
          audio.addEventListener(
            event,
            () => {
              clearTimeout(timer);
              resolve();
            },
            { once: true },
          );
          audio.addEventListener(
            'error',
            () => reject(new Error(`media error ${audio.error?.code}`)),
            { once: true },
          );
        });
      if (audio.readyState < 1) await once('loadedmetadata');
      const duration = audio.duration;
      await audio.play();
      const bufferedBefore =
        audio.buffered.length > 0 ? audio.buffered.end(audio.buffered.length - 1) : 0;
      const seeked = once('seeked');
      audio.currentTime = target;
      await seeked;
      // Playing on from the new position: time advances past the target.
      const start = audio.currentTime;
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error('time did not advance after the seek')),
          15_000,
        );
        const check = () => {
          if (audio.currentTime > start + 0.2) {
            clearTimeout(timer);
            resolve();
          } else requestAnimationFrame(check);
        };
        check();
      });
      return { duration, bufferedBefore, after: audio.currentTime };
    }, SECONDS - 20);
    expect(result.duration).toBeCloseTo(SECONDS, 0);
    expect(result.bufferedBefore).toBeLessThan(SECONDS - 20); // the seek needed bytes not loaded yet
    expect(result.after).toBeGreaterThan(SECONDS - 20);
    await page.close();

    // The server's view: Range requests, all answered 206, one starting far into the file.
    const ranged = seen.filter((s) => s.range !== undefined);
    expect(ranged.length).toBeGreaterThan(0);
    for (const s of ranged) expect(s.status, JSON.stringify(s)).toBe(206);
    const starts = ranged.map((s) => Number(/bytes=(\d+)-/.exec(s.range!)?.[1] ?? 0));
    expect(Math.max(...starts)).toBeGreaterThan((SECONDS - 30) * RATE * 4);
    // The browser's view agrees.
    for (const b of browserSeen.filter((b) => b.range !== undefined)) expect(b.status).toBe(206);
  }, 90_000);
});
