import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { writeCorpus, writeMixedFolder, type MixedFolderManifest } from '../fixtures/documents/corpus';
import { writeTinyBertGguf } from '../fixtures/gguf-writer';
import { ARTIFACTS, launchChromium, openTandem, prepareE2e } from '../support/e2e-browser';
import { requireStoriesModel, storiesModelId } from '../support/paths';
import { startServe, type ServeProcess } from '../support/serve-process';
import { TandemWsClient, wsUrl } from '../support/ws-client';

/**
 * The Documents page and grounded chat as a person uses them (serve mode):
 * add a folder of mixed files, watch it index, read which files failed and
 * why, search for a fact and open it in the viewer, then attach the
 * collection to a chat, ask, and follow the answer's citation to the page.
 * The tiny chat model's words are noise; the citations come from retrieval,
 * so the Sources list is deterministic.
 */

const EMBEDDER_ID = 'tiny-bert';
const POLL = { timeout: 20_000, interval: 100 };

let workDir = '';
let folder = '';
let manifest: MixedFolderManifest;
let server: ServeProcess | null = null;
let ws: TandemWsClient | null = null;
let browser: Browser | null = null;
let context: BrowserContext | null = null;
let page: Page;

async function screenshot(name: string, target: Page | Locator = page): Promise<void> {
  await target.screenshot({ path: join(ARTIFACTS, `${name}.png`), ...(target === page ? { fullPage: true } : {}) });
}

function pagesNav(): Locator {
  return page.getByRole('navigation', { name: 'Pages' });
}

function collectionCard(): Locator {
  return page.getByRole('article', { name: 'mixed' });
}

function viewer(): Locator {
  return page.getByRole('dialog', { name: 'Document viewer' });
}

beforeAll(async () => {
  await prepareE2e();
  const storiesModel = requireStoriesModel();
  workDir = await mkdtemp(join(tmpdir(), 'tandem-e2e-docs-'));
  const modelsDir = join(workDir, 'models');
  await mkdir(modelsDir);
  await copyFile(storiesModel, join(modelsDir, `${storiesModelId}.gguf`));
  await writeTinyBertGguf(join(modelsDir, `${EMBEDDER_ID}.gguf`));
  folder = join(workDir, 'mixed');
  manifest = await writeMixedFolder(folder, { maxFileBytes: 256 * 1024, largeFileBytes: 300 * 1024 });

  server = await startServe({ dataDir: join(workDir, 'data'), modelsDir });
  // What a person would set in Settings: the size limit the folder was made for, and the embedding model.
  ws = await TandemWsClient.connect(wsUrl(server.port, server.token));
  const settings = await ws.call('settings.get', {});
  await ws.call('settings.update', {
    defaultModelId: storiesModelId,
    maxTokens: 48, // the tiny model's words are noise anyway; the sources are what is checked
    documents: { ...settings.documents, maxFileBytes: manifest.maxFileBytes, embeddingModelId: EMBEDDER_ID },
  });

  browser = await launchChromium();
  ({ context, page } = await openTandem(browser, server.url, { viewport: { width: 1280, height: 860 }, timeoutMs: 20_000 }));
});

