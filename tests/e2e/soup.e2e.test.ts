import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { Puzzle } from '../../shared/ipc/routes/soup';
import { startFakeOpenAI, type FakeOpenAIServer } from '../fixtures/fake-openai-server';
import { startServe, type ServeProcess } from '../support/serve-process';
import { ARTIFACTS, MODEL_FILE, REPO_ROOT, launchChromium, openTandem, prepareE2e } from '../support/e2e-browser';

/**
 * Turtle Soup as a person plays it in serve mode with the tiny local model as
 * host: open Games, start a puzzle, ask two questions (each answered with one
 * of the four badges), take a hint, submit a guess that states one key fact
 * (the verdict per fact, and "I think that counts" on one the judge missed),
 * reveal the hidden story with every key fact, find the game again after a
 * reload, import puzzles with one bad one reported by its place, and play
 * "Surprise me" with a cloud host whose reply that is not an answer is refused.
 */

const LOCAL_MODEL = 'stories260K';
const API_KEY = 'sk-made-up-0123456789abcdef';
const PROVIDER = 'fakecloud';
/** A scripted cloud host: "yes-and-no" to everything, except that it blurts out the story when asked about a leak. */
const CLOUD_HOST = `${PROVIDER}/soup-host`;
const ANSWERS = ['Yes', 'No', 'Irrelevant', 'Yes and no'];

let workDir = '';
let server: ServeProcess | null = null;
let fake: FakeOpenAIServer | null = null;
let browser: Browser | null = null;
let context: BrowserContext | null = null;
let page: Page;
let puzzle: Puzzle;

const POLL = { timeout: 30_000, interval: 100 };

