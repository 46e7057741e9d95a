import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import { startServe, type ServeProcess } from '../support/serve-process';
import { ARTIFACTS, MODEL_FILE, launchChromium, openTandem, prepareE2e } from '../support/e2e-browser';
import { freeLoopbackPort } from '../../electron/core/server/listen';

/**
 * The API server as a person sets it up (serve mode, Chromium): from
 * Settings to the API page, turn the server on (on a free port), add a key
 * and copy its secret, call the API with it, see the request on the Usage
 * page, and revoke the key.
 */

let workDir = '';
let server: ServeProcess | null = null;
let browser: Browser | null = null;
let context: BrowserContext | null = null;
let page: Page;

const POLL = { timeout: 15_000, interval: 100 };

async function screenshot(name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}


beforeAll(async () => {
  await prepareE2e();
  if (!existsSync(MODEL_FILE)) throw new Error(`The test model ${MODEL_FILE} is missing (set TANDEM_TEST_MODEL).`);
  workDir = await mkdtemp(join(tmpdir(), 'tandem-e2e-api-'));
  const modelsDir = join(workDir, 'models');
  await mkdir(modelsDir);
  await copyFile(MODEL_FILE, join(modelsDir, 'stories260K.gguf'));
  server = await startServe({ dataDir: join(workDir, 'data'), modelsDir });
  browser = await launchChromium();
  ({ context, page } = await openTandem(browser, server.url, { viewport: { width: 1280, height: 900 }, timeoutMs: 20_000 }));
});

afterAll(async () => {
  await context?.close().catch(() => undefined);
  await browser?.close().catch(() => undefined);
  await server?.stop({ timeoutMs: 5_000 }).catch(() => undefined);
  if (workDir) await rm(workDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
});

afterEach(async (context) => {
  if (context.task.result?.state === 'fail') await screenshot(`api-failed-${context.task.name.slice(0, 40).replace(/\W+/g, '-')}`).catch(() => undefined);
});

test('enable the API server from Settings, add a key, use it, see the request in Usage, revoke it', async () => {
  // Settings → the API page.
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  const settings = page.getByRole('dialog', { name: 'Settings' });
  await settings.getByRole('button', { name: 'API server settings…' }).click();
  await page.getByRole('heading', { name: 'API server', level: 1 }).waitFor();
  expect(await page.getByRole('navigation', { name: 'Pages' }).getByRole('button', { name: 'API' }).getAttribute('aria-current')).toBe('page');
  const status = page.getByRole('status', { name: 'API server status' });
  await status.getByText('Stopped').waitFor();

  // A free port (7411 may be taken on a test machine), then the switch.
  const port = await freeLoopbackPort();
  await page.getByRole('spinbutton', { name: 'Port' }).fill(String(port));
  await page.getByRole('button', { name: 'Save server settings' }).click();
  await expect.poll(() => page.getByRole('spinbutton', { name: 'Port' }).inputValue(), POLL).toBe(String(port));
  // Saved once the button is idle again (the form is no longer ahead of the settings): the switch below sends the api
  // settings as they are then, so toggling while the save is still in flight would send the old port.
  await expect.poll(() => page.getByRole('button', { name: 'Save server settings' }).isDisabled(), POLL).toBe(true);
  const enable = page.getByRole('switch', { name: 'Enable API server' });
  expect(await enable.isChecked()).toBe(false);
  await enable.focus();
  await page.keyboard.press('Space');
  const apiUrl = `http://127.0.0.1:${port}/v1`;
  await status.getByText(apiUrl).waitFor();
  await status.getByText(`http://127.0.0.1:${port}/mcp`).waitFor();
  expect(await status.getByRole('button', { name: 'Copy API URL' }).count()).toBe(1);
  expect(await enable.isChecked()).toBe(true);

  // A key with a limit: its secret is shown once.
  await page.getByRole('button', { name: 'Add key' }).click();
  const add = page.getByRole('dialog', { name: 'Add API key' });
  await add.getByRole('textbox', { name: 'Name' }).fill('editor');
  await add.getByRole('spinbutton', { name: 'Requests per minute' }).fill('30');
  await add.getByRole('button', { name: 'Add key' }).click();
  const added = page.getByRole('dialog', { name: 'API key added' });
  await added.getByText('it will not be shown again').waitFor();
  const secret = (await added.getByLabel('New API key').innerText()).trim();
  expect(secret).toMatch(/^tdm_[0-9A-Za-z]{32}$/);
  expect(await added.getByRole('button', { name: 'Copy key' }).count()).toBe(1);
  await screenshot('api-01-key-added');
  await added.getByRole('button', { name: 'Done' }).click();

  const row = page.getByRole('row', { name: /^editor/ });
  await row.waitFor();
  const cells = await row.getByRole('cell').allInnerTexts();
  expect(cells).toContain(`${secret.slice(0, 8)}…`);
  expect(cells).toContain('30/min');
  expect(cells).toContain('Never');

  // A tool uses it: the row shows today's use, and the Usage page lists the request.
  const answer = await fetch(`${apiUrl}/models`, { headers: { Authorization: `Bearer ${secret}` } });
  expect(answer.status).toBe(200);
  await expect.poll(() => row.getByRole('cell').allInnerTexts(), POLL).toContain('1 request · 0 tokens · $0.00');
  await screenshot('api-02-server-running');

  await page.getByRole('navigation', { name: 'Pages' }).getByRole('button', { name: 'Usage' }).click();
  const log = page.getByRole('table', { name: 'API requests' });
  const logged = log.getByRole('row').filter({ hasText: 'GET /v1/models' });
  await logged.first().waitFor();
  const logCells = await logged.first().getByRole('cell').allInnerTexts();
  expect(logCells).toContain('editor');
  expect(logCells).toContain('200');
  await log.screenshot({ path: join(ARTIFACTS, 'api-03-request-log.png') });

  // Revoke (confirmed): gone from the list, and the secret no longer works.
  await page.getByRole('navigation', { name: 'Pages' }).getByRole('button', { name: 'API' }).click();
  await page.getByRole('button', { name: 'Revoke editor' }).click();
  const confirm = page.getByRole('dialog', { name: 'Revoke API key' });
  await confirm.getByRole('button', { name: 'Revoke' }).click();
  await expect.poll(() => page.getByRole('row', { name: /^editor/ }).count(), POLL).toBe(0);
  expect((await fetch(`${apiUrl}/models`, { headers: { Authorization: `Bearer ${secret}` } })).status).toBe(401);
  await page.getByText('No keys yet').waitFor();
  await screenshot('api-04-key-revoked');

  // Off again: the server stops.
  await enable.click();
  await status.getByText('Stopped').waitFor();
  await expect(fetch(`${apiUrl}/models`)).rejects.toThrow();
});