afterAll(async () => {
  await context?.close().catch(() => undefined);
  await browser?.close().catch(() => undefined);
  await ws?.close().catch(() => undefined);
  await server?.stop({ timeoutMs: 5_000 }).catch(() => undefined);
  if (workDir) await rm(workDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
});

afterEach(async (testContext) => {
  if (testContext.task.result?.state === 'fail') {
    await screenshot(`documents-failed-${testContext.task.name.slice(0, 40).replace(/\W+/g, '-')}`).catch(() => undefined);
    // What the backend said: a dead or struggling server explains a failed click.
    console.error(`serve running: ${server?.running}; stderr tail:\n${server?.stderr().slice(-4000)}`);
  }
});

describe('the Documents page', () => {
  test('adds a folder, shows the indexing progress, then the counts and the files that could not be read', async () => {
    await pagesNav().getByRole('button', { name: 'Documents' }).click();
    await page.getByRole('heading', { name: 'Documents', level: 1 }).waitFor();
    await page.getByText(/^No collections yet/).waitFor();

    await page.getByRole('textbox', { name: 'Folder or file path' }).fill(folder);
    // The name defaults to the folder's base name.
    expect(await page.getByRole('textbox', { name: 'Collection name' }).inputValue()).toBe('mixed');
    await page.getByRole('checkbox', { name: 'Local only' }).check();
    await screenshot('documents-01-add-folder', page.getByRole('region', { name: 'Add a folder' }));
    await page.getByRole('button', { name: 'Add folder' }).click();

    const card = collectionCard();
    await card.waitFor();
    const progress = card.getByRole('progressbar', { name: 'Indexing progress' });
    await progress.waitFor();
    await screenshot('documents-02-indexing');
    await card.getByText('Indexing finished').waitFor({ timeout: 120_000 });
    // a finished job's bar stays, full
    expect(await progress.getAttribute('value')).toBe(await progress.getAttribute('max'));

    const counts = card.locator('dl');
    await expect.poll(() => counts.innerText(), POLL).toMatch(new RegExp(`Files\\s+${manifest.good.length}\\b`));
    expect(await counts.innerText()).toMatch(new RegExp(`Failed\\s+${manifest.bad.length}\\b`));
    expect(await counts.innerText()).toContain(`Keyword + semantic (${EMBEDDER_ID})`);
    await card.getByText('local only').waitFor();
    await card.getByText('Ready', { exact: true }).waitFor();
    // No reranker until one is chosen; the models of the models folders are offered.
    const reranker = card.getByRole('combobox', { name: 'Reranker for mixed' });
    expect(await reranker.inputValue()).toBe('');
    await expect.poll(() => reranker.locator('option').count(), POLL).toBeGreaterThan(1);

    const failures = card.getByRole('list', { name: 'Files that could not be read' });
    await failures.waitFor();
    expect(await failures.getByRole('listitem').count()).toBe(manifest.bad.length);
    const failureText = await failures.innerText();
    for (const bad of manifest.bad) {
      expect(failureText).toContain(bad.path);
      expect(failureText).toContain(`(${bad.code})`);
    }
    // Nothing that should be ignored shows up anywhere.
    for (const ignored of manifest.ignored) expect(await page.getByText(ignored, { exact: true }).count()).toBe(0);
    await screenshot('documents-03-indexed');
  });

  test('finds the fact on page 3 first, with the query words marked, and opens it in the viewer', async () => {
    const search = page.getByRole('searchbox', { name: 'Search documents' });
    await search.fill(manifest.fact.query);
    await page.getByRole('combobox', { name: 'Search mode' }).selectOption('hybrid');
    await search.press('Enter');

    const results = page.getByRole('list', { name: 'Search results' });
    await results.waitFor();
    const first = results.getByRole('listitem').first();
    await first.getByRole('button', { name: 'Open report.pdf, page 3' }).waitFor();
    expect(await first.locator('mark').allInnerTexts()).toEqual(expect.arrayContaining(['Zanzibar']));
    // the page scrolls inside its own container, so shoot the panel itself
    await screenshot('documents-04-search', page.getByRole('region', { name: 'Search' }));

    await first.getByRole('button', { name: 'Open report.pdf, page 3' }).click();
    const dialog = viewer();
    await dialog.waitFor();
    const cited = dialog.getByRole('region', { name: 'Page 3' });
    await cited.waitFor();
    expect(await cited.getAttribute('aria-current')).toBe('location');
    await expect.poll(() => cited.locator('mark').innerText(), POLL).toContain('Zanzibar protocol uses port 7431');
    // every page has its section, labelled
    for (const n of [1, 2, 4]) await dialog.getByRole('region', { name: `Page ${n}` }).waitFor();
    // serve mode has no system viewer to hand the file to
    expect(await dialog.getByRole('button', { name: 'Open in system viewer' }).count()).toBe(0);
    await screenshot('documents-05-viewer');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
  });

  test('says which search mode ran', async () => {
    await page.getByRole('combobox', { name: 'Search mode' }).selectOption('semantic');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByText(/results · semantic search$/).waitFor();
  });

  test('exports the inventory as JSON and Markdown, from the keyboard', async () => {
    const card = collectionCard();
    for (const [item, extension] of [
      ['Export as JSON', '.json'],
      ['Export as Markdown', '.md'],
    ] as const) {
      // ArrowDown opens the menu on its first item (a click could scroll the page, which closes the menu).
      await card.getByRole('button', { name: 'Export inventory' }).focus();
      await page.keyboard.press('ArrowDown');
      const menuItem = page.getByRole('menuitem', { name: item });
      await menuItem.waitFor();
      if (item === 'Export as Markdown') await page.keyboard.press('ArrowDown');
      await expect.poll(() => menuItem.evaluate((el) => el === (el as unknown as { ownerDocument: { activeElement: unknown } }).ownerDocument.activeElement), POLL).toBe(true);
      const downloading = page.waitForEvent('download');
      await page.keyboard.press('Enter');
      const download = await downloading;
      expect(download.suggestedFilename().endsWith(extension)).toBe(true);
      const content = await readFile((await download.path())!, 'utf8');
      expect(content).toContain('report.pdf');
      if (extension === '.json') expect(() => JSON.parse(content) as unknown).not.toThrow();
    }
  });

  test('a big folder can be searched while it indexes (with a notice), and its indexing cancelled', async () => {
    const corpus = join(workDir, 'corpus');
    await writeCorpus(corpus, { files: 1500, seed: 3 });
    await page.getByRole('textbox', { name: 'Folder or file path' }).fill(corpus);
    await page.getByRole('button', { name: 'Add folder' }).click();
    const card = page.getByRole('article', { name: 'corpus' });
    await card.getByText(/^\d+ of 1,?500 files$/).waitFor({ timeout: 60_000 });

    await page.getByRole('combobox', { name: 'Collection to search' }).selectOption({ label: 'corpus' });
    await page.getByRole('combobox', { name: 'Search mode' }).selectOption('keyword');
    await page.getByRole('searchbox', { name: 'Search documents' }).fill('budget review');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'still being indexed' }).waitFor();
    // under way: files done, the file being read, chunks, time left
    await card.getByText(/^[1-9][\d,]* of 1,?500 files$/).waitFor({ timeout: 60_000 });
    await card.getByText(/^Now: /).waitFor();
    await card.scrollIntoViewIfNeeded();
    await screenshot('documents-03b-indexing-big-folder', card);

    await card.getByRole('button', { name: 'Cancel indexing' }).click();
    await card.getByText('Indexing cancelled').waitFor();
    await card.getByRole('button', { name: 'Re-index' }).waitFor();
    const done = Number((await card.getByRole('progressbar', { name: 'Indexing progress' }).getAttribute('value')) ?? '0');
    expect(done).toBeLessThan(1500);

    await card.getByRole('button', { name: 'Remove' }).click();
    await page.getByRole('dialog', { name: 'Remove corpus?' }).getByRole('button', { name: 'Remove' }).click();
    await expect.poll(() => card.count(), POLL).toBe(0);
  });
});

