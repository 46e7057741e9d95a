import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startServe, type ServeProcess } from '../support/serve-process';
import { ARTIFACTS, launchChromium, openTandem, prepareE2e } from '../support/e2e-browser';

/**
 * Models page → Runtime, as a person sees it (serve mode; tests never compile
 * llama.cpp: TANDEM_RUNTIME_BUILD=off). A build for this computer that failed
 * its check sits in the data folder: the prebuilt is in use and the panel
 * says why; choosing the runtime is saved in settings.
 */

let workDir = '';
let dataDir = '';
let server: ServeProcess | null = null;
let browser: Browser | null = null;
let context: BrowserContext | null = null;
let page: Page;

beforeAll(async () => {
  await prepareE2e();
  workDir = await mkdtemp(join(tmpdir(), 'tandem-e2e-runtime-'));
  dataDir = join(workDir, 'data');
  const build = join(dataDir, 'runtime', 'builds', 'linux-x64-broken');
  await mkdir(build, { recursive: true });
  await writeFile(join(build, 'llama-addon.node'), 'garbage');
  const at = new Date().toISOString();
  await writeFile(
    join(dataDir, 'runtime', 'state.json'),
    JSON.stringify({
      version: 1,
      localBuild: {
        folder: 'linux-x64-broken',
        path: build,
        llamaCppRelease: 'v0.5.0',
        builtAt: at,
        systemInfo: null,
        check: { ok: false, reason: "The build's output differs from the prebuilt's (greedy token 3 of 16)", model: 'stories260K.gguf', tokens: 16, checkedAt: at },
      },
    }),
  );
  server = await startServe({ dataDir });
  browser = await launchChromium();
  ({ context, page } = await openTandem(browser, server.url, { viewport: { width: 1200, height: 900 }, timeoutMs: 20_000 }));
});

afterAll(async () => {
  await context?.close().catch(() => undefined);
  await browser?.close().catch(() => undefined);
  await server?.stop({ timeoutMs: 5_000 }).catch(() => undefined);
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe('the Runtime panel', () => {
  test('shows the prebuilt in use, the CPU features and why the build for this computer is not used', async () => {
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('button', { name: 'Models' }).click();
    const panel = page.getByRole('region', { name: 'Runtime' });
    await expect.poll(() => panel.textContent(), { timeout: 30_000 }).toContain('Prebuilt CPU');
    const text = (await panel.textContent()) ?? '';
    expect(text).toMatch(/CPU features.*(AVX|NEON|SSE)/);
    expect(text).toContain("Not used: The build's output differs from the prebuilt's (greedy token 3 of 16)");
    expect(await panel.getByRole('note').first().textContent()).toMatch(/failed its check.*the prebuilt is used/);
    // the build for this computer cannot be chosen until a build passes its check
    expect(await panel.getByRole('radio', { name: 'Built for this computer' }).isDisabled()).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, 'runtime-panel.png') });
  });

  test('"Build for this computer" reports why it cannot run; the prebuilt stays', async () => {
    const panel = page.getByRole('region', { name: 'Runtime' });
    await panel.getByRole('button', { name: 'Build for this computer' }).click();
    await expect.poll(() => panel.getByRole('alert').first().textContent(), { timeout: 20_000 }).toMatch(/turned off here/);
    expect(await panel.textContent()).toContain('Prebuilt CPU');
  });

  test('choosing Prebuilt is saved in settings', async () => {
    const panel = page.getByRole('region', { name: 'Runtime' });
    // a controlled radio: it turns on once the backend answered
    await panel.getByRole('radio', { name: 'Prebuilt' }).click();
    await expect
      .poll(async () => (JSON.parse(await readFile(join(dataDir, 'settings.json'), 'utf8')) as { runtime?: { variant: string } }).runtime?.variant, { timeout: 20_000 })
      .toBe('prebuilt');
    await expect.poll(() => panel.getByRole('radio', { name: 'Prebuilt' }).isChecked()).toBe(true);
    expect(await panel.getByRole('radio', { name: 'Automatic' }).isChecked()).toBe(false);
  });
});
