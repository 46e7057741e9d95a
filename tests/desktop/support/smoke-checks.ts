import { dirname, join } from 'node:path';
import { expect } from 'vitest';
import type { MainRun } from './run-main';

interface Result {
  ok: boolean;
  data?: unknown;
  error?: { code: string; message: string };
}

/**
 * What a person would see from a good start of the desktop app, checked on
 * one run of a main bundle (built or packed): the window with the hardened
 * preferences, its files where they are loaded from, the catalog, prices
 * and puzzles from the one resources folder, requests answered through the
 * real IPC handler (and refused from anywhere else), a clean exit.
 */
export function expectDesktopStarted(run: MainRun, where: { mainScript: string; dataDir: string }): void {
  expect(run.code, run.stderr).toBe(0);
  expect(run.has('error-box'), 'no error dialog on a good start').toBe(false);

  const window = run.entry<{ webPreferences: Record<string, unknown>; preloadExists: boolean }>('window');
  expect(window.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true });
  expect(window.webPreferences).not.toHaveProperty('allowRunningInsecureContent', true);
  expect(window.webPreferences).not.toHaveProperty('webviewTag', true);
  const outDir = dirname(dirname(where.mainScript));
  expect(window.webPreferences.preload).toBe(join(outDir, 'preload', 'index.cjs'));
  expect(window.preloadExists, 'the preload exists where the window loads it from').toBe(true);

  const load = run.entry<{ file: string; exists: boolean }>('load');
  expect(load.file).toBe(join(outDir, 'renderer', 'index.html'));
  expect(load.exists, "the renderer's index.html exists where it is loaded from").toBe(true);

  const renderer = run.entry<{
    results: Record<string, Result>;
    sandboxEnabled: boolean;
    visible: boolean;
    csp: string[] | null;
    permissionGranted: boolean | null;
    navigationPrevented: boolean;
    popup: unknown;
    events: { channel: string; event: string }[];
  }>('renderer');
  const { results } = renderer;
  expect(renderer.sandboxEnabled, 'app.enableSandbox() before ready').toBe(true);
  expect(renderer.visible, 'the window is shown once ready').toBe(true);

  // The core started, in desktop mode, on the data dir Electron gave it.
  expect(results.info).toMatchObject({ ok: true, data: { name: 'Tandem', mode: 'desktop', dataDir: where.dataDir } });
  // The bundled catalog and puzzle pack load (through the resources folder).
  expect(results.catalog?.ok, JSON.stringify(results.catalog?.error)).toBe(true);
  expect((results.catalog?.data as unknown[]).length).toBeGreaterThanOrEqual(8);
  expect(results.puzzles?.ok, JSON.stringify(results.puzzles?.error)).toBe(true);
  expect((results.puzzles?.data as unknown[]).length).toBeGreaterThanOrEqual(20);
  // The price table loads: a listed OpenAI model has its bundled price (costs are not empty).
  expect(results.providerAdded).toMatchObject({ ok: true, data: { keySource: 'stored' } });
  expect(results.providerModels).toMatchObject({
    ok: true,
    data: [{ id: 'openai/gpt-4o-mini', pricing: { inputPerMillion: 0.15, outputPerMillion: 0.6 } }],
  });
  // A change made through IPC is saved and pushed back to the window as an event on the message channel.
  expect(results.settingsUpdated).toMatchObject({ ok: true, data: { theme: 'dark' } });
  expect(renderer.events).toContainEqual({ channel: 'tandem:message', event: 'settings.changed' });
  // Documents → Add folder opens the system folder picker (the stand-in answers a cancel).
  expect(results.folderPicker).toEqual({ ok: true, data: { paths: [] } });
  expect(run.entry<{ options: { properties: string[] } }>('open-dialog').options.properties).toContain('openDirectory');
  // Contract errors come back as results; other origins and subframes are refused.
  expect(results.unknownRoute).toMatchObject({ ok: false, error: { code: 'UNKNOWN_ROUTE' } });
  expect(results.fromAnotherSite).toMatchObject({ ok: false, error: { code: 'BAD_MESSAGE' } });
  expect(results.fromSubframe).toMatchObject({ ok: false, error: { code: 'BAD_MESSAGE' } });

  // Session hardening: a CSP header on every response, no permission granted, web links leave the app.
  expect(renderer.csp?.[0]).toMatch(/default-src 'self'; script-src 'self'/);
  expect(renderer.permissionGranted).toBe(false);
  expect(renderer.navigationPrevented).toBe(true);
  expect(renderer.popup).toEqual({ action: 'deny' });
  expect(run.entry<{ code: number }>('exit').code).toBe(0);
}