describe('a chat that answers from the collection', () => {
  test('attaches the collection, answers with sources, and a citation opens the viewer at page 3', async () => {
    await pagesNav().getByRole('button', { name: 'Chats' }).click();
    await page.getByRole('combobox', { name: 'Model' }).selectOption(storiesModelId);

    const collectionsButton = page.getByRole('button', { name: 'Collections', exact: true });
    await collectionsButton.click();
    const popover = page.getByRole('group', { name: 'Collections for this chat' });
    await popover.getByRole('checkbox', { name: 'mixed' }).check();
    await screenshot('documents-06-attach', page.getByRole('region', { name: 'Conversation' }));
    await page.keyboard.press('Escape');
    await popover.waitFor({ state: 'hidden' });
    expect(await collectionsButton.evaluate((el) => el === (el as unknown as { ownerDocument: { activeElement: unknown } }).ownerDocument.activeElement)).toBe(true);
    const chips = page.getByRole('list', { name: 'Attached collections' });
    await chips.getByText('mixed').waitFor();

    const message = page.getByRole('textbox', { name: 'Message' });
    await message.fill(manifest.fact.query);
    await message.press('Enter');

    const answer = page.getByRole('article', { name: /^assistant message/ }).last();
    const sources = answer.getByRole('region', { name: 'Sources' });
    await sources.waitFor({ timeout: 60_000 });
    const pageThree = sources.getByRole('button', { name: /^Source \d+: report\.pdf, page 3$/ });
    await pageThree.waitFor();
    expect(await sources.getByRole('button').first().getAttribute('aria-label')).toBe('Source 1: report.pdf, page 3');
    expect(await sources.innerText()).toContain('Zanzibar protocol uses port 7431');
    await page.getByRole('button', { name: 'Send', exact: true }).waitFor({ timeout: 60_000 }); // the answer ended
    await screenshot('documents-07-answer-with-sources');

    // The chat keeps the collection (saved in its settings), the other settings untouched.
    const chats = await ws!.call('chats.list', {});
    const collections = await ws!.call('collections.list', {});
    expect(chats[0]?.settings?.collectionIds).toEqual([collections[0]?.id]);

    // From the keyboard: the source opens the viewer at the cited page, Escape closes it.
    await pageThree.focus();
    await page.keyboard.press('Enter');
    const dialog = viewer();
    const cited = dialog.getByRole('region', { name: 'Page 3' });
    await cited.waitFor();
    await expect.poll(() => cited.locator('mark').innerText(), POLL).toContain('Zanzibar protocol uses port 7431');
    await screenshot('documents-08-citation-viewer');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
  });

  test('after a reload the saved answer shows the same sources', async () => {
    await page.reload();
    await page.getByRole('status').filter({ hasText: 'Connected' }).waitFor();
    await page.getByRole('navigation', { name: 'Chats' }).getByRole('button', { name: manifest.fact.query, exact: true }).click();
    const answer = page.getByRole('article', { name: /^assistant message/ }).last();
    await answer.getByRole('button', { name: 'Source 1: report.pdf, page 3' }).waitFor();
    await page.getByRole('list', { name: 'Attached collections' }).getByText('mixed').waitFor();

    await page.emulateMedia({ colorScheme: 'dark' });
    await screenshot('documents-09-dark-answer');
    await pagesNav().getByRole('button', { name: 'Documents' }).click();
    await collectionCard().waitFor();
    await screenshot('documents-10-dark-page');
    await page.emulateMedia({ colorScheme: 'light' });
  });

  test('removing the collection asks first and then drops it', async () => {
    const card = collectionCard();
    await card.getByRole('button', { name: 'Remove' }).click();
    const confirm = page.getByRole('dialog', { name: 'Remove mixed?' });
    await confirm.getByRole('button', { name: 'Remove' }).click();
    await expect.poll(() => collectionCard().count(), POLL).toBe(0);
    await page.getByText(/^No collections yet/).waitFor();
    // the files are untouched
    expect(existsSync(manifest.fact.path)).toBe(true);
  });
});
