import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, test } from 'vitest';
import { DEFAULT_SETTINGS, SettingsStore } from '../../electron/core/settings/settings-store';
import { writeFileAtomic } from '../../electron/core/fs/atomic-write';
import { SettingsSchema, type Settings } from '../../shared/ipc/domain';
import { TempDirs } from '../support/temp-dir';

const temp = new TempDirs();
afterAll(() => temp.removeAll());

let dir: string;
let path: string;
beforeEach(async () => {
  dir = await temp.make('tandem-settings-');
  path = join(dir, 'settings.json');
});

describe('SettingsStore', () => {
  test('with no file, defaults are used and nothing is reported', async () => {
    const store = new SettingsStore(path);
    expect(await store.load()).toEqual(DEFAULT_SETTINGS);
    expect(store.loadProblem).toBeNull();
    expect(SettingsSchema.safeParse(DEFAULT_SETTINGS).success).toBe(true);
  });

  test('an update is saved, survives a reload, and tells listeners', async () => {
    const store = new SettingsStore(path);
    await store.load();
    const seen: Settings[] = [];
    store.onChange((next) => seen.push(next));
    const next = await store.update({ theme: 'dark', maxTokens: 64, threads: { generation: 1, batch: 'auto' } });
    expect(next).toMatchObject({ theme: 'dark', maxTokens: 64, modelsDirs: [] });
    expect(seen).toEqual([next]);
    const reloaded = new SettingsStore(path);
    expect(await reloaded.load()).toEqual(next);
    expect(reloaded.loadProblem).toBeNull();
  });

  test('writes are atomic: the file is always whole JSON and no temp files are left', async () => {
    const store = new SettingsStore(path);
    await store.load();
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.update({ maxTokens: i + 1 })));
    expect(await readdir(dir)).toEqual(['settings.json']);
    const onDisk = SettingsSchema.parse(JSON.parse(await readFile(path, 'utf8')));
    expect(onDisk.maxTokens).toBe(20);
    expect(store.get().maxTokens).toBe(20);
  });

  test('an invalid update is refused and changes nothing', async () => {
    const store = new SettingsStore(path);
    await store.load();
    await store.update({ theme: 'light' });
    await expect(store.update({ maxTokens: -5 })).rejects.toThrow();
    expect(store.get().maxTokens).toBe(DEFAULT_SETTINGS.maxTokens);
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({ theme: 'light', maxTokens: DEFAULT_SETTINGS.maxTokens });
  });

  test.each([
    ['broken JSON', '{"version": 1, "theme": '],
    ['a wrong value', JSON.stringify({ ...DEFAULT_SETTINGS, theme: 'purple' })],
    ['an unknown version', JSON.stringify({ version: 7, theme: 'dark' })],
    ['not an object', '[1, 2, 3]'],
  ])('a file with %s is kept aside, never lost, and defaults are used', async (_what, content) => {
    await writeFile(path, content);
    const store = new SettingsStore(path);
    expect(await store.load()).toEqual(DEFAULT_SETTINGS);
    expect(store.loadProblem).toMatch(/settings\.json could not be read/);
    const aside = (await readdir(dir)).filter((name) => name.startsWith('settings.json.invalid-'));
    expect(aside).toHaveLength(1);
    expect(await readFile(join(dir, aside[0]!), 'utf8')).toBe(content);
    expect(store.loadProblem).toContain(aside[0]);
    // the next save writes a good file and leaves the kept copy alone
    await store.update({ theme: 'dark' });
    expect(SettingsSchema.parse(JSON.parse(await readFile(path, 'utf8'))).theme).toBe('dark');
    expect(await readFile(join(dir, aside[0]!), 'utf8')).toBe(content);
  });

  test('a version-1 file missing newer fields gets their defaults', async () => {
    await writeFile(path, JSON.stringify({ version: 1, theme: 'light' }));
    const store = new SettingsStore(path);
    expect(await store.load()).toEqual({ ...DEFAULT_SETTINGS, theme: 'light' });
    expect(store.loadProblem).toBeNull();
  });
});

describe('writeFileAtomic', () => {
  test('replaces the content whole and leaves no temp file', async () => {
    const target = join(dir, 'data.json');
    await writeFileAtomic(target, 'old');
    await writeFileAtomic(target, 'new content');
    expect(await readFile(target, 'utf8')).toBe('new content');
    expect(await readdir(dir)).toEqual(['data.json']);
  });

  test('creates missing folders', async () => {
    const target = join(dir, 'a', 'b', 'c.txt');
    await writeFileAtomic(target, new Uint8Array([104, 105]));
    expect(await readFile(target, 'utf8')).toBe('hi');
  });

  test('when the rename fails, the temp file is removed and the error surfaces', async () => {
    const target = join(dir, 'is-a-folder');
    await writeFileAtomic(join(target, 'inside.txt'), 'x'); // makes `target` a non-empty folder
    await expect(writeFileAtomic(target, 'y')).rejects.toThrow();
    expect((await readdir(dir)).sort()).toEqual(['is-a-folder']);
  });
});
