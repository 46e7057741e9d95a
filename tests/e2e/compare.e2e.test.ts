import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { startFakeOpenAI, type FakeOpenAIServer } from '../fixtures/fake-openai-server';
import { writeTinyLlamaGguf } from '../fixtures/gguf-writer';
import { startServe, type ServeProcess } from '../support/serve-process';
import { TandemWsClient, wsUrl } from '../support/ws-client';
import { ARTIFACTS, MODEL_FILE, launchChromium, openTandem, prepareE2e } from '../support/e2e-browser';

/**
 * Compare and strategies as a person uses them in serve mode: three models
 * (two local, one cloud on the fake OpenAI server) answer one prompt side by
 * side with live stats, blind until the vote; "Continue with this answer"
 * switches the chat's model and folds the other answers away; the saved
 * compare looks the same after a reload. Chat settings → Strategy saves a
 * draft-and-refine pipeline, whose answer shows its steps and the diff.
 */

const API_KEY = 'sk-made-up-0123456789abcdef';
const PROVIDER = 'fakecloud';
const CLOUD_MODEL = `${PROVIDER}/priced-test`;
const LOCAL_MODEL = 'stories260K';
const TINY_MODEL = 'generated-tiny';
const CLOUD_ANSWER = 'The cloud column answers: **once upon a time** there was a compare.';
const REFINED = 'Once upon a time, a refined story was told by the cloud.';
const PROMPT = 'Once upon a time';

let workDir = '';
let server: ServeProcess | null = null;
let fake: FakeOpenAIServer | null = null;
let browser: Browser | null = null;
let context: BrowserContext | null = null;
let page: Page;

const POLL = { timeout: 20_000, interval: 100 };
const ANSWER_REGION = /^Answer [A-D]$/;

