import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { startFakeOpenAI, type FakeOpenAIServer } from '../fixtures/fake-openai-server';
import { writeTinyLlamaGguf } from '../fixtures/gguf-writer';
import { startServe, type ServeProcess } from '../support/serve-process';
import { MODEL_FILE, ARTIFACTS, launchChromium, openTandem, prepareE2e } from '../support/e2e-browser';

/**
 * The Models and Providers pages as a person uses them (serve mode): inspect
 * and load a local model, add an OpenAI-compatible provider (the fake server),
 * test it, chat with one of its models and see what it cost, and see a clear
 * notice when the provider keeps rate limiting.
 */

const API_KEY = 'sk-made-up-0123456789abcdef';
const PROVIDER = 'fakecloud';

let workDir = '';
let server: ServeProcess | null = null;
let fake: FakeOpenAIServer | null = null;
let browser: Browser | null = null;
let context: BrowserContext | null = null;
let page: Page;

const POLL = { timeout: 15_000, interval: 100 };

async function screenshot(name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

function pagesNav(): Locator {
  return page.getByRole('navigation', { name: 'Pages' });
}

function lastAssistant(): Locator {
  return page.getByRole('article', { name: /^assistant message/ }).last();
}

async function sendMessage(text: string): Promise<void> {
  const message = page.getByRole('textbox', { name: 'Message' });
  await message.fill(text);
  await message.press('Enter');
}

beforeAll(async () => {
  await prepareE2e();
  if (!existsSync(MODEL_FILE)) throw new Error(`The test model ${MODEL_FILE} is missing (set TANDEM_TEST_MODEL).`);
  workDir = await mkdtemp(join(tmpdir(), 'tandem-e2e-pages-'));
  const modelsDir = join(workDir, 'models');
  await mkdir(modelsDir);
  await copyFile(MODEL_FILE, join(modelsDir, 'stories260K.gguf'));
  await writeTinyLlamaGguf(join(modelsDir, 'generated-tiny.gguf'), { seed: 7, contextLength: 512 });
  await writeFile(join(modelsDir, 'broken.gguf'), 'this is not a GGUF file');

  fake = await startFakeOpenAI({
    apiKey: API_KEY,
    extraModels: [
      // OpenRouter-style live prices (dollars per token), so answers have a cost.
      { id: 'priced-test', object: 'model', created: 1700000000, owned_by: 'fake', context_length: 32768, pricing: { prompt: '0.00001', completion: '0.00003' } },
      { id: 'fault-429', object: 'model', created: 1700000000, owned_by: 'fake' },
      // rate limited twice with Retry-After: 1, then answers
      { id: 'fault-429-wait-x2', object: 'model', created: 1700000000, owned_by: 'fake' },
      { id: 'gift-model:free', object: 'model', created: 1700000000, owned_by: 'fake', pricing: { prompt: '0', completion: '0' } },
    ],
  });
  server = await startServe({ dataDir: join(workDir, 'data'), modelsDir });
  browser = await launchChromium();
  ({ context, page } = await openTandem(browser, server.url, { viewport: { width: 1280, height: 800 }, timeoutMs: 20_000 }));
});

afterAll(async () => {
  await context?.close().catch(() => undefined);
  await browser?.close().catch(() => undefined);
  await server?.stop({ timeoutMs: 5_000 }).catch(() => undefined);
  await fake?.close().catch(() => undefined);
  if (workDir) await rm(workDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
});

afterEach(async (context) => {
  if (context.task.result?.state === 'fail') await screenshot(`pages-failed-${context.task.name.slice(0, 40).replace(/\W+/g, '-')}`).catch(() => undefined);
});

describe('the Models page', () => {
  test('lists the GGUFs with their details, and loads and unloads one', async () => {
    // The page rail works from the keyboard: its buttons are in the Tab order.
    await pagesNav().getByRole('button', { name: 'Models' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Models', level: 1 }).waitFor();
    expect(await pagesNav().getByRole('button', { name: 'Models' }).getAttribute('aria-current')).toBe('page');

    const row = page.getByRole('row', { name: /^stories260K/ });
    await row.waitFor();
    await expect.poll(() => row.getByRole('cell').allInnerTexts(), POLL).toContain('2048');
    const cells = await row.getByRole('cell').allInnerTexts();
    expect(cells).toContain('llama');
    await page.getByRole('row', { name: /^generated-tiny/ }).waitFor();
    // A file that is not a model is listed with its problem, and cannot be loaded.
    const broken = page.getByRole('row', { name: /^broken/ });
    expect(await broken.getByText('Can’t be used').count()).toBe(1);
    expect((await broken.innerText()).length).toBeGreaterThan('broken'.length + 20);
    expect(await page.getByRole('button', { name: 'Load broken' }).count()).toBe(0);
    await page.getByRole('heading', { name: 'This computer' }).waitFor();
    await expect.poll(() => row.getByText(/^(Fits|Does not fit)$/).count(), POLL).toBe(1);

    await page.getByRole('button', { name: 'Load stories260K' }).click();
    await row.getByText(/^Loaded/).waitFor({ timeout: 30_000 });
    await screenshot('pages-01-models-loaded');

    await page.getByRole('button', { name: 'Unload stories260K' }).click();
    await page.getByRole('button', { name: 'Load stories260K' }).waitFor();
    await expect.poll(() => row.getByText(/^Loaded/).count(), POLL).toBe(0);
  });

  test('adds and removes a model folder, imports a file, and loads a model with options', async () => {
    const extra = join(workDir, 'extra-folder');
    await mkdir(extra);
    await writeTinyLlamaGguf(join(extra, 'folder-model.gguf'), { seed: 11, contextLength: 512 });
    const importable = join(workDir, 'import-me.gguf');
    await writeTinyLlamaGguf(importable, { seed: 13, contextLength: 512 });

    const folders = page.getByRole('list', { name: 'Folders scanned for models' });
    await folders.getByText(join(workDir, 'models')).waitFor();
    expect(await page.getByRole('button', { name: `Remove ${join(workDir, 'models')}` }).count()).toBe(0);

    await page.getByRole('textbox', { name: 'Folder path' }).fill(extra);
    await page.getByRole('button', { name: 'Add folder' }).click();
    await page.getByRole('row', { name: 'folder-model' }).waitFor();
    await folders.getByText(extra).waitFor();
    // the page scrolls inside its own container, so shoot the panel itself
    await page.getByRole('region', { name: 'Model folders' }).screenshot({ path: join(ARTIFACTS, 'pages-01b-model-folder-added.png') });

    await page.getByRole('button', { name: `Remove ${extra}` }).click();
    await expect.poll(() => page.getByRole('row', { name: 'folder-model' }).count(), POLL).toBe(0);
    await expect.poll(() => folders.getByText(extra).count(), POLL).toBe(0);

    await page.getByRole('textbox', { name: 'Model file path' }).fill(importable);
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    const imported = page.getByRole('row', { name: 'import-me' });
    await imported.waitFor();
    expect(await imported.innerText()).toContain(join(workDir, 'data', 'models', 'import-me.gguf'));

    await page.getByRole('button', { name: 'Load options for import-me' }).click();
    const dialog = page.getByRole('dialog', { name: 'Load import-me with options' });
    await dialog.getByRole('textbox', { name: 'Context size' }).fill('256');
    await screenshot('pages-01c-load-options');
    await dialog.getByRole('button', { name: 'Load', exact: true }).click();
    const badge = imported.getByText(/^Loaded/);
    await badge.waitFor({ timeout: 30_000 });
    expect(await badge.getAttribute('title')).toBe('Context 256 tokens');
    await screenshot('pages-01d-loaded-with-options');
    await page.getByRole('button', { name: 'Unload import-me' }).click();
    await page.getByRole('button', { name: 'Load import-me' }).waitFor();
  });
});

describe('the Providers page', () => {
  test('adds the fake server as a custom provider and tests the connection', async () => {
    await pagesNav().getByRole('button', { name: 'Providers' }).click();
    await page.getByRole('heading', { name: 'Providers', level: 1 }).waitFor();
    await page.getByText('No providers yet. Add one below.').waitFor();

    const form = page.getByRole('form', { name: 'Add provider' });
    await form.getByRole('combobox', { name: 'Preset' }).selectOption('custom');
    await form.getByRole('textbox', { name: /^Name/ }).fill(PROVIDER);
    await form.getByRole('textbox', { name: /^Base URL/ }).fill(fake!.baseUrl);
    const key = form.getByLabel('API key');
    expect(await key.getAttribute('type')).toBe('password');
    await key.fill(API_KEY);
    await form.getByRole('button', { name: 'Add provider' }).click();

    const card = page.getByRole('article', { name: PROVIDER });
    await card.waitFor();
    // Only a masked form of the key ever comes back.
    const cardText = await card.innerText();
    expect(cardText).not.toContain(API_KEY);
    expect(cardText).toContain('stored key');

    await card.getByRole('button', { name: `Test connection to ${PROVIDER}` }).click();
    await card.getByText(/^Connected in \d+ ms · 6 models$/).waitFor();
    const models = card.getByRole('table', { name: `Models of ${PROVIDER}` });
    await models.getByRole('rowheader', { name: 'gpt-test' }).waitFor();
    await models.getByRole('rowheader', { name: 'priced-test' }).waitFor();
    expect(await models.getByRole('row', { name: /^priced-test/ }).innerText()).toContain('$10 / $30');
    await screenshot('pages-02-provider-tested');
  });

  test('a cloud model answers in the chat, with its cost', async () => {
    await pagesNav().getByRole('button', { name: 'Chats' }).click();
    const picker = page.getByRole('combobox', { name: 'Model' });
    await picker.selectOption(`${PROVIDER}/priced-test`);
    expect(await picker.locator('option:checked').innerText()).toBe(`${PROVIDER}/priced-test`);
    expect(await picker.locator(`optgroup[label="${PROVIDER}"] option`).count()).toBe(6);

    await sendMessage('Hello, cloud');
    const answer = lastAssistant();
    await answer.getByText('Hello from the fake server.').waitFor();
    const usage = answer.getByText(/out tokens/);
    await usage.waitFor();
    expect(await usage.innerText()).toMatch(/\$0\.\d{4}|<\$0\.0001/);
    await screenshot('pages-03-cloud-answer');
  });

  test('a 429 shows a live retry notice on the answer, which gives way to the text once a retry gets through', async () => {
    await page.getByRole('navigation', { name: 'Chats' }).getByRole('button', { name: 'New chat', exact: true }).click();
    await page.getByRole('combobox', { name: 'Model' }).selectOption(`${PROVIDER}/fault-429-wait-x2`);
    await sendMessage('Please answer');
    const answer = lastAssistant();
    const notice = answer.getByRole('status').filter({ hasText: /Rate limited/ });
    await notice.waitFor({ timeout: 15_000 });
    expect(await notice.innerText()).toMatch(/^Rate limited \(RATE_LIMITED\) — retrying (in 1 s|now), attempt [23] of 3$/);
    await screenshot('pages-04a-retry-notice');
    // The second retry is announced too (the countdown restarts with it).
    await answer.getByRole('status').filter({ hasText: 'attempt 3 of 3' }).waitFor({ timeout: 15_000 });
    await answer.getByText('Hello from the fake server.').waitFor({ timeout: 15_000 });
    expect(await answer.getByRole('status').filter({ hasText: /Rate limited/ }).count()).toBe(0);
    expect(await answer.getByRole('alert').count()).toBe(0);
    expect(fake!.count('fault-429-wait-x2')).toBe(3);
    await screenshot('pages-04b-retry-answered');
  });

  test('a provider that keeps rate limiting ends in a clear RATE_LIMITED notice', async () => {
    await page.getByRole('navigation', { name: 'Chats' }).getByRole('button', { name: 'New chat', exact: true }).click();
    await page.getByRole('combobox', { name: 'Model' }).selectOption(`${PROVIDER}/fault-429`);
    await sendMessage('Are you there?');
    const answer = lastAssistant();
    const alert = answer.getByRole('alert');
    await alert.waitFor({ timeout: 30_000 });
    const text = await alert.innerText();
    expect(text).toContain('RATE_LIMITED');
    expect(text).toMatch(/rate limit/i);
    expect(fake!.count('fault-429')).toBeGreaterThan(1); // the backend retried before giving up
    await screenshot('pages-04-rate-limited');
  });

  test('per-chat settings are saved and shown again', async () => {
    await page.getByRole('button', { name: 'Chat settings' }).click();
    const dialog = page.getByRole('dialog', { name: 'Chat settings' });
    await dialog.getByRole('spinbutton', { name: 'Temperature' }).fill('0.3');
    await dialog.getByRole('textbox', { name: 'System prompt' }).fill('Be brief.');
    await screenshot('pages-05-chat-settings');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'hidden' });

    await page.getByRole('button', { name: 'Chat settings' }).click();
    expect(await dialog.getByRole('spinbutton', { name: 'Temperature' }).inputValue()).toBe('0.3');
    expect(await dialog.getByRole('textbox', { name: 'System prompt' }).inputValue()).toBe('Be brief.');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
  });

  test('the provider shows its health, and its key can be replaced but never read back', async () => {
    await pagesNav().getByRole('button', { name: 'Providers' }).click();
    const card = page.getByRole('article', { name: PROVIDER });
    // One good answer and one rate-limited one went through it.
    await card.getByText(/Last hour: \d+ requests · \d+% errors.*last error RATE_LIMITED/).waitFor();

    await card.getByRole('button', { name: `Change the API key of ${PROVIDER}` }).click();
    const newKey = card.getByLabel(`New API key for ${PROVIDER}`);
    expect(await newKey.getAttribute('type')).toBe('password');
    await newKey.fill(API_KEY);
    await card.getByRole('button', { name: 'Save key' }).click();
    await newKey.waitFor({ state: 'detached' });
    expect(await card.innerText()).not.toContain(API_KEY);
    await card.getByRole('button', { name: `Test connection to ${PROVIDER}` }).click();
    await card.getByText(/^Connected in \d+ ms/).waitFor();
    await screenshot('pages-06-provider-health');
  });

  test('the pages follow the dark theme', async () => {
    await pagesNav().getByRole('button', { name: 'Chats' }).click();
    await page.getByRole('radio', { name: 'Dark' }).check();
    await expect.poll(() => page.locator('html').getAttribute('data-theme'), POLL).toBe('dark');
    await pagesNav().getByRole('button', { name: 'Models' }).click();
    await page.getByRole('row', { name: /^stories260K/ }).waitFor();
    await new Promise((done) => setTimeout(done, 300));
    await screenshot('pages-07-models-dark');
    await pagesNav().getByRole('button', { name: 'Providers' }).click();
    await page.getByRole('article', { name: PROVIDER }).waitFor();
    await screenshot('pages-08-providers-dark');
  });

  test('an OpenRouter provider can show only its free models', async () => {
    await pagesNav().getByRole('button', { name: 'Providers' }).click();
    const form = page.getByRole('form', { name: 'Add provider' });
    await form.getByRole('combobox', { name: 'Preset' }).selectOption('openrouter');
    await form.getByRole('textbox', { name: /^Name/ }).fill('router');
    await form.getByRole('textbox', { name: /^Base URL/ }).fill(fake!.baseUrl);
    await form.getByLabel('API key').fill(API_KEY);
    await form.getByRole('button', { name: 'Add provider' }).click();
    const card = page.getByRole('article', { name: 'router' });
    const models = card.getByRole('table', { name: 'Models of router' });
    await models.getByRole('rowheader', { name: 'gpt-test' }).waitFor();
    await card.getByRole('checkbox', { name: 'Free models only' }).check();
    await expect.poll(() => models.getByRole('rowheader').allInnerTexts(), POLL).toEqual([expect.stringMatching(/^gift-model:free/)]);
    await card.getByRole('button', { name: 'Remove router' }).click();
    await page.getByRole('dialog', { name: 'Remove router?' }).getByRole('button', { name: 'Remove' }).click();
    await card.waitFor({ state: 'detached' });
  });

  test('removing a provider asks first', async () => {
    await pagesNav().getByRole('button', { name: 'Providers' }).click();
    const card = page.getByRole('article', { name: PROVIDER });
    await card.getByRole('button', { name: `Remove ${PROVIDER}` }).click();
    const dialog = page.getByRole('dialog', { name: `Remove ${PROVIDER}?` });
    await dialog.getByRole('button', { name: 'Remove' }).click();
    await card.waitFor({ state: 'detached' });
    await page.getByText('No providers yet. Add one below.').waitFor();
  });
});
