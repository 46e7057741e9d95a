import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { DownloadServer } from '../fixtures/download-server';
import { tinyLlamaGguf } from '../fixtures/gguf-writer';
import { startServe, type ServeProcess } from '../support/serve-process';
import { ARTIFACTS, launchChromium, openTandem, prepareE2e } from '../support/e2e-browser';

/**
 * Downloading a model from the Models page (serve mode): paste a URL, watch
 * the progress bar move, see the model land in Local models, load it, chat
 * with it, unload it, and remove it behind a confirm dialog; a 404 URL ends
 * in a clear, coded error that can be dismissed.
 */

const NAME = 'model'; // the fixture serves /model.gguf

let workDir = '';
let server: ServeProcess | null = null;
let files: DownloadServer | null = null;
let browser: Browser | null = null;
let context: BrowserContext | null = null;
let page: Page;

const POLL = { timeout: 30_000, interval: 100 };
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

async function screenshot(name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

function pagesNav(): Locator {
  return page.getByRole('navigation', { name: 'Pages' });
}

beforeAll(async () => {
  await prepareE2e();
  workDir = await mkdtemp(join(tmpdir(), 'tandem-e2e-downloads-'));
  const modelsDir = join(workDir, 'models');
  await mkdir(modelsDir);
  const body = tinyLlamaGguf({ seed: 11, contextLength: 512 });
  files = await new DownloadServer(body).start();
  // About 600 ticks of 10 ms: several seconds of visible progress, even on a busy machine.
  files.throttle(Math.max(64, Math.ceil(body.length / 600)));
  server = await startServe({ dataDir: join(workDir, 'data'), modelsDir });
  browser = await launchChromium();
  ({ context, page } = await openTandem(browser, server.url, { viewport: { width: 1280, height: 900 }, timeoutMs: 30_000 }));
});

afterAll(async () => {
  await context?.close().catch(() => undefined);
  await browser?.close().catch(() => undefined);
  await server?.stop({ timeoutMs: 5_000 }).catch(() => undefined);
  await files?.stop().catch(() => undefined);
  if (workDir) await rm(workDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
});

afterEach(async (context) => {
  if (context.task.result?.state === 'fail') await screenshot(`downloads-failed-${context.task.name.slice(0, 40).replace(/\W+/g, '-')}`).catch(() => undefined);
});

describe('downloading a model from the Models page', () => {
  test('shows the catalog and the URL field', async () => {
    await pagesNav().getByRole('button', { name: 'Models' }).click();
    await page.getByRole('heading', { name: 'Models', level: 1 }).waitFor();
    await page.getByRole('heading', { name: 'Catalog' }).waitFor();
    await page.getByRole('heading', { name: 'Downloads' }).waitFor();
    const catalog = page.getByRole('table', { name: 'Catalog models' });
    await catalog.waitFor();
    const rows = catalog.getByRole('row');
    await expect.poll(() => rows.count(), POLL).toBeGreaterThan(1);
    expect(await catalog.getByRole('button', { name: /^Download / }).count()).toBeGreaterThan(0);
    expect(await catalog.getByText(/^(Fits|Does not fit)$/).count()).toBeGreaterThan(0);
    await page.getByRole('textbox', { name: 'Model URL' }).waitFor();
    await screenshot('downloads-01-catalog');
  });

  test('a URL downloads with visible progress, then loads, chats and unloads', async () => {
    await page.getByRole('textbox', { name: 'Model URL' }).fill(files!.url('/model.gguf'));
    await page.getByRole('button', { name: 'Download', exact: true }).click();

    const bar = page.getByRole('progressbar', { name: `Downloading ${NAME}` });
    await bar.waitFor();
    const values: number[] = [];
    const increases = () => values.filter((n, i) => i > 0 && n > (values[i - 1] ?? 0)).length;
    for (let i = 0; i < 200 && increases() < 2; i++) {
      const value = await bar.evaluate((el) => Number((el as unknown as { value: number }).value)).catch(() => -1);
      if (value >= 0) values.push(value);
      if (values.length === 2) await screenshot('downloads-02-progress');
      await sleep(100);
    }
    expect(increases(), `values seen: ${values.join(', ')}`).toBeGreaterThanOrEqual(2);
    expect(await page.getByRole('button', { name: `Pause ${NAME}`, exact: true }).count()).toBe(1);
    expect(await page.getByRole('button', { name: `Cancel ${NAME}`, exact: true }).count()).toBe(1);

    const row = page.getByRole('row', { name: new RegExp(`^${NAME}\\b`) });
    await row.waitFor({ timeout: 60_000 });
    await page.getByRole('listitem', { name: NAME }).getByText('Downloaded').waitFor({ timeout: 60_000 });
    await expect.poll(() => row.getByRole('cell').allInnerTexts(), POLL).toContain('llama');

    await page.getByRole('button', { name: `Load ${NAME}`, exact: true }).click();
    await row.getByText(/^Loaded/).waitFor({ timeout: 60_000 });
    await screenshot('downloads-03-loaded');

    await pagesNav().getByRole('button', { name: 'Chats' }).click();
    await page.getByRole('combobox', { name: 'Model' }).selectOption(NAME);
    const message = page.getByRole('textbox', { name: 'Message' });
    await message.fill('Once upon a time');
    await message.press('Enter');
    const answer = page.getByRole('article', { name: /^assistant message/ }).last();
    await answer.waitFor();
    await expect.poll(() => answer.getAttribute('aria-busy'), { timeout: 60_000, interval: 200 }).toBe('false');
    await expect.poll(async () => (await answer.innerText()).trim().length, POLL).toBeGreaterThan(0);
    await screenshot('downloads-04-chat');

    await pagesNav().getByRole('button', { name: 'Models' }).click();
    await page.getByRole('button', { name: `Unload ${NAME}`, exact: true }).click();
    await page.getByRole('button', { name: `Load ${NAME}`, exact: true }).waitFor();
    await expect.poll(() => row.getByText(/^Loaded/).count(), POLL).toBe(0);
  });

  test('a 404 URL shows a clear, coded error that can be dismissed', async () => {
    await page.getByRole('textbox', { name: 'Model URL' }).fill(files!.url('/missing.gguf'));
    await page.getByRole('button', { name: 'Download', exact: true }).click();
    const item = page.getByRole('listitem', { name: 'missing' });
    const alert = item.getByRole('alert');
    await alert.waitFor();
    const text = await alert.innerText();
    expect(text).toContain('DOWNLOAD_FAILED');
    expect(text).toContain('404');
    expect(await item.getByRole('button', { name: 'Retry missing' }).count()).toBe(1);
    await screenshot('downloads-05-404');
    await item.getByRole('button', { name: 'Dismiss missing' }).click();
    await item.waitFor({ state: 'detached' });
  });

  test('removing a local model asks first, from the keyboard', async () => {
    const row = page.getByRole('row', { name: new RegExp(`^${NAME}\\b`) });
    await page.getByRole('button', { name: `Remove ${NAME}`, exact: true }).focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: `Remove ${NAME}?` });
    await dialog.waitFor();
    // Cancel has focus first; Escape closes without removing.
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect(await row.count()).toBe(1);

    await page.getByRole('button', { name: `Remove ${NAME}`, exact: true }).click();
    await screenshot('downloads-06-remove-confirm');
    await dialog.getByRole('button', { name: 'Remove' }).click();
    await row.waitFor({ state: 'detached' });
    await page.getByText('No .gguf files in the models folders.').waitFor();
  });
});
