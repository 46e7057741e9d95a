import { copyFile, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ARTIFACTS, launchChromium, openTandem, prepareE2e } from '../support/e2e-browser';
import { startServe, type ServeProcess } from '../support/serve-process';

/**
 * The newer formats and OCR on the Documents page (serve mode, keyword search:
 * no embedding model): a folder of a deck, a workbook, an e-book, mail, a
 * scanned PDF and a photo of a sign, with broken files among them. Also what
 * serve mode offers for adding folders: the typed path, no "Browse…", and a
 * drop that says why it cannot be used.
 */

const FIXTURES = join(import.meta.dirname, '../fixtures/documents-formats');
let workDir = '';
let folder = '';
let server: ServeProcess | null = null;
let browser: Browser | null = null;
let context: BrowserContext | null = null;
let page: Page;

beforeAll(async () => {
  await prepareE2e();
  workDir = await mkdtemp(join(tmpdir(), 'tandem-e2e-formats-'));
  folder = join(workDir, 'knowledge');
  await mkdir(folder);
  for (const sub of ['good', 'bad', 'ocr']) {
    for (const name of await readdir(join(FIXTURES, sub))) await copyFile(join(FIXTURES, sub, name), join(folder, name));
  }
  server = await startServe({ dataDir: join(workDir, 'data'), modelsDir: join(workDir, 'models') });
  browser = await launchChromium();
  ({ context, page } = await openTandem(browser, server.url, { viewport: { width: 1280, height: 900 }, timeoutMs: 20_000 }));
}, 60_000);

afterAll(async () => {
  await context?.close().catch(() => undefined);
  await browser?.close().catch(() => undefined);
  await server?.stop({ timeoutMs: 5_000 }).catch(() => undefined);
  if (workDir) await rm(workDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
});

describe('the Documents page with the newer formats', () => {
  test('serve mode: the path is typed (no Browse…), and a dropped file says why it cannot be used', async () => {
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('button', { name: 'Documents' }).click();
    const panel = page.getByRole('region', { name: 'Add a folder' });
    await panel.getByRole('textbox', { name: 'Folder or file path' }).waitFor();
    expect(await panel.getByRole('button', { name: 'Browse…' }).count()).toBe(0);
    // OCR is on by default, and says so where folders are added; turning it off is saved (it survives a reload).
    const ocr = panel.getByRole('checkbox', { name: 'Read scanned pages and images (OCR)' });
    expect(await ocr.isChecked()).toBe(true);
    await ocr.uncheck();
    await page.reload();
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('button', { name: 'Documents' }).click();
    await expect.poll(() => ocr.isChecked(), { timeout: 10_000 }).toBe(false);
    await ocr.check();
    await expect.poll(() => ocr.isChecked(), { timeout: 10_000 }).toBe(true);
    // A browser gives a dropped File no path: the drop is refused with a sentence, the field stays empty.
    const transfer = await page.evaluateHandle(`(() => {
      const data = new DataTransfer();
      data.items.add(new File(['x'], 'notes.md', { type: 'text/markdown' }));
      return data;
    })()`);
    await panel.dispatchEvent('dragover', { dataTransfer: transfer });
    await panel.dispatchEvent('drop', { dataTransfer: transfer });
    await panel.getByRole('alert').getByText(/does not say where dropped files live; type the folder’s path/).waitFor();
    expect(await panel.getByRole('textbox', { name: 'Folder or file path' }).inputValue()).toBe('');
  });

  test('indexes the folder, reports the broken files, and cites slides, sheets, chapters and OCR pages', async () => {
    const panel = page.getByRole('region', { name: 'Add a folder' });
    await panel.getByRole('textbox', { name: 'Folder or file path' }).fill(folder);
    await panel.getByRole('button', { name: 'Add folder' }).click();
    const card = page.getByRole('article', { name: 'knowledge' });
    await card.getByText('Indexing finished').waitFor({ timeout: 120_000 });
    const failures = card.getByRole('list', { name: 'Files that could not be read' });
    expect(await failures.getByRole('listitem').count()).toBe(4);
    const failureText = await failures.innerText();
    for (const [name, code] of [['truncated.pptx', 'CORRUPT'], ['not-a-zip.xlsx', 'CORRUPT'], ['no-package.epub', 'CORRUPT'], ['not-mail.eml', 'PARSE_FAILED']]) {
      expect(failureText).toContain(join(folder, name!));
      expect(failureText).toContain(`(${code})`);
    }

    const search = page.getByRole('searchbox', { name: 'Search documents' });
    const results = page.getByRole('list', { name: 'Search results' });
    const firstResult = async (query: string, name: string | RegExp) => {
      await search.fill(query);
      await search.press('Enter');
      await results.getByRole('listitem').first().getByRole('button', { name }).waitFor({ timeout: 20_000 });
    };
    await firstResult('referral bonus Lisbon', 'Open quarterly-review.pptx, Slide 2');
    await firstResult('ergonomic chairs Porto', /^Open budget\.xlsx, Sheet Budget, rows \d+–\d+$/);
    await firstResult('breakwater foam', 'Open harbour-lights.epub, Chapter 2: Storm Season');
    await firstResult('reef knot ropes', 'Open scanned-memo.pdf, page 2 · OCR');
    await page.getByRole('region', { name: 'Search' }).screenshot({ path: join(ARTIFACTS, 'documents-formats-ocr-hit.png') });
    await firstResult('harbour office opening hours', 'Open opening-hours.png, OCR');
  });
});