async function screenshot(name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

function pagesNav(): Locator {
  return page.getByRole('navigation', { name: 'Pages' });
}

function gameLog(): Locator {
  return page.getByRole('list', { name: 'Game log' });
}

/** "Questions: 3 of 30 · Hints: 1 of 3 · 2 of 4 key facts found" → its numbers. */
async function statusNumbers(): Promise<{ asked: number; budget: number; hints: number; hintsTotal: number; found: number; facts: number }> {
  const text = await page.getByText(/^Questions: \d+ of \d+ · Hints: \d+ of \d+ · \d+ of \d+ key facts found$/).innerText();
  const [asked, budget, hints, hintsTotal, found, facts] = (text.match(/\d+/g) ?? []).map(Number);
  return { asked: asked!, budget: budget!, hints: hints!, hintsTotal: hintsTotal!, found: found!, facts: facts! };
}

beforeAll(async () => {
  await prepareE2e();
  if (!existsSync(MODEL_FILE)) throw new Error(`The test model ${MODEL_FILE} is missing (set TANDEM_TEST_MODEL).`);
  // The first bundled puzzle: its title to find it, a key fact to state in a guess.
  const pack = JSON.parse(await readFile(join(REPO_ROOT, 'resources/turtle-soup/puzzles.json'), 'utf8')) as Puzzle[];
  puzzle = pack[0]!;
  workDir = await mkdtemp(join(tmpdir(), 'tandem-e2e-soup-'));
  const modelsDir = join(workDir, 'models');
  await mkdir(modelsDir);
  await copyFile(MODEL_FILE, join(modelsDir, 'stories260K.gguf'));
  fake = await startFakeOpenAI({
    apiKey: API_KEY,
    extraModels: [{ id: 'soup-host', object: 'model', created: 1700000000, owned_by: 'fake', context_length: 32768 }],
  });
  fake.script('soup-host', (body) => {
    const messages = (body.messages ?? []) as { role: string; content: unknown }[];
    const last = JSON.stringify(messages.filter((m) => m.role === 'user').at(-1)?.content ?? '');
    return { text: last.includes('leak') ? 'Yes! And here is the whole story, since you asked.' : '{"answer": "yes-and-no"}' };
  });
  server = await startServe({ dataDir: join(workDir, 'data'), modelsDir });
  browser = await launchChromium();
  ({ context, page } = await openTandem(browser, server.url, { viewport: { width: 1280, height: 900 }, timeoutMs: 20_000 }));

  // A cloud provider too, as a person adds one: the host still defaults to the local model.
  await pagesNav().getByRole('button', { name: 'Providers' }).click();
  const form = page.getByRole('form', { name: 'Add provider' });
  await form.getByRole('combobox', { name: 'Preset' }).selectOption('custom');
  await form.getByRole('textbox', { name: /^Name/ }).fill(PROVIDER);
  await form.getByRole('textbox', { name: /^Base URL/ }).fill(fake.baseUrl);
  await form.getByLabel('API key').fill(API_KEY);
  await form.getByRole('button', { name: 'Add provider' }).click();
  await page.getByRole('article', { name: PROVIDER }).waitFor();
});

afterAll(async () => {
  await context?.close().catch(() => undefined);
  await browser?.close().catch(() => undefined);
  await server?.stop({ timeoutMs: 5_000 }).catch(() => undefined);
  await fake?.close().catch(() => undefined);
  if (workDir) await rm(workDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
});

afterEach(async (context) => {
  if (context.task.result?.state === 'fail') await screenshot(`soup-failed-${context.task.name.slice(0, 40).replace(/\W+/g, '-')}`).catch(() => undefined);
});

describe('Turtle Soup', () => {
  test('the Games page lists the puzzles without spoilers, with the local model as host', async () => {
    await pagesNav().getByRole('button', { name: 'Games' }).click();
    await page.getByRole('heading', { name: 'Games', level: 1 }).waitFor();
    expect(await pagesNav().getByRole('button', { name: 'Games' }).getAttribute('aria-current')).toBe('page');
    await page.getByRole('heading', { name: 'Turtle Soup' }).waitFor();

    const puzzles = page.getByRole('list', { name: 'Puzzles' }).getByRole('listitem');
    await expect.poll(() => puzzles.count(), POLL).toBeGreaterThanOrEqual(20);
    const card = puzzles.filter({ has: page.getByRole('heading', { name: puzzle.title, exact: true }) });
    await card.waitFor();
    expect(await card.innerText()).toContain(puzzle.surface);
    expect(await card.locator('.soup-difficulty').innerText()).toBe(puzzle.difficulty[0]!.toUpperCase() + puzzle.difficulty.slice(1));
    // No spoilers: neither the hidden story nor a key fact is on the page.
    const listed = await page.getByRole('list', { name: 'Puzzles' }).innerText();
    expect(listed).not.toContain(puzzle.hidden);
    for (const fact of puzzle.keyFacts) expect(listed).not.toContain(fact);

    // The host defaults to the local chat model, listed first; Auto and the cloud models are offered as well.
    const host = page.getByRole('combobox', { name: 'Host model' });
    expect(await host.locator('option:checked').innerText()).toBe(LOCAL_MODEL);
    await expect.poll(() => host.locator('option').allInnerTexts(), POLL).toContain(CLOUD_HOST);
    const options = await host.locator('option').allInnerTexts();
    expect(options[0]).toBe(LOCAL_MODEL);
    expect(options).toContain('Auto');
    await page.getByRole('button', { name: 'Surprise me' }).waitFor();
    await page.getByText('No games yet: start one above.').waitFor();
    await screenshot('soup-01-lobby');
  });

  test('plays a puzzle: two questions, a hint, a guess judged fact by fact, a dispute and the reveal', async () => {
    const card = page
      .getByRole('list', { name: 'Puzzles' })
      .getByRole('listitem')
      .filter({ has: page.getByRole('heading', { name: puzzle.title, exact: true }) });
    await card.getByRole('button', { name: 'Start' }).click();

    // The game: the surface story, the counts, nothing asked yet.
    const story = page.getByRole('region', { name: 'The story' });
    await story.waitFor();
    expect(await story.innerText()).toBe(puzzle.surface);
    await page.getByText(`Host: ${LOCAL_MODEL}`).waitFor();
    expect(await statusNumbers()).toEqual({ asked: 0, budget: 30, hints: 0, hintsTotal: puzzle.hints.length, found: 0, facts: puzzle.keyFacts.length });

    // Two questions, each sent with Enter; each answer is one of the four badges.
    const input = page.getByRole('textbox', { name: 'Ask a question' });
    const questions = [puzzle.questions[0]!.question, puzzle.questions[1]!.question];
    for (const [i, question] of questions.entries()) {
      await input.fill(question);
      await input.press('Enter');
      await expect.poll(async () => (await statusNumbers()).asked, POLL).toBe(i + 1);
      await expect.poll(() => input.inputValue(), POLL).toBe('');
    }
    const asked = gameLog().locator('.soup-entry--ask');
    expect(await asked.count()).toBe(2);
    for (const [i, question] of questions.entries()) {
      const entry = asked.nth(i);
      expect(await entry.locator('.soup-entry__question').innerText()).toBe(question);
      expect(ANSWERS).toContain(await entry.locator('.soup-answer').innerText());
    }
    // Focus stays in the question box for the next one.
    expect(await input.evaluate((el) => el === (el.ownerDocument as unknown as { activeElement: unknown }).activeElement)).toBe(true);

    // A hint: the first, in the log.
    await page.getByRole('button', { name: 'Hint', exact: true }).click();
    const hint = gameLog().locator('.soup-entry--hint');
    await hint.waitFor();
    expect(await hint.innerText()).toContain(puzzle.hints[0]!);
    expect(await hint.innerText()).toContain(`Hint 1 of ${puzzle.hints.length}`);
    expect((await statusNumbers()).hints).toBe(1);

    // A guess that states one key fact word for word: judged fact by fact.
    const stated = puzzle.keyFacts[1]!;
    await page.getByRole('button', { name: 'Guess', exact: true }).click();
    await page.getByRole('textbox', { name: 'Your guess' }).fill(stated);
    await screenshot('soup-02-guessing');
    await page.getByRole('button', { name: 'Submit guess' }).click();
    const guess = gameLog().locator('.soup-entry--guess');
    await guess.waitFor({ timeout: 60_000 });
    const summary = await guess.locator('.soup-verdict__summary').innerText();
    const [found, total] = (summary.match(/^(\d+) of (\d+) key facts found/)?.slice(1) ?? []).map(Number);
    expect(total).toBe(puzzle.keyFacts.length);
    expect(found).toBeGreaterThanOrEqual(1);
    const verdict = guess.getByRole('list', { name: 'Verdict on guess 1' });
    expect(await verdict.getByRole('listitem').count()).toBe(puzzle.keyFacts.length);
    // The stated fact is found and shown; the status line counts the same.
    expect(await verdict.locator('.soup-verdict__fact--found').allInnerTexts()).toEqual(expect.arrayContaining([expect.stringContaining(stated)]));
    expect((await statusNumbers()).found).toBe(found);
    await screenshot('soup-03-verdict');

    // "I think that counts" on a fact the judge missed: it counts now.
    const disputes = verdict.getByRole('button', { name: 'I think that counts' });
    if (found! < total! && (await statusNumbers()).found < total!) {
      expect(await disputes.count()).toBe(total! - found!);
      await disputes.first().click();
      await expect.poll(async () => (await statusNumbers()).found, POLL).toBe(found! + 1);
      await gameLog().getByText(/^You said key fact \d+ counts \(guess 1\)\.$/).waitFor();
    }

    // Reveal, after a confirmation: the hidden story and every key fact, found (when) or not.
    await page.getByRole('button', { name: 'Reveal', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Reveal the story?' });
    await dialog.getByRole('button', { name: 'Reveal' }).click();
    const revealed = page.getByRole('region', { name: 'The hidden story' });
    await revealed.waitFor();
    expect(await revealed.innerText()).toContain(puzzle.hidden);
    const facts = revealed.getByRole('list', { name: 'Key facts' }).getByRole('listitem');
    expect(await facts.count()).toBe(puzzle.keyFacts.length);
    for (const [i, fact] of puzzle.keyFacts.entries()) {
      const text = await facts.nth(i).innerText();
      expect(text).toContain(fact);
      expect(text).toMatch(/found \S.*|not found/);
    }
    expect(await facts.nth(1).innerText()).toMatch(/found \S/);
    // The game is over: no more questions.
    expect(await page.getByRole('textbox', { name: 'Ask a question' }).isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Hint', exact: true }).isDisabled()).toBe(true);
    await page.getByRole('status').filter({ hasText: /^(You gave up\.|Solved! You found every key fact\.)/ }).waitFor();
    await screenshot('soup-04-revealed');
    await story.scrollIntoViewIfNeeded();
    await page.getByRole('article', { name: puzzle.title }).screenshot({ path: join(ARTIFACTS, 'soup-04b-finished-game.png') });
  });

  test('the game is saved: listed after a reload, and it opens with its log', async () => {
    await page.reload();
    await pagesNav().waitFor();
    await pagesNav().getByRole('button', { name: 'Games' }).click();
    const games = page.getByRole('table', { name: 'Your games' });
    const row = games.getByRole('row').filter({ hasText: puzzle.title });
    await row.waitFor();
    const cells = await row.getByRole('cell').allInnerTexts();
    expect(['Gave up', 'Solved']).toContain(cells[0]);
    expect(cells[1]).toBe('2');
    expect(cells[2]).toBe(LOCAL_MODEL);
    await row.getByRole('button', { name: `Open ${puzzle.title}` }).click();
    await expect.poll(() => gameLog().locator('.soup-entry--ask').count(), POLL).toBe(2);
    await page.getByRole('region', { name: 'The hidden story' }).waitFor();
    await page.getByRole('button', { name: '← All puzzles' }).click();
    await page.getByRole('list', { name: 'Puzzles' }).waitFor();
  });

  test('imports puzzles from JSON and names the bad one by its place', async () => {
    const good: Puzzle = {
      id: 'e2e-lighthouse',
      title: 'The Dark Lighthouse',
      difficulty: 'medium',
      surface: 'A lighthouse keeper switched off the lamp one night and a hundred people died.',
      hidden: 'The keeper had switched off the lamp to save power; a ship that relied on it ran aground on the rocks in the dark.',
      keyFacts: ['The keeper switched off the light.', 'A ship relied on the light.', 'The ship hit the rocks in the dark.'],
      hints: ['The people were at sea.'],
      questions: Array.from({ length: 8 }, (_, i) => ({ question: `Is this test question number ${i + 1}?`, answer: 'irrelevant' as const })),
    };
    const bad = { id: 'Not An Id', title: '' };
    await page.getByText('Add puzzles', { exact: true }).click();
    const form = page.getByRole('form', { name: 'Add puzzles' });
    await form.getByRole('textbox', { name: 'Puzzle JSON' }).fill(JSON.stringify([good, bad]));
    await form.getByRole('button', { name: 'Import puzzles' }).click();
    await form.getByRole('status').filter({ hasText: 'Added 1 puzzle; 1 problem:' }).waitFor();
    const errors = form.getByRole('list', { name: 'Import errors' }).getByRole('listitem');
    expect(await errors.count()).toBe(1);
    expect(await errors.first().innerText()).toMatch(/^Puzzle 2\s+\S/);
    const card = page.getByRole('list', { name: 'Puzzles' }).getByRole('listitem').filter({ has: page.getByRole('heading', { name: good.title }) });
    await card.waitFor();
    expect(await card.innerText()).toContain('yours');
    await form.screenshot({ path: join(ARTIFACTS, 'soup-05-import.png') });
  });

  test('"Surprise me" with a cloud host: answers are badges, a reply that is not an answer is refused, and giving up shows the story', async () => {
    await page.getByRole('combobox', { name: 'Host model' }).selectOption(CLOUD_HOST);
    await page.getByRole('button', { name: 'Surprise me' }).click();
    await page.getByRole('region', { name: 'The story' }).waitFor();
    await page.getByText(`Host: ${CLOUD_HOST}`).waitFor();
    // A puzzle not played yet.
    expect(await page.getByRole('article').getByRole('heading', { level: 3 }).innerText()).not.toBe(puzzle.title);

    const input = page.getByRole('textbox', { name: 'Ask a question' });
    await input.fill('Was there a leak?');
    await input.press('Enter');
    const alert = page.getByRole('alert').filter({ hasText: 'did not answer with yes, no, irrelevant or yes-and-no' });
    await alert.waitFor();
    expect((await statusNumbers()).asked).toBe(0);
    expect(await gameLog().locator('.soup-entry--ask').count()).toBe(0);
    // The question stays in the box to try again.
    expect(await input.inputValue()).toBe('Was there a leak?');
    await screenshot('soup-06-refused');
    await alert.getByRole('button', { name: 'Dismiss' }).click();

    await input.fill('Was it raining?');
    await input.press('Enter');
    await expect.poll(async () => (await statusNumbers()).asked, POLL).toBe(1);
    expect(await gameLog().locator('.soup-answer').innerText()).toBe('Yes and no');

    await page.getByRole('button', { name: 'Give up', exact: true }).click();
    await page.getByRole('dialog', { name: 'Give up this game?' }).getByRole('button', { name: 'Give up' }).click();
    await page.getByRole('status').filter({ hasText: 'You gave up.' }).waitFor();
    await page.getByRole('region', { name: 'The hidden story' }).waitFor();
    expect(await input.isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Reveal', exact: true }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: '← All puzzles' }).click();
    await expect.poll(() => page.getByRole('table', { name: 'Your games' }).getByRole('row').count(), POLL).toBe(3);
  });

  test('fits a narrow window: the lobby and the game scroll only up and down', async () => {
    await page.setViewportSize({ width: 760, height: 820 });
    const main = page.locator('main');
    const overflows = () => main.evaluate((el) => el.scrollWidth > el.clientWidth + 1);
    const games = page.getByRole('table', { name: 'Your games' });
    await games.scrollIntoViewIfNeeded();
    expect(await overflows()).toBe(false);
    // The table fits too: every row's Open button is in sight.
    expect(await games.evaluate((table) => table.parentElement!.scrollWidth > table.parentElement!.clientWidth + 1)).toBe(false);
    await screenshot('soup-07-narrow-lobby');
    await page.getByRole('button', { name: `Open ${puzzle.title}` }).click();
    await page.getByRole('region', { name: 'The hidden story' }).waitFor();
    await page.getByRole('region', { name: 'The story' }).scrollIntoViewIfNeeded();
    expect(await overflows()).toBe(false);
    await screenshot('soup-08-narrow-game');
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  test('a short window scrolls the page rail: the last page (Games) can still be reached', async () => {
    await page.setViewportSize({ width: 1024, height: 420 });
    await pagesNav().getByRole('button', { name: 'Chats' }).click();
    const rail = pagesNav().locator('xpath=ancestor-or-self::*[contains(@class, "page-rail")][1]');
    expect(await rail.evaluate((el) => el.scrollHeight > el.clientHeight)).toBe(true);
    const games = pagesNav().getByRole('button', { name: 'Games' });
    await games.scrollIntoViewIfNeeded();
    await games.click();
    await page.getByRole('heading', { name: 'Games', level: 1 }).waitFor();
    await screenshot('soup-09-short-window');
    await page.setViewportSize({ width: 1280, height: 900 });
  });
});
