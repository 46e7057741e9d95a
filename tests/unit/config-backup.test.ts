import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { backupConfigFiles, backupStamp } from '../../electron/core/app/config-backup';
import { TempDirs } from '../support/temp-dir';

/** Before an update installs, what the user configured is copied to backups/<time>/ (electron/main/updater.ts). */
const temp = new TempDirs();
afterAll(() => temp.removeAll());

test('copies providers, MCP servers, settings and collections to backups/<time>/, skipping files that do not exist', async () => {
  const dataDir = await temp.make('tandem-backup-');
  await writeFile(join(dataDir, 'providers.json'), '{"version":1,"providers":[{"name":"openai"}]}');
  await writeFile(join(dataDir, 'settings.json'), '{"version":1}');
  await mkdir(join(dataDir, 'documents'));
  await writeFile(join(dataDir, 'documents', 'collections.json'), '{"collections":[]}');
  const now = new Date('2026-12-06T08:40:00.123Z');

  const backup = await backupConfigFiles(dataDir, now);

  expect(backup.dir).toBe(join(dataDir, 'backups', '2026-12-06T08-40-00-123Z'));
  expect(backup.files.sort()).toEqual([join('documents', 'collections.json'), 'providers.json', 'settings.json']);
  expect(await readFile(join(backup.dir, 'providers.json'), 'utf8')).toBe('{"version":1,"providers":[{"name":"openai"}]}');
  expect(await readFile(join(backup.dir, 'documents', 'collections.json'), 'utf8')).toBe('{"collections":[]}');
  await expect(readFile(join(backup.dir, 'mcp-servers.json'))).rejects.toMatchObject({ code: 'ENOENT' });
  // The originals stay where they were.
  expect(await readFile(join(dataDir, 'settings.json'), 'utf8')).toBe('{"version":1}');
});

test('each update gets its own backup; only the newest ten are kept', async () => {
  const dataDir = await temp.make('tandem-backups-');
  await writeFile(join(dataDir, 'mcp-servers.json'), '{"servers":[]}');
  for (let i = 0; i < 12; i += 1) await backupConfigFiles(dataDir, new Date(Date.UTC(2026, 0, 1, 0, i)));
  const kept = (await readdir(join(dataDir, 'backups'))).sort();
  expect(kept).toHaveLength(10);
  expect(kept[0]).toBe(backupStamp(new Date(Date.UTC(2026, 0, 1, 0, 2))));
  expect(kept.at(-1)).toBe(backupStamp(new Date(Date.UTC(2026, 0, 1, 0, 11))));
});

test('a config file that exists but cannot be read fails the backup (and so the install)', async () => {
  const dataDir = await temp.make('tandem-backup-fail-');
  // A folder where settings.json should be: copying it fails with something other than "missing".
  await mkdir(join(dataDir, 'settings.json'));
  await expect(backupConfigFiles(dataDir)).rejects.toThrow();
});
