import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { startFakeOpenAI, type FakeOpenAIServer } from '../fixtures/fake-openai-server';
import { startServe, type ServeProcess } from '../support/serve-process';
import { ARTIFACTS, MODEL_FILE, launchChromium, openTandem, prepareE2e } from '../support/e2e-browser';

/**
 * Auto (the model router) as a person uses it in serve mode: an Auto chat
 * answers and says which model answered and why, a vote is saved, a paid
 * answer shows up on the Usage page's charts, and a tiny daily budget stops
 * the next paid request with a clear notice. The paid model is a priced model
 * on the fake OpenAI-compatible server.
 */

const API_KEY = 'sk-made-up-0123456789abcdef';
const PROVIDER = 'fakecloud';
const PAID_MODEL = `${PROVIDER}/priced-test`;
const AUTO_PROMPT = 'Once upon a time, in Auto';

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

function chatsNav(): Locator {
  return page.getByRole('navigation', { name: 'Chats' });
}

function lastAssistant(): Locator {
  return page.getByRole('article', { name: /^assistant message/ }).last();
}

async function sendMessage(text: string): Promise<void> {
  const message = page.getByRole('textbox', { name: 'Message' });
  await message.fill(text);
  await message.press('Enter');
}

async function newChat(): Promise<void> {
  await pagesNav().getByRole('button', { name: 'Chats' }).click();
  await chatsNav().getByRole('button', { name: 'New chat', exact: true }).click();
}

beforeAll(async () => {
  await prepareE2e();
  if (!existsSync(MODEL_FILE)) throw new Error(`The test model ${MODEL_FILE} is missing (set TANDEM_TEST_MODEL).`);
  workDir = await mkdtemp(join(tmpdir(), 'tandem-e2e-routing-'));
  const modelsDir = join(workDir, 'models');
  await mkdir(modelsDir);
  await copyFile(MODEL_FILE, join(modelsDir, 'stories260K.gguf'));

  fake = await startFakeOpenAI({
    apiKey: API_KEY,
    extraModels: [
      // OpenRouter-style live prices (dollars per token), so answers have a cost.
      { id: 'priced-test', object: 'model', created: 1700000000, owned_by: 'fake', context_length: 32768, pricing: { prompt: '0.00001', completion: '0.00003' } },
    ],
  });
  server = await startServe({ dataDir: join(workDir, 'data'), modelsDir });
  browser = await launchChromium();
  ({ context, page } = await openTandem(browser, server.url, { viewport: { width: 1280, height: 860 }, timeoutMs: 20_000 }));

  // The fake server as a custom provider, as a person adds one.
  await pagesNav().getByRole('button', { name: 'Providers' }).click();
  const form = page.getByRole('form', { name: 'Add provider' });
  await form.getByRole('combobox', { name: 'Preset' }).selectOption('custom');
  await form.getByRole('textbox', { name: /^Name/ }).fill(PROVIDER);
  await form.getByRole('textbox', { name: /^Base URL/ }).fill(fake.baseUrl);
  await form.getByLabel('API key').fill(API_KEY);
  await form.getByRole('button', { name: 'Add provider' }).click();
  await page.getByRole('article', { name: PROVIDER }).waitFor();
  await pagesNav().getByRole('button', { name: 'Chats' }).click();
  await page.getByRole('combobox', { name: 'Model' }).locator(`option[value="${PAID_MODEL}"]`).waitFor({ state: 'attached' });
});

