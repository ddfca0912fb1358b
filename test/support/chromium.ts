// Headless Chromium for the browser tests, driven by playwright-core: Debian's `chromium`
// package (or CHROMIUM_PATH). Without it the tests skip, saying how to install it.
import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';

/** Where Chromium is looked for, first found wins. */
const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/** The Chromium binary, or undefined. */
export function chromiumPath(): string | undefined {
  const named = process.env.CHROMIUM_PATH;
  if (named) return named;
  return CANDIDATES.find((path) => existsSync(path));
}

/** Why the browser tests skip, or false when they can run. */
export function skipUnlessChromium(): string | false {
  return chromiumPath() === undefined
    ? 'needs Chromium: `sudo apt-get install chromium` (Debian/Ubuntu), or set CHROMIUM_PATH to a Chromium or Chrome binary'
    : false;
}

/** Launches headless Chromium. */
export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    // No sandbox: CI runs the tests as root, where Chromium's sandbox refuses to start.
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
}
