import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startServe, type ServeProcess } from '../support/serve-process';
import { BUILT_UI, MODEL_FILE, ARTIFACTS, CHROMIUM, launchChromium } from '../support/e2e-browser';

/**
 * What a person does in Tandem's browser UI (serve mode) with a real tiny
 * model: stream an answer and stop it, start a second chat, then restart the
 * server and find both chats as they were.
 */


const FIRST_PROMPT = 'Once upon a time there was a little dragon';
const SECOND_PROMPT = 'Tell me a story about a cat';

let workDir = '';
let dataDir = '';
let modelsDir = '';
let server: ServeProcess | null = null;
let browser: Browser | null = null;
let context: BrowserContext | null = null;
let page: Page;
/** What each chat's answer said when the first server stopped. */
const answers = new Map<string, string>();

/** expect.poll waits 1 s by default; a busy two-core machine needs longer. */
const POLL = { timeout: 15_000, interval: 100 };

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

async function screenshot(name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

function chatsNav(): Locator {
  return page.getByRole('navigation', { name: 'Chats' });
}

function lastAssistant(): Locator {
  return page.getByRole('article', { name: /^assistant message/ }).last();
}

/** The words of an answer as shown (its paragraphs), without the author line and badges. */
async function answerText(article: Locator): Promise<string> {
  const paragraphs = await article.getByRole('paragraph').allInnerTexts();
  return paragraphs.join('\n').trim();
}

async function setMaxTokens(value: number): Promise<void> {
  await page.getByRole('button', { name: 'Settings' }).click();
  const dialog = page.getByRole('dialog', { name: 'Settings' });
  await dialog.getByRole('spinbutton', { name: 'Max tokens per answer' }).fill(String(value));
  await dialog.getByRole('button', { name: 'Save' }).click();
  await dialog.waitFor({ state: 'hidden' });
}

async function openApp(url: string): Promise<void> {
  await page.goto(url);
  await chatsNav().waitFor();
  await expect.poll(() => page.getByRole('status').filter({ hasText: 'Connected' }).count(), POLL).toBe(1);
}

beforeAll(async () => {
  if (!existsSync(BUILT_UI)) {
    throw new Error(`${BUILT_UI} is missing: run \`npm run build\` before the e2e tests.`);
  }
  if (!existsSync(MODEL_FILE)) throw new Error(`The test model ${MODEL_FILE} is missing (set TANDEM_TEST_MODEL).`);
  if (!existsSync(CHROMIUM)) throw new Error(`No Chromium at ${CHROMIUM} (set CHROMIUM_PATH).`);
  await mkdir(ARTIFACTS, { recursive: true });
  workDir = await mkdtemp(join(tmpdir(), 'tandem-e2e-'));
  dataDir = join(workDir, 'data');
  modelsDir = join(workDir, 'models');
  await mkdir(modelsDir);
  await copyFile(MODEL_FILE, join(modelsDir, 'stories260K.gguf'));
  await writeFile(join(modelsDir, 'broken.gguf'), 'this is not a GGUF file');

  server = await startServe({ dataDir, modelsDir });
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
  page = await context.newPage();
  page.setDefaultTimeout(20_000);
});

afterAll(async () => {
  await context?.close().catch(() => undefined);
  await browser?.close().catch(() => undefined);
  await server?.stop({ timeoutMs: 5_000 }).catch(() => undefined);
  if (workDir) await rm(workDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
});

describe('chatting in the browser UI', () => {
  test('an answer streams in, and Stop ends it', async () => {
    await openApp(server!.url);
    // The token is kept for reloads but not left in the address bar.
    expect(new URL(page.url()).searchParams.has('token')).toBe(false);
    await page.getByRole('heading', { name: 'Welcome to Tandem' }).waitFor();
    await screenshot('01-first-start');

    // Long answers, so there is time to watch it grow and stop it.
    await setMaxTokens(4096);

    const model = page.getByRole('combobox', { name: 'Model' });
    // A file that is not a model is listed, but cannot be picked, and says why.
    const broken = model.getByRole('option', { name: /^broken/ });
    expect(await broken.isDisabled()).toBe(true);
    expect(await broken.innerText()).toMatch(/can't be used: .+/);
    await model.selectOption({ label: 'stories260K' });
    expect(await model.locator('option:checked').innerText()).toBe('stories260K');

    const send = page.getByRole('button', { name: 'Send', exact: true });
    await page.getByRole('textbox', { name: 'Message' }).fill(FIRST_PROMPT);
    await send.click();

    const stop = page.getByRole('button', { name: 'Stop', exact: true });
    await stop.waitFor();
    const answer = lastAssistant();
    await answer.waitFor();

    // Watch the answer grow while it is still streaming.
    const lengths: number[] = [];
    const increases = () => lengths.filter((n, i) => i > 0 && n > (lengths[i - 1] ?? 0)).length;
    for (let i = 0; i < 60 && increases() < 2; i++) {
      lengths.push((await answerText(answer)).length);
      await sleep(120);
    }
    expect(await stop.isVisible(), 'the answer finished before it could be watched and stopped').toBe(true);
    expect(increases(), `lengths seen: ${lengths.join(', ')}`).toBeGreaterThanOrEqual(2);
    await expect.poll(() => answer.getByText('Streaming…').isVisible(), POLL).toBe(true);
    await screenshot('02-streaming');

    await stop.click();
    await stop.waitFor({ state: 'hidden' });
    await answer.getByText('Stopped', { exact: true }).waitFor();
    await send.waitFor();

    // Stopped means stopped: the text no longer grows.
    await sleep(400);
    const afterStop = await answerText(answer);
    await sleep(1500);
    expect(await answerText(answer)).toBe(afterStop);
    expect(afterStop.length).toBeGreaterThan(0);
    answers.set(FIRST_PROMPT, afterStop);

    const user = page.getByRole('article', { name: /^user message/ });
    expect(await user.innerText()).toContain(FIRST_PROMPT);
    await screenshot('03-stopped');
  });

  test('New chat starts a second conversation', async () => {
    await chatsNav().getByRole('button', { name: 'New chat', exact: true }).click();
    await page.getByRole('heading', { name: 'Start a new conversation' }).waitFor();
    expect(await page.getByRole('article').count()).toBe(0);

    // Short answers: this one is waited for to the end.
    await setMaxTokens(300);
    const message = page.getByRole('textbox', { name: 'Message' });
    await message.fill(SECOND_PROMPT);
    await message.press('Enter');

    const answer = lastAssistant();
    await answer.waitFor();
    await answer.getByText(/out tokens/).waitFor({ timeout: 45_000 });
    await page.getByRole('button', { name: 'Send', exact: true }).waitFor();
    expect(await answer.getByText('Streaming…').count()).toBe(0);
    const text = await answerText(answer);
    expect(text.length).toBeGreaterThan(0);
    answers.set(SECOND_PROMPT, text);

    // Both chats are listed, newest first, titled by their first message.
    const titles = await chatsNav().getByRole('listitem').allInnerTexts();
    expect(titles.map((t) => t.trim())).toEqual([SECOND_PROMPT, FIRST_PROMPT]);
    await screenshot('04-second-chat');

    await page.getByRole('radio', { name: 'Dark' }).check();
    await expect.poll(() => page.locator('html').getAttribute('data-theme'), POLL).toBe('dark');
    // A string, as this file is compiled without DOM types.
    const background = () => page.evaluate<string>('getComputedStyle(document.body).backgroundColor');
    await expect.poll(background, POLL).not.toBe('rgb(255, 255, 255)');
    await sleep(300); // let colour transitions finish
    await screenshot('05-dark-theme');
  });

  test('both chats are there after the server restarts', async () => {
    const code = await server!.stop();
    expect(code, `tandem serve did not exit cleanly:\n${server!.stderr()}`).toBe(0);
    server = await startServe({ dataDir, modelsDir });
    await openApp(server.url);

    // The theme choice was saved with the settings.
    expect(await page.getByRole('radio', { name: 'Dark' }).isChecked()).toBe(true);

    const nav = chatsNav();
    for (const [prompt, expected] of answers) {
      await nav.getByRole('button', { name: prompt, exact: true }).click();
      const user = page.getByRole('article', { name: /^user message/ }).first();
      await user.getByText(prompt).waitFor();
      const answer = lastAssistant();
      await answer.waitFor();
      await expect.poll(() => answerText(answer), POLL).toBe(expected);
      if (prompt === FIRST_PROMPT) await answer.getByText('Stopped', { exact: true }).waitFor();
      await screenshot(prompt === FIRST_PROMPT ? '06-restart-first-chat' : '07-restart-second-chat');
    }
  });

  test('chats can be searched, renamed, exported and deleted from the keyboard', async () => {
    const nav = chatsNav();
    const search = nav.getByRole('searchbox', { name: 'Search chats' });
    await search.fill('dragon');
    await expect.poll(() => nav.getByRole('listitem').allInnerTexts(), POLL).toEqual([FIRST_PROMPT]);
    await search.fill('');
    await expect.poll(() => nav.getByRole('listitem').count(), POLL).toBe(2);

    // Rename: the menu opens on its first item, Rename; Enter saves.
    await nav.getByRole('button', { name: `Actions for ${SECOND_PROMPT}` }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('menuitem', { name: 'Rename' }).waitFor();
    await page.keyboard.press('Enter');
    const title = nav.getByRole('textbox', { name: 'Chat title' });
    await title.waitFor();
    await page.keyboard.type('Cat story');
    await page.keyboard.press('Enter');
    await nav.getByRole('button', { name: 'Cat story', exact: true }).waitFor();

    // Escape cancels a rename.
    await nav.getByRole('button', { name: 'Actions for Cat story' }).focus();
    await page.keyboard.press('Enter');
    await page.keyboard.press('Enter');
    await title.waitFor();
    await page.keyboard.type('Not this');
    await page.keyboard.press('Escape');
    await title.waitFor({ state: 'hidden' });
    expect(await nav.getByRole('button', { name: 'Cat story', exact: true }).isVisible()).toBe(true);

    // Export as Markdown: a file download with the conversation in it.
    await nav.getByRole('button', { name: 'Actions for Cat story' }).focus();
    await page.keyboard.press('Enter');
    await page.keyboard.press('ArrowDown');
    const downloading = page.waitForEvent('download');
    await page.keyboard.press('Enter');
    const download = await downloading;
    expect(download.suggestedFilename()).toBe('Cat story.md');
    const markdown = await readFile((await download.path())!, 'utf8');
    expect(markdown).toContain('# Cat story');
    expect(markdown).toContain(SECOND_PROMPT);
    expect(markdown).toContain(answers.get(SECOND_PROMPT)!.slice(0, 40));

    // Delete asks first; Cancel has the focus, Delete is one Tab away.
    await nav.getByRole('button', { name: 'Actions for Cat story' }).focus();
    await page.keyboard.press('Enter');
    await page.keyboard.press('End');
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Delete this chat?' });
    await dialog.waitFor();
    await screenshot('08-delete-confirm');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'hidden' });
    await expect.poll(() => nav.getByRole('listitem').allInnerTexts(), POLL).toEqual([FIRST_PROMPT]);
  });

  test('an answer cut off by a crash is kept and marked Interrupted', async () => {
    await setMaxTokens(4096);
    await chatsNav().getByRole('button', { name: 'New chat', exact: true }).click();
    const message = page.getByRole('textbox', { name: 'Message' });
    await message.fill('A story that never ends');
    await message.press('Enter');
    const answer = lastAssistant();
    await answer.waitFor();
    await expect.poll(async () => (await answerText(answer)).length, { ...POLL, timeout: 20_000 }).toBeGreaterThan(80);

    await server!.stop({ signal: 'SIGKILL' });
    // The page notices the lost connection and stops showing the answer as streaming.
    await page.getByRole('status').filter({ hasText: 'Reconnecting…' }).waitFor();
    await page.getByRole('button', { name: 'Stop', exact: true }).waitFor({ state: 'hidden' });
    await screenshot('09-connection-lost');

    server = await startServe({ dataDir, modelsDir });
    await openApp(server.url);
    await chatsNav().getByRole('button', { name: 'A story that never ends', exact: true }).click();
    const saved = lastAssistant();
    await saved.getByText('Interrupted', { exact: true }).waitFor();
    expect((await answerText(saved)).length).toBeGreaterThan(0);
    await screenshot('10-interrupted');
  });
});
