// The browser-test harness: playwright-core driving the system's Chromium
// (Debian's `chromium` package), headless and kept off the network.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrowserContext, chromium } from 'playwright-core';

/** Where the browser is looked for; `PLINTH_CHROMIUM` overrides. */
export const chromiumPath: string = process.env.PLINTH_CHROMIUM ?? '/usr/bin/chromium';

/** CI sets `PLINTH_REQUIRE_BROWSER=1`: a missing browser then fails the tests. */
export const browserRequired: boolean = process.env.PLINTH_REQUIRE_BROWSER === '1';

/** Screenshots and other test output (gitignored). */
export const artifactsDir: string = fileURLToPath(new URL('../test-artifacts/', import.meta.url));

/** Why the browser tests cannot run here, or `undefined` when they can. */
export function missingBrowserReason(): string | undefined {
  if (existsSync(chromiumPath)) return undefined;
  return `no Chromium at ${chromiumPath} (install Debian's "chromium" package, or set PLINTH_CHROMIUM to a Chromium binary)`;
}

// Without the background-networking flags Chromium keeps trying to reach Google's
// services, which floods a closed network with failing connections.
const args = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Browser {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

/** Starts a headless Chromium with a fresh profile directory, removed on close. */
export async function launchBrowser(): Promise<Browser> {
  const userDataDir = await mkdtemp(join(tmpdir(), 'plinth-demo-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: chromiumPath,
      headless: true,
      args,
      viewport: { width: 1200, height: 900 },
      timeout: 30_000,
    });
  } catch (error) {
    await rm(userDataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    context,
    async close() {
      await context.close();
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}

/** The path of a screenshot file under test-artifacts/, creating the folder. */
export async function artifactPath(name: string): Promise<string> {
  await mkdir(artifactsDir, { recursive: true });
  return join(artifactsDir, name);
}
