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
    expect(store.loadProblem).toMatch(/settings\.json could not be used/);
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

  test('one bad hand-edited newer value (an http:// update feed, an unknown runtime, bad OCR languages) falls back alone; the rest loads', async () => {
    await writeFile(
      path,
      JSON.stringify({
        ...DEFAULT_SETTINGS,
        theme: 'dark',
        maxTokens: 77,
        updates: { feedUrl: 'http://updates.example.com/tandem' },
        runtime: { variant: 'turbo' },
        documents: { ...DEFAULT_SETTINGS.documents, retrievalTopK: 9, ocr: { enabled: false, languages: ['English!'] } },
      }),
    );
    const store = new SettingsStore(path);
    const loaded = await store.load();
    expect(store.loadProblem).toBeNull();
    expect(await readdir(dir)).toEqual(['settings.json']); // nothing kept aside
    expect(loaded).toMatchObject({ theme: 'dark', maxTokens: 77, updates: { feedUrl: null }, runtime: DEFAULT_SETTINGS.runtime });
    expect(loaded.documents).toEqual({ ...DEFAULT_SETTINGS.documents, retrievalTopK: 9 });
    // The update route still refuses a feed that is not https.
    await expect(store.update({ updates: { feedUrl: 'http://updates.example.com/tandem' } })).rejects.toThrow(/https/);
    expect(store.get().updates.feedUrl).toBeNull();
  });
});

describe('SettingsStore writes that fail (issue 15: writes recover)', () => {
  test('a failed write is reported, memory keeps what is on disk, and the next write saves again', async () => {
    const store = new SettingsStore(path, {
      write: async (target, content) => {
        if (failNext) {
          failNext = false;
          throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
        }
        await writeFileAtomic(target, content);
      },
      onWriteFailed: (message) => reported.push(message),
    });
    let failNext = false;
    const reported: string[] = [];
    const seen: Settings[] = [];
    store.onChange((next) => seen.push(next));
    await store.load();
    await store.update({ theme: 'light' });

    failNext = true;
    await expect(store.update({ maxTokens: 99 })).rejects.toMatchObject({ code: 'STORAGE_FAILED', message: expect.stringMatching(/could not be saved.*no space left/) });
    expect(reported).toHaveLength(1);
    expect(reported[0]).toContain(path);
    // Memory did not take the value the file does not hold; nobody was told it changed.
    expect(store.get().maxTokens).toBe(DEFAULT_SETTINGS.maxTokens);
    expect(seen.map((s) => s.maxTokens)).toEqual([DEFAULT_SETTINGS.maxTokens]);

    // The next write goes through (no stuck queue) and starts from what is on disk.
    const next = await store.update({ maxTokens: 77 });
    expect(next).toMatchObject({ theme: 'light', maxTokens: 77 });
    expect(SettingsSchema.parse(JSON.parse(await readFile(path, 'utf8')))).toMatchObject({ theme: 'light', maxTokens: 77 });
    const reloaded = new SettingsStore(path);
    expect(await reloaded.load()).toEqual(store.get());
  });

  test('updates queued behind a failing one still run, each from the last saved state', async () => {
    let calls = 0;
    const store = new SettingsStore(path, {
      write: async (target, content) => {
        calls += 1;
        if (calls === 1) throw new Error('EIO: i/o error');
        await writeFileAtomic(target, content);
      },
    });
    await store.load();
    const [failed, a, b] = await Promise.allSettled([store.update({ maxTokens: 1 }), store.update({ theme: 'dark' }), store.update({ maxTokens: 3 })]);
    expect(failed.status).toBe('rejected');
    expect(a).toMatchObject({ status: 'fulfilled', value: { theme: 'dark', maxTokens: DEFAULT_SETTINGS.maxTokens } });
    expect(b).toMatchObject({ status: 'fulfilled', value: { theme: 'dark', maxTokens: 3 } });
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({ theme: 'dark', maxTokens: 3 });
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
