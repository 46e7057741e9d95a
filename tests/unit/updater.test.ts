import { EventEmitter } from 'node:events';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeEach, expect, test, vi } from 'vitest';
import { setupUpdates } from '../../electron/main/updater';
import { TempDirs } from '../support/temp-dir';
import { RecordingLogger } from '../support/test-logger';

/**
 * The update glue with electron-updater replaced by a recorder (the real one
 * needs Electron): off without a feed URL or outside an installed app; with
 * one, a downloaded update installs only on quit and only after the config
 * files were backed up.
 */
const updater = vi.hoisted(() => ({ current: null as null | (EventEmitter & Record<string, unknown>) }));
vi.mock('electron-updater', () => {
  const make = () => {
    const emitter = new EventEmitter() as EventEmitter & Record<string, unknown>;
    Object.assign(emitter, {
      feed: null as unknown,
      installs: [] as unknown[][],
      setFeedURL: (options: unknown) => (emitter.feed = options),
      checkForUpdates: async () => null,
      quitAndInstall: (...args: unknown[]) => (emitter.installs as unknown[][]).push(args),
    });
    return emitter;
  };
  updater.current = make();
  return { autoUpdater: updater.current, default: { autoUpdater: updater.current } };
});

const temp = new TempDirs();
afterAll(() => temp.removeAll());
beforeEach(() => {
  updater.current?.removeAllListeners();
  if (updater.current) updater.current.installs = [];
});

test('off when the feed URL is unset, and never under npm start (not packaged)', async () => {
  const dataDir = await temp.make('tandem-updates-off-');
  expect(await setupUpdates({ feedUrl: null, dataDir, logger: new RecordingLogger(), isPackaged: true })).toBeNull();
  expect(await setupUpdates({ feedUrl: 'https://updates.example.com/tandem', dataDir, logger: new RecordingLogger(), isPackaged: false })).toBeNull();
});

test('a downloaded update installs on quit after the config files are backed up; nothing installs before it is downloaded', async () => {
  const dataDir = await temp.make('tandem-updates-');
  await writeFile(join(dataDir, 'providers.json'), '{"version":1,"providers":[]}');
  const glue = await setupUpdates({ feedUrl: 'https://updates.example.com/tandem', dataDir, logger: new RecordingLogger(), isPackaged: true });
  const auto = updater.current!;
  expect(auto.feed).toEqual({ provider: 'generic', url: 'https://updates.example.com/tandem' });
  expect(auto.autoInstallOnAppQuit).toBe(false);

  expect(await glue!.installOnQuit()).toBe(false);
  expect(auto.installs).toHaveLength(0);

  auto.emit('update-downloaded', { version: '0.2.0' });
  expect(await glue!.installOnQuit()).toBe(true);
  expect(auto.installs).toEqual([[true, false]]);
  const [backup] = await readdir(join(dataDir, 'backups'));
  expect(await readdir(join(dataDir, 'backups', backup!))).toContain('providers.json');
});

test('when the backup fails, the update is not installed', async () => {
  const dataDir = await temp.make('tandem-updates-fail-');
  await mkdir(join(dataDir, 'settings.json'));
  const logger = new RecordingLogger();
  const glue = await setupUpdates({ feedUrl: 'https://updates.example.com/tandem', dataDir, logger, isPackaged: true });
  const auto = updater.current!;
  auto.emit('update-downloaded', { version: '0.2.0' });
  expect(await glue!.installOnQuit()).toBe(false);
  expect(auto.installs).toHaveLength(0);
  expect(logger.errors().join('\n')).toMatch(/0\.2\.0 was not installed because the config files could not be backed up/);
});

test('when the installer does not quit Tandem, it exits anyway (no windowless app with its core shut down)', async () => {
  const dataDir = await temp.make('tandem-updates-stuck-');
  const logger = new RecordingLogger();
  const exits: number[] = [];
  const glue = await setupUpdates({
    feedUrl: 'https://updates.example.com/tandem',
    dataDir,
    logger,
    isPackaged: true,
    exit: () => exits.push(Date.now()),
    exitFallbackMs: 50,
  });
  const auto = updater.current!;
  const quitAndInstall = auto.quitAndInstall;
  auto.quitAndInstall = () => {
    throw new Error('installer missing');
  };
  try {
    auto.emit('update-downloaded', { version: '0.2.0' });
    expect(await glue!.installOnQuit()).toBe(true);
    expect(exits).toHaveLength(0);
    await vi.waitFor(() => expect(exits).toHaveLength(1), { timeout: 10_000, interval: 10 });
  } finally {
    auto.quitAndInstall = quitAndInstall;
  }
  expect(logger.errors().join('\n')).toMatch(/installer for Tandem 0\.2\.0 could not start/);
});