async function screenshot(name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

function pagesNav(): Locator {
  return page.getByRole('navigation', { name: 'Pages' });
}

function chatsNav(): Locator {
  return page.getByRole('navigation', { name: 'Chats' });
}

function columns(): Locator {
  return page.getByRole('region', { name: ANSWER_REGION });
}

beforeAll(async () => {
  await prepareE2e();
  if (!existsSync(MODEL_FILE)) throw new Error(`The test model ${MODEL_FILE} is missing (set TANDEM_TEST_MODEL).`);
  workDir = await mkdtemp(join(tmpdir(), 'tandem-e2e-compare-'));
  const modelsDir = join(workDir, 'models');
  await mkdir(modelsDir);
  await copyFile(MODEL_FILE, join(modelsDir, `${LOCAL_MODEL}.gguf`));
  await writeTinyLlamaGguf(join(modelsDir, `${TINY_MODEL}.gguf`), { seed: 7, contextLength: 512 });

  fake = await startFakeOpenAI({
    apiKey: API_KEY,
    extraModels: [
      { id: 'priced-test', object: 'model', created: 1700000000, owned_by: 'fake', context_length: 32768, pricing: { prompt: '0.00001', completion: '0.00003' } },
      // One word every 50 ms for 10 s: long enough to stop.
      { id: 'slow-test', object: 'model', created: 1700000000, owned_by: 'fake' },
      { id: 'slow-test-b', object: 'model', created: 1700000000, owned_by: 'fake' },
    ],
  });
  // The refine step of a strategy sees a draft in its prompt; a compare column does not.
  fake.script('priced-test', (body) => ({ text: JSON.stringify(body.messages ?? '').includes('raft') ? REFINED : CLOUD_ANSWER }));
  server = await startServe({ dataDir: join(workDir, 'data'), modelsDir });
  const ws = await TandemWsClient.connect(wsUrl(server.port, server.token));
  try {
    await ws.call('providers.add', { name: PROVIDER, preset: 'custom', baseUrl: fake.baseUrl, apiKey: API_KEY });
    // The tiny models' words are noise: short answers keep the test fast.
    await ws.call('settings.update', { defaultModelId: LOCAL_MODEL, maxTokens: 40 });
  } finally {
    await ws.close();
  }
  browser = await launchChromium();
  ({ context, page } = await openTandem(browser, server.url, { viewport: { width: 1360, height: 900 }, timeoutMs: 20_000 }));
  await page.getByRole('combobox', { name: 'Model' }).locator(`option[value="${CLOUD_MODEL}"]`).waitFor({ state: 'attached' });
});

afterAll(async () => {
  await context?.close().catch(() => undefined);
  await browser?.close().catch(() => undefined);
  await server?.stop({ timeoutMs: 5_000 }).catch(() => undefined);
  await fake?.close().catch(() => undefined);
  if (workDir) await rm(workDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
});

afterEach(async (context) => {
  if (context.task.result?.state === 'fail') await screenshot(`compare-failed-${context.task.name.slice(0, 40).replace(/\W+/g, '-')}`).catch(() => undefined);
});

describe('compare', () => {
  test('three models answer side by side with stats; a blind vote reveals them; "Continue with this answer" switches the model', async () => {
    await page.getByRole('combobox', { name: 'Model' }).selectOption(LOCAL_MODEL);
    await page.getByRole('button', { name: 'Compare', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Compare models' });
    await dialog.waitFor();
    const start = dialog.getByRole('button', { name: 'Start comparing' });
    expect(await start.isDisabled()).toBe(true);
    for (const name of [LOCAL_MODEL, TINY_MODEL, CLOUD_MODEL]) await dialog.getByRole('checkbox', { name, exact: true }).check();
    await dialog.getByRole('checkbox', { name: 'Blind mode' }).check();
    await dialog.screenshot({ path: join(ARTIFACTS, 'compare-01-setup.png') });
    await start.click();
    await dialog.waitFor({ state: 'hidden' });

    const chip = page.getByRole('group', { name: 'Compare mode' });
    await chip.getByText(/^Comparing 3 models/).waitFor();
    const message = page.getByRole('textbox', { name: 'Message' });
    await message.fill(PROMPT);
    await message.press('Enter');

    // Three columns, labelled A, B, C; while blind, no model is named.
    await expect.poll(() => columns().count(), POLL).toBe(3);
    expect(await columns().evaluateAll((els) => els.map((el) => el.getAttribute('aria-label')))).toEqual(['Answer A', 'Answer B', 'Answer C']);
    // Every column ends with its stats line: time to first token, speed, tokens, cost and how it finished.
    for (const column of await columns().all()) {
      await column.getByText(/^TTFT .+ · .+ tok\/s · \d+ → \d+ tokens · (\$|<\$|cost unknown).* · (stop|length)$/).waitFor({ timeout: 60_000 });
    }
    await page.getByRole('button', { name: 'Send', exact: true }).waitFor({ timeout: 30_000 });
    for (const column of await columns().all()) {
      expect(await column.innerText()).toContain('Model hidden until you vote');
      expect(await column.innerText()).not.toContain(CLOUD_MODEL);
    }
    const cloud = columns().filter({ hasText: 'The cloud column answers' });
    expect(await cloud.count()).toBe(1);
    // Markdown is rendered like any answer.
    expect(await cloud.locator('strong').first().innerText()).toBe('once upon a time');
    // The cloud column has a price.
    expect(await cloud.getByText(/^TTFT /).innerText()).toMatch(/ · (\$|<\$)[\d.]+ · stop$/);
    await screenshot('compare-02-columns');

    // The vote names the models and marks the winner.
    await cloud.getByRole('button', { name: 'Best answer' }).click();
    await expect.poll(() => cloud.getByRole('button', { name: 'Best answer' }).getAttribute('aria-pressed'), POLL).toBe('true');
    await cloud.getByText('Best', { exact: true }).waitFor();
    await cloud.getByText(CLOUD_MODEL, { exact: true }).waitFor();
    const names = await columns().evaluateAll((els) => els.map((el) => el.querySelector('.compare-column__model')?.textContent ?? ''));
    expect([...names].sort()).toEqual([CLOUD_MODEL, LOCAL_MODEL, TINY_MODEL].sort());
    await page.getByRole('status').filter({ hasText: /^You picked answer [ABC] as the best\.$/ }).waitFor();

    // Continue with the winner: the picker follows it, compare mode ends, the other answers fold away.
    await cloud.getByRole('button', { name: 'Continue with this answer' }).click();
    await expect.poll(() => page.getByRole('combobox', { name: 'Model' }).inputValue(), POLL).toBe(CLOUD_MODEL);
    await expect.poll(() => columns().count(), POLL).toBe(1);
    await chip.waitFor({ state: 'detached' });
    const others = page.getByRole('button', { name: /^Show the other answers/ });
    expect(await others.getAttribute('aria-expanded')).toBe('false');
    await screenshot('compare-03-continued');
    await others.click();
    await expect.poll(() => columns().count(), POLL).toBe(3);
    await page.getByRole('button', { name: 'Hide the other answers' }).click();
    await expect.poll(() => columns().count(), POLL).toBe(1);

    // The chat goes on with the chosen model: the next message is an ordinary answer from it.
    await message.fill('And then?');
    await message.press('Enter');
    const next = page.getByRole('article', { name: /^assistant message/ }).last();
    await next.getByText(CLOUD_ANSWER.replace(/\*\*/g, '')).waitFor({ timeout: 30_000 });
    expect(await next.locator('.message__author').innerText()).toBe(CLOUD_MODEL);

    // Saved: after a reload the compare shows the same (winner, chosen column, stats, the others folded).
    await page.reload();
    await chatsNav().getByRole('button', { name: PROMPT, exact: true }).click();
    await expect.poll(() => columns().count(), POLL).toBe(1);
    const saved = columns().first();
    await saved.getByText('Best', { exact: true }).waitFor();
    await saved.getByText(CLOUD_MODEL, { exact: true }).waitFor();
    await saved.getByText(/^TTFT .+ · stop$/).waitFor();
    await page.getByRole('button', { name: /^Show the other answers/ }).click();
    await expect.poll(() => columns().count(), POLL).toBe(3);
    await screenshot('compare-04-reloaded');

    // The chat remembers its last compare: the dialog offers it again.
    await page.getByRole('button', { name: 'Compare', exact: true }).click();
    const again = page.getByRole('dialog', { name: 'Compare models' });
    for (const name of [LOCAL_MODEL, TINY_MODEL, CLOUD_MODEL, 'Blind mode']) expect(await again.getByRole('checkbox', { name, exact: true }).isChecked()).toBe(true);
    expect(await again.getByRole('checkbox', { name: 'Auto', exact: true }).isChecked()).toBe(false);
    await again.getByRole('button', { name: 'Cancel' }).click();
    await again.waitFor({ state: 'hidden' });
  });

  test("each column has its own Stop; the composer's Stop stops every column", async () => {
    await pagesNav().getByRole('button', { name: 'Chats' }).click();
    await chatsNav().getByRole('button', { name: 'New chat', exact: true }).click();
    await page.getByRole('button', { name: 'Compare', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Compare models' });
    // Columns come in the order the list shows: gpt-test, slow-test, slow-test-b.
    for (const name of [`${PROVIDER}/gpt-test`, `${PROVIDER}/slow-test`, `${PROVIDER}/slow-test-b`]) await dialog.getByRole('checkbox', { name, exact: true }).check();
    await dialog.getByRole('button', { name: 'Start comparing' }).click();
    const message = page.getByRole('textbox', { name: 'Message' });
    await message.fill('Count slowly');
    await message.press('Enter');

    const [fast, slow, slower] = ['Answer A', 'Answer B', 'Answer C'].map((name) => page.getByRole('region', { name }));
    await fast!.getByText(/ · stop$/).waitFor();
    await slow!.getByText(/\bw3\b/).waitFor();
    expect(await fast!.getByText(`${PROVIDER}/gpt-test`, { exact: true }).count()).toBe(1);
    await page.getByRole('region', { name: /^Answer / }).first().waitFor();
    await screenshot('compare-05-streaming');
    // Its own Stop ends one column; the other goes on.
    await slow!.getByRole('button', { name: 'Stop' }).click();
    await slow!.getByText(/ · cancelled$/).waitFor();
    await slow!.getByText('Stopped', { exact: true }).waitFor();
    expect(await slower!.getAttribute('aria-busy')).toBe('true');
    const words = (await slower!.locator('.markdown').innerText()).length;
    await expect.poll(async () => (await slower!.locator('.markdown').innerText()).length, POLL).toBeGreaterThan(words);
    // The composer's Stop stops the rest.
    await page.locator('.composer').getByRole('button', { name: 'Stop', exact: true }).click();
    await slower!.getByText(/ · cancelled$/).waitFor();
    await page.getByRole('button', { name: 'Send', exact: true }).waitFor();
    expect(await slower!.getAttribute('aria-busy')).toBe('false');
    // Stopped well before the 10 s the slow model takes.
    expect(fake!.closedEarly.length).toBeGreaterThanOrEqual(2);

    // A narrow window scrolls the columns sideways instead of squeezing them.
    await page.setViewportSize({ width: 900, height: 800 });
    const grid = page.locator('.compare__columns').last();
    await expect.poll(() => grid.evaluate((el) => el.scrollWidth > el.clientWidth), POLL).toBe(true);
    await screenshot('compare-06-narrow');
    await page.setViewportSize({ width: 1360, height: 900 });
    // And in the dark theme.
    await page.getByRole('radio', { name: 'Dark' }).check();
    await expect.poll(() => page.locator('html').getAttribute('data-theme'), POLL).toBe('dark');
    await screenshot('compare-06-dark');
    await page.getByRole('radio', { name: 'Light' }).check();
  });
});

describe('strategies', () => {
  test('Chat settings → Strategy saves draft and refine; the answer shows its steps and the changes', async () => {
    await pagesNav().getByRole('button', { name: 'Chats' }).click();
    await chatsNav().getByRole('button', { name: 'New chat', exact: true }).click();
    await page.getByRole('combobox', { name: 'Model' }).selectOption(LOCAL_MODEL);
    const message = page.getByRole('textbox', { name: 'Message' });
    await message.fill('Tell a story');
    await message.press('Enter');
    await page.getByRole('button', { name: 'Send', exact: true }).waitFor({ timeout: 30_000 });

    await page.getByRole('button', { name: 'Chat settings' }).click();
    const dialog = page.getByRole('dialog', { name: 'Chat settings' });
    const strategy = dialog.getByRole('combobox', { name: 'Strategy' });
    expect(await strategy.inputValue()).toBe('none');
    expect(await strategy.locator('option').allInnerTexts()).toEqual(['One model', 'Draft and refine', 'Condense', 'Best of N with a judge']);
    await strategy.selectOption({ label: 'Draft and refine' });
    await dialog.getByRole('combobox', { name: 'Draft model' }).selectOption(LOCAL_MODEL);
    await dialog.getByRole('combobox', { name: 'Refine model' }).selectOption(CLOUD_MODEL);
    await dialog.screenshot({ path: join(ARTIFACTS, 'compare-07-strategy-settings.png') });
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'hidden' });

    // Saved: the dialog opens with it again.
    await page.getByRole('button', { name: 'Chat settings' }).click();
    await expect.poll(() => dialog.getByRole('combobox', { name: 'Strategy' }).inputValue(), POLL).toBe('draft-refine');
    expect(await dialog.getByRole('combobox', { name: 'Draft model' }).inputValue()).toBe(LOCAL_MODEL);
    expect(await dialog.getByRole('combobox', { name: 'Refine model' }).inputValue()).toBe(CLOUD_MODEL);
    await dialog.getByRole('button', { name: 'Cancel' }).click();

    await message.fill('Tell it better');
    await message.press('Enter');
    const answer = page.getByRole('article', { name: /^assistant message/ }).last();
    await answer.getByText(REFINED).waitFor({ timeout: 45_000 });
    await page.getByRole('button', { name: 'Send', exact: true }).waitFor({ timeout: 30_000 });
    const steps = answer.getByRole('region', { name: 'Steps' });
    await steps.waitFor();
    expect(await steps.getByRole('listitem').count()).toBeGreaterThanOrEqual(2);
    await steps.getByText('Draft', { exact: true }).first().waitFor();
    // The draft is collapsible, and the changes show what the refiner added and removed.
    await steps.locator('summary', { hasText: /^Draft$/ }).click();
    await steps.locator('summary', { hasText: /^Changes$/ }).click();
    await expect.poll(() => steps.locator('ins').count(), POLL).toBeGreaterThan(0);
    expect(await steps.locator('ins').first().innerText()).toMatch(/\S/);
    await answer.screenshot({ path: join(ARTIFACTS, 'compare-08-draft-refine.png') });
  });

  test('best of N: the candidates show their judge scores, the chosen one is the answer', async () => {
    await page.getByRole('button', { name: 'Chat settings' }).click();
    const dialog = page.getByRole('dialog', { name: 'Chat settings' });
    await dialog.getByRole('combobox', { name: 'Strategy' }).selectOption({ label: 'Best of N with a judge' });
    const models = dialog.getByRole('group', { name: 'Models' });
    await models.getByRole('checkbox', { name: LOCAL_MODEL, exact: true }).check();
    await models.getByRole('checkbox', { name: CLOUD_MODEL, exact: true }).check();
    await dialog.getByRole('combobox', { name: 'Judge model' }).selectOption(LOCAL_MODEL);
    await dialog.getByRole('textbox', { name: 'Rubric' }).fill('Prefer the answer that tells a story.');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'hidden' });

    const message = page.getByRole('textbox', { name: 'Message' });
    await message.fill('One more story');
    await message.press('Enter');
    const answer = page.getByRole('article', { name: /^assistant message/ }).last();
    await page.getByRole('button', { name: 'Send', exact: true }).waitFor({ timeout: 60_000 });
    const steps = answer.getByRole('region', { name: 'Steps' });
    await steps.waitFor();
    // Two candidates and the judge; each candidate scored, one chosen.
    await expect.poll(() => steps.getByText(/^score \d+%$/).count(), POLL).toBe(2);
    expect(await steps.getByText('Chosen', { exact: true }).count()).toBe(1);
    const chosen = steps.getByRole('listitem').filter({ hasText: 'Chosen' });
    const other = steps.getByRole('listitem').filter({ has: page.getByText(/^score \d+%$/) }).filter({ hasNotText: 'Chosen' });
    // The other candidate's answer is there to open.
    await other.locator('summary').click();
    expect(await other.locator('details').getAttribute('open')).not.toBeNull();
    expect(await chosen.count()).toBe(1);
    await answer.screenshot({ path: join(ARTIFACTS, 'compare-09-best-of-n.png') });
  });
});
