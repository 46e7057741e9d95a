import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { TempDirs } from '../support/temp-dir';
import { BUILT_MAIN, ensureBuilt, runMain } from './support/run-main';
import { expectDesktopStarted } from './support/smoke-checks';

/**
 * The desktop app as built: out/main/index.js runs under plain Node with a
 * stand-in `electron` module (tests/desktop/support), and a driver acting as
 * the window checks what a person would notice. Electron's binary cannot
 * run here; everything else is the real main process and the real core.
 */
const temp = new TempDirs();

beforeAll(() => ensureBuilt());
afterAll(() => temp.removeAll());

describe('the built main process (out/main/index.js)', () => {
  test('finds no bundled file by counting ../ from its own folder', () => {
    const bundle = readFileSync(BUILT_MAIN, 'utf8');
    expect(bundle).not.toMatch(/\.\.\/(?:\.\.\/)*resources/);
    expect(bundle).not.toMatch(/new URL\(\s*["']\.\.\//);
  });

  test('starts: the core, the hardened window, its files, catalog and prices from resources/, IPC through the real handler', async () => {
    const dir = await temp.make('tandem-desktop-');
    const dataDir = join(dir, 'user-data');
    const run = await runMain(BUILT_MAIN, join(dir, 'report.jsonl'), { STAND_IN_USER_DATA: dataDir });
    expectDesktopStarted(run, { mainScript: BUILT_MAIN, dataDir });
    // The key went through the OS keychain glue (safeStorage), never stored as typed.
    const providers = readFileSync(join(dataDir, 'providers.json'), 'utf8');
    expect(providers).toContain('safestorage:');
    expect(providers).not.toContain('sk-smoke-test-key');
  });

  test('a start-up failure (data folder unusable) shows an error dialog and exits 1', async () => {
    const dir = await temp.make('tandem-desktop-fail-');
    const blocker = join(dir, 'a-file');
    writeFileSync(blocker, 'not a folder');
    const run = await runMain(BUILT_MAIN, join(dir, 'report.jsonl'), { STAND_IN_USER_DATA: join(blocker, 'data') });
    expect(run.code, run.stderr).toBe(1);
    const box = run.entry<{ title: string; content: string }>('error-box');
    expect(box.title).toBe('Tandem could not start');
    expect(box.content).toContain(join(blocker, 'data'));
    expect(run.has('window'), 'no window after a failed start').toBe(false);
    expect(run.stderr).not.toMatch(/UnhandledPromiseRejection|triggerUncaughtException/);
  });

  test('a second instance (lock lost) starts nothing: no core, no handler, no window', async () => {
    const dir = await temp.make('tandem-desktop-second-');
    const dataDir = join(dir, 'user-data');
    const run = await runMain(BUILT_MAIN, join(dir, 'report.jsonl'), { STAND_IN_USER_DATA: dataDir, STAND_IN_LOCK: 'lost' });
    expect(run.code, run.stderr).toBe(0);
    expect(run.has('quit')).toBe(true);
    expect(run.has('when-ready'), 'start-up never waits for ready').toBe(false);
    expect(run.has('handle'), 'no IPC handler registered').toBe(false);
    expect(run.has('window')).toBe(false);
    expect(() => readFileSync(join(dataDir, 'settings.json'))).toThrow();
  });
});
