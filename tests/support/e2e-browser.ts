import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Paths every e2e test shares. */
export const REPO_ROOT = resolve(import.meta.dirname, '../..');
export const BUILT_UI = join(REPO_ROOT, 'out/renderer/index.html');
export const MODEL_FILE = process.env.TANDEM_TEST_MODEL ?? resolve(REPO_ROOT, '../shared/models/stories260K.gguf');
export const ARTIFACTS = join(REPO_ROOT, 'artifacts/e2e');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** What every e2e file needs before it starts: the built UI, Chromium, and the screenshot folder. */
export async function prepareE2e(): Promise<void> {
  if (!existsSync(BUILT_UI)) throw new Error(`${BUILT_UI} is missing: run \`npm run build\` before the e2e tests.`);
  if (!existsSync(CHROMIUM)) throw new Error(`No Chromium at ${CHROMIUM} (set CHROMIUM_PATH).`);
  await mkdir(ARTIFACTS, { recursive: true });
}

/**
 * Debian's Chromium, headless, driven by playwright-core (never a downloaded
 * browser). The background-networking flags keep it from dialling out on a
 * machine with no network.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** A fresh browser context on Tandem's page, waited until it is connected to the backend. */
export async function openTandem(
  browser: Browser,
  url: string,
  options: { viewport: { width: number; height: number }; timeoutMs: number },
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: options.viewport, colorScheme: 'light' });
  const page = await context.newPage();
  page.setDefaultTimeout(options.timeoutMs);
  await page.goto(url);
  await page.getByRole('navigation', { name: 'Chats' }).waitFor();
  await page.getByRole('status').filter({ hasText: 'Connected' }).waitFor();
  return { context, page };
}