afterAll(async () => {
  await context?.close().catch(() => undefined);
  await browser?.close().catch(() => undefined);
  await server?.stop({ timeoutMs: 5_000 }).catch(() => undefined);
  await fake?.close().catch(() => undefined);
  if (workDir) await rm(workDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
});

afterEach(async (context) => {
  if (context.task.result?.state === 'fail') await screenshot(`routing-failed-${context.task.name.slice(0, 40).replace(/\W+/g, '-')}`).catch(() => undefined);
});

describe('Auto in the chat', () => {
  test('an Auto answer names its model, explains why, and keeps a vote across a reload', async () => {
    const picker = page.getByRole('combobox', { name: 'Model' });
    // Auto comes first.
    expect(await picker.locator('option').first().getAttribute('value')).toBe('auto');
    await picker.selectOption('auto');
    const priority = page.getByRole('combobox', { name: 'Priority' });
    await priority.waitFor();
    await priority.selectOption('quality');

    // The composer estimates the prompt as it is typed, and names Auto's pick.
    await page.getByRole('textbox', { name: 'Message' }).fill(AUTO_PROMPT);
    await page.getByText(/^\d+ tokens · .*Auto would pick/).waitFor();
    await page.getByRole('textbox', { name: 'Message' }).press('Enter');

    const answer = lastAssistant();
    await page.getByRole('button', { name: 'Send', exact: true }).waitFor({ timeout: 45_000 });
    await answer.getByRole('button', { name: 'Good answer' }).waitFor();
    const author = (await answer.locator('.message__author').innerText()).trim();
    expect(author).not.toBe('');
    expect(author).not.toBe('Auto');
    expect(author).not.toBe('Assistant');
    await answer.getByText('Auto', { exact: true }).waitFor();

    const why = answer.getByRole('button', { name: 'Why this model?' });
    expect(await why.getAttribute('aria-expanded')).toBe('false');
    await why.click();
    expect(await why.getAttribute('aria-expanded')).toBe('true');
    const table = answer.getByRole('table');
    await table.waitFor();
    // Local and cloud models were weighed: at least the tiny model and the fake provider's ones.
    expect(await table.getByRole('row').count()).toBeGreaterThan(2);
    expect(await table.innerText()).toContain('stories260K');
    expect(await table.innerText()).toContain(PAID_MODEL);
    // Each model once, and the one marked chosen is the one the header names.
    const ids = (await table.getByRole('rowheader').allInnerTexts()).map((text) => text.split('\n')[0]!.trim());
    expect(new Set(ids).size).toBe(ids.length);
    const chosen = table.getByRole('row').filter({ hasText: 'Chosen' });
    expect(await chosen.count()).toBe(1);
    expect((await chosen.getByRole('rowheader').innerText()).split('\n')[0]!.trim()).toBe(author);
    // The answer itself (header, reason and table): the page scrolls inside the message list.
    await answer.screenshot({ path: join(ARTIFACTS, 'routing-01-why-this-model.png') });

    // The candidates can be asked instead.
    const other = answer.getByRole('button', { name: 'Use another model' });
    await other.click();
    expect(await page.getByRole('menu', { name: 'Use another model' }).getByRole('menuitem').count()).toBeGreaterThan(0);
    await page.keyboard.press('Escape');

    const good = answer.getByRole('button', { name: 'Good answer' });
    const bad = answer.getByRole('button', { name: 'Bad answer' });
    expect(await good.getAttribute('aria-pressed')).toBe('false');
    await good.click();
    await expect.poll(() => good.getAttribute('aria-pressed'), POLL).toBe('true');
    expect(await bad.getAttribute('aria-pressed')).toBe('false');

    await page.reload();
    await chatsNav().waitFor();
    await chatsNav().getByRole('button', { name: AUTO_PROMPT, exact: true }).click();
    const reloaded = lastAssistant().getByRole('button', { name: 'Good answer' });
    await reloaded.waitFor();
    await expect.poll(() => reloaded.getAttribute('aria-pressed'), POLL).toBe('true');
    // Pressing it again takes the vote back.
    await reloaded.click();
    await expect.poll(() => reloaded.getAttribute('aria-pressed'), POLL).toBe('false');
  });
});

describe('the Usage page', () => {
  test('a paid answer shows up in the charts, totals and per-model table', async () => {
    await newChat();
    await page.getByRole('combobox', { name: 'Model' }).selectOption(PAID_MODEL);
    await sendMessage('Hello, paid cloud');
    const answer = lastAssistant();
    await answer.getByText('Hello from the fake server.').waitFor();
    await answer.getByText(/out tokens/).waitFor();

    await pagesNav().getByRole('button', { name: 'Usage' }).click();
    await page.getByRole('heading', { name: 'Usage', level: 1 }).waitFor();
    expect(await pagesNav().getByRole('button', { name: 'Usage' }).getAttribute('aria-current')).toBe('page');
    const spend = page.getByTestId('spend-chart');
    await expect.poll(() => spend.locator('svg .recharts-bar-rectangle').count(), POLL).toBeGreaterThan(0);
    await expect.poll(() => page.getByTestId('tokens-chart').locator('svg .recharts-bar-rectangle').count(), POLL).toBeGreaterThan(0);
    const totals = page.getByRole('definition').first();
    expect(await totals.innerText()).toMatch(/^\$\d/);
    const models = page.getByRole('table', { name: 'By model' });
    await models.getByRole('rowheader', { name: /priced-test/ }).waitFor();

    // Spend by model as well as by provider.
    await page.getByRole('radio', { name: 'By model' }).check();
    await expect.poll(() => spend.locator('svg .recharts-bar-rectangle').count(), POLL).toBeGreaterThan(0);
    await screenshot('routing-02-usage');

    for (const period of ['Last 7 days', 'Last 30 days', 'This month']) {
      await page.getByRole('combobox', { name: 'Period' }).selectOption({ label: period });
      await expect.poll(() => spend.locator('svg .recharts-bar-rectangle').count(), POLL).toBeGreaterThan(0);
    }

    await page.getByRole('button', { name: 'Clear cache' }).click();
    await page.getByRole('status').filter({ hasText: /^Removed \d+ cached answers?\.$/ }).waitFor();
  });

  test('pinned rules can be added, reordered, switched off and deleted', async () => {
    const form = page.getByRole('form', { name: 'Add a pinned rule' });
    await form.getByRole('combobox', { name: 'When' }).selectOption('prompt-looks-like-code');
    await form.getByRole('combobox', { name: 'Send to' }).selectOption('local');
    await form.getByRole('button', { name: 'Add rule' }).click();
    await form.getByRole('combobox', { name: 'When' }).selectOption('tokens-over');
    await form.getByRole('spinbutton', { name: 'Tokens' }).fill('2000');
    await form.getByRole('combobox', { name: 'Send to' }).selectOption(`model:${PAID_MODEL}`);
    await form.getByRole('button', { name: 'Add rule' }).click();

    const rules = page.getByRole('list', { name: 'Pinned rules' });
    await expect.poll(() => rules.getByRole('listitem').allInnerTexts(), POLL).toEqual([
      expect.stringContaining('looks like code'),
      expect.stringContaining('over 2000 tokens'),
    ]);
    await page.getByRole('button', { name: 'Move rule 2 up' }).click();
    await expect.poll(() => rules.getByRole('listitem').first().innerText(), POLL).toContain('over 2000 tokens');
    await page.getByRole('checkbox', { name: 'Enable rule 1' }).uncheck();
    await expect.poll(() => page.getByRole('checkbox', { name: 'Enable rule 1' }).isChecked(), POLL).toBe(false);
    await page.getByRole('button', { name: 'Delete rule 1' }).click();
    await page.getByRole('button', { name: 'Delete rule 1' }).click();
    await page.getByText('No pinned rules.').waitFor();
  });

  test('a tiny daily budget stops the next paid request with a clear notice', async () => {
    const budget = page.getByRole('form', { name: 'Budget' });
    await budget.getByRole('spinbutton', { name: 'Daily cap ($)' }).fill('0.000001');
    await budget.getByRole('button', { name: 'Save budget' }).click();
    await budget.getByRole('status').filter({ hasText: 'Budget saved.' }).waitFor();
    // Over the cap: the budget status says so.
    await page.getByRole('meter', { name: 'Today used' }).waitFor();

    await newChat();
    await page.getByRole('combobox', { name: 'Model' }).selectOption(PAID_MODEL);
    const before = fake!.count('priced-test');
    await sendMessage('Hello again, paid cloud');
    const alert = page.getByRole('alert').filter({ hasText: 'Budget exceeded' });
    await alert.waitFor({ timeout: 30_000 });
    expect(await alert.innerText()).toMatch(/Budget exceeded.+\S/s);
    // It never reached the paid model.
    expect(fake!.count('priced-test')).toBe(before);
    await screenshot('routing-03-budget-exceeded');
  });

  test('the Usage page follows the dark theme', async () => {
    await page.getByRole('radio', { name: 'Dark' }).check();
    await expect.poll(() => page.locator('html').getAttribute('data-theme'), POLL).toBe('dark');
    await pagesNav().getByRole('button', { name: 'Usage' }).click();
    await expect.poll(() => page.getByTestId('spend-chart').locator('svg .recharts-bar-rectangle').count(), POLL).toBeGreaterThan(0);
    await new Promise((done) => setTimeout(done, 300));
    await screenshot('routing-04-usage-dark');
  });
});

describe('provider queues', () => {
  test("a provider's request limits and its own budget caps can be set on its card and survive a reload", async () => {
    await pagesNav().getByRole('button', { name: 'Providers' }).click();
    const card = page.getByRole('article', { name: PROVIDER });
    const atOnce = card.getByRole('spinbutton', { name: `Requests at once to ${PROVIDER}` });
    // Empty shows the preset's defaults (a custom endpoint: 16 at once).
    await expect.poll(() => atOnce.getAttribute('placeholder'), POLL).toBe('16');
    await atOnce.fill('2');
    await card.getByRole('spinbutton', { name: `Requests per minute to ${PROVIDER}` }).fill('30');
    await card.getByRole('button', { name: 'Save limits' }).click();
    await card.getByRole('form', { name: `Request limits of ${PROVIDER}` }).getByRole('status').filter({ hasText: 'Saved' }).waitFor();
    // A cap for this provider alone.
    await card.getByRole('spinbutton', { name: `Daily cap for ${PROVIDER} in dollars` }).fill('5');
    await card.getByRole('button', { name: 'Save caps' }).click();
    await card.getByRole('form', { name: `Budget of ${PROVIDER}` }).getByRole('status').filter({ hasText: 'Saved' }).waitFor();
    await card.screenshot({ path: join(ARTIFACTS, 'routing-05-provider-limits.png') });
    await page.reload();
    await pagesNav().getByRole('button', { name: 'Providers' }).click();
    await expect.poll(() => page.getByRole('spinbutton', { name: `Requests at once to ${PROVIDER}` }).inputValue(), POLL).toBe('2');
    await expect.poll(() => page.getByRole('spinbutton', { name: `Requests per minute to ${PROVIDER}` }).inputValue(), POLL).toBe('30');
    await expect.poll(() => page.getByRole('spinbutton', { name: `Daily cap for ${PROVIDER} in dollars` }).inputValue(), POLL).toBe('5');
  });
});
