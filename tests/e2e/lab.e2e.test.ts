import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { startFakeOpenAI, type FakeOpenAIServer } from '../fixtures/fake-openai-server';
import { startServe, type ServeProcess } from '../support/serve-process';
import { ARTIFACTS, MODEL_FILE, launchChromium, openTandem, prepareE2e } from '../support/e2e-browser';

/**
 * The benchmark lab as a person uses it in serve mode: import a JSONL task
 * set (exact, regex and JSON-schema graders; two bad lines reported by
 * number), run it on the tiny local model, a scripted cloud model that
 * answers right, and a cloud model that always fails, confirm the estimate,
 * follow the progress bar to the end, read the results table, the charts and
 * the failing model's errors, export the results, and see the run on the
 * leaderboard.
 */

const API_KEY = 'sk-made-up-0123456789abcdef';
const PROVIDER = 'fakecloud';
const GOOD_MODEL = `${PROVIDER}/lab-test`;
const FAILING_MODEL = `${PROVIDER}/fault-context`;
const SLOW_MODEL = `${PROVIDER}/slow-test`;
const LOCAL_MODEL = 'stories260K';
const SET_NAME = 'Lab basics';

let workDir = '';
let server: ServeProcess | null = null;
let fake: FakeOpenAIServer | null = null;
let browser: Browser | null = null;
let context: BrowserContext | null = null;
let page: Page;

const POLL = { timeout: 15_000, interval: 100 };

/** What a <progress> element reports (the DOM types are not part of the test build). */
interface ProgressBar {
  value: number;
  max: number;
}

async function screenshot(name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

function pagesNav(): Locator {
  return page.getByRole('navigation', { name: 'Pages' });
}

function labTab(name: string): Locator {
  return page.getByRole('tablist', { name: 'Lab' }).getByRole('tab', { name });
}

/** The last user message of a chat completion request. */
function lastUserText(body: Record<string, unknown>): string {
  const messages = (body.messages ?? []) as { role: string; content: unknown }[];
  const last = messages.filter((m) => m.role === 'user').at(-1);
  return typeof last?.content === 'string' ? last.content : JSON.stringify(last?.content ?? '');
}

const TASKS = [
  { id: 'add', prompt: 'What is 2 + 2? Answer with the number only.', reference: '4', grader: { type: 'exact' }, maxTokens: 16 },
  { id: 'colour', prompt: 'Name one primary colour, in one word.', grader: { type: 'regex', pattern: '^(red|blue|yellow)\\.?$', flags: 'i' }, maxTokens: 16 },
  {
    id: 'person',
    prompt: 'Describe a person as a JSON object with a name.',
    grader: { type: 'json-schema', schema: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } } },
    maxTokens: 48,
  },
];

beforeAll(async () => {
  await prepareE2e();
  if (!existsSync(MODEL_FILE)) throw new Error(`The test model ${MODEL_FILE} is missing (set TANDEM_TEST_MODEL).`);
  workDir = await mkdtemp(join(tmpdir(), 'tandem-e2e-lab-'));
  const modelsDir = join(workDir, 'models');
  await mkdir(modelsDir);
  await copyFile(MODEL_FILE, join(modelsDir, 'stories260K.gguf'));

  fake = await startFakeOpenAI({
    apiKey: API_KEY,
    extraModels: [
      // Priced (dollars per token, OpenRouter style), so the estimate and the results have a cost.
      { id: 'lab-test', object: 'model', created: 1700000000, owned_by: 'fake', context_length: 32768, pricing: { prompt: '0.00001', completion: '0.00003' } },
      // Always 400 context_length_exceeded: a coded error on every call, which must not stop the run.
      { id: 'fault-context', object: 'model', created: 1700000000, owned_by: 'fake', context_length: 32768, pricing: { prompt: '0.00001', completion: '0.00003' } },
      // One delta every 50 ms, 200 of them: a run on it is still going when Stop is pressed.
      { id: 'slow-test', object: 'model', created: 1700000000, owned_by: 'fake', context_length: 32768, pricing: { prompt: '0', completion: '0' } },
    ],
  });
  // The scripted model answers every task right.
  fake.script('lab-test', (body) => {
    const prompt = lastUserText(body);
    if (prompt.includes('2 + 2')) return { text: '4' };
    if (prompt.includes('primary colour')) return { text: 'Blue' };
    return { text: '{"name": "Ada Lovelace"}' };
  });
  server = await startServe({ dataDir: join(workDir, 'data'), modelsDir });
  browser = await launchChromium();
  ({ context, page } = await openTandem(browser, server.url, { viewport: { width: 1280, height: 900 }, timeoutMs: 20_000 }));

  // The fake server as a custom provider, as a person adds one.
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
  if (context.task.result?.state === 'fail') await screenshot(`lab-failed-${context.task.name.slice(0, 40).replace(/\W+/g, '-')}`).catch(() => undefined);
});

