import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startServe, type ServeProcess } from '../support/serve-process';
import { ARTIFACTS, REPO_ROOT, launchChromium, openTandem, prepareE2e } from '../support/e2e-browser';

/**
 * Issue 15 as a person meets it (serve mode, the built UI with its CSP meta):
 * a providers.json that could not be used is kept aside and a banner says so
 * (dismissible, and gone for good once dismissed); a stdio MCP server that an
 * imported file added waits on the MCP page for "Allow this server to run".
 */

const FAULT_SERVER = join(REPO_ROOT, 'tests', 'fixtures', 'mcp', 'fault-server.mjs');
let workDir = '';
let dataDir = '';
let server: ServeProcess | null = null;
let browser: Browser | null = null;
let context: BrowserContext | null = null;
let page: Page;
const cspViolations: string[] = [];

beforeAll(async () => {
  await prepareE2e();
  workDir = await mkdtemp(join(tmpdir(), 'tandem-e2e-notices-'));
  dataDir = join(workDir, 'data');
  await mkdir(dataDir, { recursive: true });
  await writeFile(join(dataDir, 'providers.json'), '{"version": 1, "providers": [{"name": "mine"');
  const waiting = {
    name: 'imported',
    transport: 'stdio',
    enabled: true,
    timeoutMs: 60_000,
    command: process.execPath,
    args: [FAULT_SERVER],
    env: {},
    sealedEnv: {},
    cwd: null,
    url: null,
    headers: {},
    sealedHeaders: {},
    tools: {},
    needsConfirmation: true,
  };
  await writeFile(join(dataDir, 'mcp-servers.json'), JSON.stringify({ version: 1, servers: [waiting] }));
  server = await startServe({ dataDir });
  browser = await launchChromium();
  ({ context, page } = await openTandem(browser, server.url, { viewport: { width: 1200, height: 800 }, timeoutMs: 20_000 }));
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) cspViolations.push(message.text());
  });
});

afterAll(async () => {
  await context?.close().catch(() => undefined);
  await browser?.close().catch(() => undefined);
  await server?.stop({ timeoutMs: 5_000 }).catch(() => undefined);
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe('what the user is told, and what waits for the user', () => {
  test('the app loads under the CSP meta, shows what was kept and where, and the notice stays dismissed', async () => {
    const kept = (await readdir(dataDir)).filter((name) => name.startsWith('providers.json.invalid-'));
    expect(kept).toHaveLength(1);
    const notices = page.getByRole('region', { name: 'App notices' });
    const notice = notices.getByRole('alert');
    await expect.poll(() => notice.textContent(), { timeout: 20_000 }).toContain(join(dataDir, kept[0]!));
    expect(await notice.textContent()).toMatch(/providers\.json could not be used because it is not valid JSON/);
    await page.screenshot({ path: join(ARTIFACTS, 'notices-kept-aside.png') });
    await notices.getByRole('button', { name: 'Dismiss notice' }).click();
    await expect.poll(() => notices.count()).toBe(0);
    await page.reload();
    await page.getByRole('status').filter({ hasText: 'Connected' }).waitFor();
    await page.waitForTimeout(500);
    expect(await page.getByRole('region', { name: 'App notices' }).count()).toBe(0);
    expect(cspViolations).toEqual([]);
  });

  test('an imported stdio server waits for "Allow this server to run", then runs', async () => {
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('button', { name: 'MCP' }).click();
    const card = page.getByRole('article', { name: 'imported' });
    await expect.poll(() => card.textContent(), { timeout: 20_000 }).toContain('Waiting for your OK');
    const ask = card.getByRole('group', { name: 'Allow imported to run?' });
    expect(await ask.textContent()).toContain(FAULT_SERVER);
    await page.screenshot({ path: join(ARTIFACTS, 'notices-mcp-needs-confirmation.png') });
    await ask.getByRole('button', { name: 'Allow this server to run' }).click();
    await expect.poll(() => card.textContent(), { timeout: 30_000 }).toContain('Ready');
    expect(await card.getByRole('group', { name: 'Allow imported to run?' }).count()).toBe(0);
  });
});