describe('the benchmark lab', () => {
  test('imports a JSONL task set and reports the lines it skipped', async () => {
    await pagesNav().getByRole('button', { name: 'Lab' }).click();
    await page.getByRole('heading', { name: 'Benchmark lab', level: 1 }).waitFor();
    expect(await pagesNav().getByRole('button', { name: 'Lab' }).getAttribute('aria-current')).toBe('page');
    expect(await labTab('Task sets').getAttribute('aria-selected')).toBe('true');
    await page.getByText('No task sets yet.', { exact: false }).waitFor();

    const file = join(workDir, 'lab-basics.jsonl');
    const lines = [...TASKS.map((task) => JSON.stringify(task)), 'this line is not JSON', JSON.stringify({ id: 'empty', prompt: '' })];
    await writeFile(file, `${lines.join('\n')}\n`);
    const form = page.getByRole('form', { name: 'Import task set' });
    await form.getByLabel('JSONL file').setInputFiles(file);
    // The name comes from the file; a person may change it.
    await expect.poll(() => form.getByRole('textbox', { name: 'Name' }).inputValue(), POLL).toBe('lab-basics');
    await form.getByRole('textbox', { name: 'Name' }).fill(SET_NAME);
    await form.getByRole('button', { name: 'Import task set' }).click();

    await form.getByRole('status').filter({ hasText: `Imported “${SET_NAME}”: 3 tasks, 2 lines skipped.` }).waitFor();
    const skipped = form.getByRole('list', { name: 'Skipped lines' }).getByRole('listitem');
    expect(await skipped.count()).toBe(2);
    expect(await skipped.nth(0).innerText()).toMatch(/^Line 4\s+\S/);
    expect(await skipped.nth(1).innerText()).toMatch(/^Line 5\s+\S/);

    const sets = page.getByRole('table', { name: 'Task sets' });
    const row = sets.getByRole('row').filter({ hasText: SET_NAME });
    await row.waitFor();
    const cells = await row.getByRole('cell').allInnerTexts();
    expect(cells[0]).toBe('3');
    expect(cells[1]).toContain('exact 1');
    expect(cells[1]).toContain('regex 1');
    expect(cells[1]).toContain('JSON schema 1');

    // The format and the graders are explained on the page.
    await page.getByText('The JSONL format and the graders').click();
    await page.getByText('number within a tolerance', { exact: true }).waitFor();
    await page.getByText('judge with rubric', { exact: true }).waitFor();

    // Export gives the tasks back as JSONL.
    const downloading = page.waitForEvent('download');
    await row.getByRole('button', { name: 'Export' }).click();
    const download = await downloading;
    expect(download.suggestedFilename()).toMatch(/\.jsonl$/);
    const exported = (await readFile((await download.path())!, 'utf8')).trim().split('\n');
    expect(exported).toHaveLength(3);
    expect(exported.map((line) => (JSON.parse(line) as { id: string }).id)).toEqual(['add', 'colour', 'person']);
    await screenshot('lab-01-task-sets');
  });

  test('runs the set on a local and two cloud models: estimate, progress, results, charts and errors', async () => {
    await labTab('Runs').click();
    const form = page.getByRole('form', { name: 'New run' });
    await expect.poll(() => form.getByRole('combobox', { name: 'Task set' }).locator('option:checked').innerText(), POLL).toContain(SET_NAME);
    for (const model of [LOCAL_MODEL, GOOD_MODEL, FAILING_MODEL]) await form.getByRole('checkbox', { name: model, exact: true }).check();
    await form.getByRole('spinbutton', { name: 'Runs' }).fill('1');
    await form.getByRole('spinbutton', { name: 'Parallel' }).fill('2');
    await screenshot('lab-02-new-run');
    await form.getByRole('button', { name: 'Start run' }).click();

    // The estimate first: calls and cost, per model; Cancel starts nothing.
    const dialog = page.getByRole('dialog', { name: 'Start this run?' });
    await dialog.waitFor();
    const estimate = await dialog.innerText();
    expect(estimate).toContain('9 calls');
    expect(estimate).toMatch(/\$\d+\.\d{4} — local models are free/);
    const perModel = dialog.getByRole('list', { name: 'Estimate per model' }).getByRole('listitem');
    expect(await perModel.count()).toBe(3);
    expect(await perModel.filter({ hasText: LOCAL_MODEL }).innerText()).toContain('$0.0000');
    expect(await perModel.filter({ hasText: GOOD_MODEL }).innerText()).toMatch(/3 calls · \$0\.\d{4}/);
    await dialog.screenshot({ path: join(ARTIFACTS, 'lab-03-estimate.png') });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect(await page.getByRole('progressbar', { name: 'Lab run progress' }).count()).toBe(0);

    const before = fake!.count('lab-test');
    await form.getByRole('button', { name: 'Start run' }).click();
    await dialog.getByRole('button', { name: 'Start' }).click();

    const progress = page.getByRole('progressbar', { name: 'Lab run progress' });
    await progress.waitFor();
    await page.getByRole('status').filter({ hasText: 'Run finished' }).waitFor({ timeout: 90_000 });
    expect(await progress.evaluate((bar) => [(bar as unknown as ProgressBar).value, (bar as unknown as ProgressBar).max])).toEqual([9, 9]);
    await page.getByText('9 of 9', { exact: true }).waitFor();
    expect(await page.getByRole('button', { name: 'Stop' }).count()).toBe(0);
    expect(fake!.count('lab-test') - before).toBe(3);
    await page.getByRole('region', { name: 'Past runs' }).scrollIntoViewIfNeeded();
    await page.getByRole('heading', { name: 'New run' }).scrollIntoViewIfNeeded();
    await screenshot('lab-04a-run-finished');

    // One row per model: the scripted model is right every time, the failing one shows its errors.
    const table = page.getByRole('table', { name: 'Lab results' });
    const rowOf = (model: string) => table.getByRole('row').filter({ has: page.getByRole('rowheader', { name: new RegExp(`^${model.replace(/[/.]/g, '\\$&')}`) }) });
    await expect.poll(() => table.getByRole('rowheader').count(), POLL).toBe(3);
    const good = await rowOf(GOOD_MODEL).getByRole('cell').allInnerTexts();
    expect(good[0]).toBe('100%'); // quality
    expect(good[1]).toMatch(/\d+ ms|\d+(\.\d)? s/); // TTFT
    expect(good[4]).toBe('—'); // peak memory: cloud
    expect(good[5]).toMatch(/^(\$|<\$)/); // cost
    expect(good[6]).toMatch(/^0\s*of 3$/); // errors
    const failing = await rowOf(FAILING_MODEL).getByRole('cell').allInnerTexts();
    expect(failing[0]).toBe('0%');
    expect(failing[6]).toMatch(/^3\s*of 3$/);
    const local = await rowOf(LOCAL_MODEL).getByRole('cell').allInnerTexts();
    expect(local[0]).toMatch(/^\d+%$/);
    expect(local[2]).toMatch(/\d+\/s/); // tokens per second
    expect(local[4]).toMatch(/\d (B|KB|MB|GB)$/); // peak memory of the local model
    expect(local[5]).toBe('free');
    expect(local[6]).toMatch(/^0\s*of 3$/);

    // The charts: one labelled point per model on the quality-vs-cost scatter, and per-model bars.
    const scatter = page.getByTestId('lab-scatter');
    await expect.poll(() => scatter.locator('svg .recharts-scatter-symbol').count(), POLL).toBe(3);
    await expect.poll(() => scatter.locator('svg text.lab-chart__label').allTextContents(), POLL).toEqual(
      expect.arrayContaining([LOCAL_MODEL, GOOD_MODEL, FAILING_MODEL]),
    );
    await expect.poll(() => page.getByTestId('lab-quality-bars').locator('svg .recharts-bar-rectangle').count(), POLL).toBeGreaterThan(0);
    await expect.poll(() => page.getByTestId('lab-speed-bars').locator('svg .recharts-bar-rectangle').count(), POLL).toBeGreaterThan(0);
    await page.getByRole('region', { name: /^Results:/ }).screenshot({ path: join(ARTIFACTS, 'lab-04-results.png') });

    // Per task: every answer, and the failing model's coded error.
    const tasks = page.getByRole('list', { name: 'Results per task' }).getByRole('listitem');
    expect(await tasks.count()).toBe(3);
    const add = tasks.filter({ has: page.locator('.lab-task__id', { hasText: /^add$/ }) });
    await add.locator('summary').click();
    const answers = add.getByRole('table', { name: 'Answers to add' });
    await answers.waitFor();
    const goodAnswer = await answers.getByRole('row').filter({ hasText: GOOD_MODEL }).getByRole('cell').allInnerTexts();
    expect(goodAnswer).toEqual(['100%', '4']);
    const failedAnswer = await answers.getByRole('row').filter({ hasText: FAILING_MODEL }).getByRole('cell').allInnerTexts();
    expect(failedAnswer[0]).toBe('—');
    expect(failedAnswer[1]).toMatch(/^[A-Z_]+ \S/);
    await page.getByRole('region', { name: 'Per task' }).screenshot({ path: join(ARTIFACTS, 'lab-05-per-task.png') });

    // Exports: CSV and JSON of the run.
    const csvDownload = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export CSV' }).click();
    const csv = await readFile((await (await csvDownload).path())!, 'utf8');
    expect(csv).toContain(GOOD_MODEL);
    expect(csv).toContain(LOCAL_MODEL);
    const jsonDownload = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export JSON' }).click();
    const exported = JSON.parse(await readFile((await (await jsonDownload).path())!, 'utf8')) as unknown;
    expect(JSON.stringify(exported)).toContain(FAILING_MODEL);

    // The run is listed with the past ones.
    const past = page.getByRole('table', { name: 'Past runs' });
    await expect.poll(() => past.getByRole('row').filter({ hasText: SET_NAME }).count(), POLL).toBe(1);
    expect(await past.getByRole('row').filter({ hasText: SET_NAME }).innerText()).toContain('100%');
  });

  test('a reopened run shows the saved results, and the leaderboard counts the lab run', async () => {
    await page.reload();
    await pagesNav().waitFor();
    await pagesNav().getByRole('button', { name: 'Lab' }).click();
    await labTab('Runs').click();
    const past = page.getByRole('table', { name: 'Past runs' });
    await past.getByRole('button', { name: new RegExp(`^Open the run of ${SET_NAME}`) }).click();
    const table = page.getByRole('table', { name: 'Lab results' });
    await expect.poll(() => table.getByRole('rowheader').count(), POLL).toBe(3);
    await expect.poll(() => page.getByTestId('lab-scatter').locator('svg .recharts-scatter-symbol').count(), POLL).toBe(3);

    await labTab('Leaderboard').click();
    await page.getByText('Bradley–Terry ratings from your compare votes, judge scores and lab runs', { exact: false }).waitFor();
    const board = page.getByRole('table', { name: 'Leaderboard' });
    await board.waitFor();
    // The scripted model answered every task right, so it leads.
    await expect.poll(() => board.getByRole('rowheader').first().innerText(), POLL).toBe(GOOD_MODEL);
    const top = await board.getByRole('row').nth(1).getByRole('cell').allInnerTexts();
    expect(top[1]).toMatch(/^\d+ ± \d+$/); // rating ± interval
    expect(Number(top[2])).toBeGreaterThan(0); // wins
    // The tag filter shows counts per tag, and filters.
    const tags = page.getByRole('group', { name: 'Task tag' });
    expect(await tags.getByRole('radio').count()).toBe(7);
    const math = tags.getByRole('radio', { name: /^math/ });
    expect(await tags.locator('label').filter({ hasText: /^math/ }).innerText()).toMatch(/^math \d+$/);
    await screenshot('lab-06-leaderboard');
    await math.check();
    await expect.poll(() => math.isChecked(), POLL).toBe(true);
    await board.or(page.getByText('No comparisons tagged math yet.')).first().waitFor();
    await tags.getByRole('radio', { name: /^All/ }).check();
    await expect.poll(() => board.getByRole('rowheader').first().innerText(), POLL).toBe(GOOD_MODEL);

    // The results and charts follow the dark theme.
    await pagesNav().getByRole('button', { name: 'Chats' }).click();
    await page.getByRole('radio', { name: 'Dark' }).check();
    await expect.poll(() => page.locator('html').getAttribute('data-theme'), POLL).toBe('dark');
    await pagesNav().getByRole('button', { name: 'Lab' }).click();
    await labTab('Runs').click();
    await expect.poll(() => page.getByTestId('lab-scatter').locator('svg .recharts-scatter-symbol').count(), POLL).toBe(3);
    await page.getByRole('region', { name: /^Results:/ }).screenshot({ path: join(ARTIFACTS, 'lab-08-results-dark.png') });
    await pagesNav().getByRole('button', { name: 'Chats' }).click();
    await page.getByRole('radio', { name: 'Light' }).check();
    await expect.poll(() => page.locator('html').getAttribute('data-theme'), POLL).toBe('light');
    await pagesNav().getByRole('button', { name: 'Lab' }).click();
  });

  test('Stop ends a running run with what finished', async () => {
    await labTab('Runs').click();
    const form = page.getByRole('form', { name: 'New run' });
    for (const model of [LOCAL_MODEL, GOOD_MODEL, FAILING_MODEL]) await form.getByRole('checkbox', { name: model, exact: true }).uncheck();
    await form.getByRole('checkbox', { name: SLOW_MODEL, exact: true }).check();
    await form.getByRole('spinbutton', { name: 'Parallel' }).fill('1');
    await form.getByRole('button', { name: 'Start run' }).click();
    const dialog = page.getByRole('dialog', { name: 'Start this run?' });
    await dialog.getByText(/^3 calls, estimated cost \$0\.0000/).waitFor();
    await dialog.getByRole('button', { name: 'Start' }).click();

    // While it runs: the bar, what runs now (model · task), and Stop.
    const progress = page.getByRole('progressbar', { name: 'Lab run progress' });
    await page.getByText(`0 of 3 · ${SLOW_MODEL} · add`, { exact: true }).waitFor();
    expect(await progress.evaluate((bar) => (bar as unknown as ProgressBar).max)).toBe(3);
    await expect.poll(() => fake!.count('slow-test'), POLL).toBe(1);
    await screenshot('lab-07-running');
    const started = Date.now();
    await page.getByRole('button', { name: 'Stop' }).click();
    await page.getByRole('status').filter({ hasText: 'Run stopped' }).waitFor();
    // Well before the slow answer's 10 seconds, and nothing more was sent.
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(fake!.count('slow-test')).toBe(1);
    const past = page.getByRole('table', { name: 'Past runs' });
    await expect.poll(() => past.getByRole('row').filter({ hasText: 'stopped' }).count(), POLL).toBe(1);
    await page.getByText('Stopped', { exact: true }).waitFor();
  });

  test('a cloud model with no known price: the estimate names it, and its cost cell counts the unpriced calls', async () => {
    const UNPRICED = `${PROVIDER}/gpt-test`;
    await labTab('Runs').click();
    const form = page.getByRole('form', { name: 'New run' });
    await form.getByRole('checkbox', { name: SLOW_MODEL, exact: true }).uncheck();
    await form.getByRole('checkbox', { name: UNPRICED, exact: true }).check();
    await form.getByRole('button', { name: 'Start run' }).click();
    const dialog = page.getByRole('dialog', { name: 'Start this run?' });
    await dialog.getByText(`not counted: ${UNPRICED} (price unknown)`, { exact: false }).waitFor();
    await dialog.getByRole('button', { name: 'Start' }).click();
    await page.getByRole('status').filter({ hasText: 'Run finished' }).waitFor({ timeout: 30_000 });
    const table = page.getByRole('table', { name: 'Lab results' });
    const row = table.getByRole('row').filter({ has: page.getByRole('rowheader', { name: new RegExp(`^${UNPRICED.replace(/[/.]/g, '\\$&')}`) }) });
    await expect.poll(async () => (await row.getByRole('cell').allInnerTexts())[5], POLL).toBe('$0 + 3 unpriced');
    await form.getByRole('checkbox', { name: UNPRICED, exact: true }).uncheck();
  });

  test('the task set can be deleted after a confirmation', async () => {
    await labTab('Task sets').click();
    const row = page.getByRole('table', { name: 'Task sets' }).getByRole('row').filter({ hasText: SET_NAME });
    await row.getByRole('button', { name: 'Delete' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete this task set?' });
    await dialog.getByText(SET_NAME).waitFor();
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await page.getByText('No task sets yet.', { exact: false }).waitFor();
  });
});
