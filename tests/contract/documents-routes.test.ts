import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createCore, type Core } from '../../electron/core/app/create-core';
import type { Collection, IndexProgress } from '../../shared/ipc/routes/documents';
import { writeTinyBertGguf } from '../fixtures/gguf-writer';
import { CollectingClient } from '../support/collecting-client';
import { TempDirs } from '../support/temp-dir';
import { RecordingLogger } from '../support/test-logger';

/** The documents routes through the router, as a window uses them (serve mode: watchers on). */

const temp = new TempDirs();
let core: Core;
let client: CollectingClient;
let folder: string;
let dataDir: string;
let modelsDir: string;

beforeAll(async () => {
  const root = await temp.make('tandem-docs-contract-');
  dataDir = join(root, 'data');
  modelsDir = join(root, 'models');
  folder = join(root, 'notes');
  await mkdir(modelsDir);
  await mkdir(join(folder, 'sub'), { recursive: true });
  await writeTinyBertGguf(join(modelsDir, 'tiny-bert.gguf'));
  await writeFile(join(folder, 'rivers.md'), '# Rivers\n\n## Europe\n\nThe Danube flows through ten countries.\n');
  await writeFile(join(folder, 'sub', 'mountains.txt'), 'Mont Blanc is the highest peak of the Alps.\n');
  core = await createCore({ dataDir, modelsDirs: [modelsDir], mode: 'serve', version: '0.0.0-test', logger: new RecordingLogger(), gpu: false });
  client = new CollectingClient(core.rpc);
});

afterAll(async () => {
  client?.close();
  await core?.dispose();
  await temp.removeAll();
});

const events = <T>(name: string) => client.messages.filter((m) => m.type === 'event' && (m as { event: string }).event === name).map((m) => (m as unknown as { payload: T }).payload);

async function idle(collectionId: string): Promise<Collection> {
  let collection: Collection | undefined;
  const deadline = Date.now() + 60_000;
  for (;;) {
    collection = await client.call('collections.list', {}).then((all) => all.find((c) => c.id === collectionId));
    if (collection && collection.state !== 'indexing') return collection;
    if (Date.now() > deadline) throw new Error('indexing did not finish');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('documents routes', () => {
  let id: string;

  test('collections.add answers at once, indexes in the background with progress events, and lists the collection', async () => {
    const added = await client.call('collections.add', { name: 'Notes', paths: [folder], localOnly: true });
    id = added.id;
    expect(added).toMatchObject({ name: 'Notes', state: 'indexing', sources: [{ path: folder, kind: 'folder', localOnly: true }], watching: true });
    const done = await idle(id);
    expect(done).toMatchObject({ files: 2, failed: 0, state: 'idle', embedder: { modelId: 'tiny-bert' } });
    const progress = events<IndexProgress>('collections.progress').filter((p) => p.collectionId === id);
    expect(progress.at(-1)).toMatchObject({ state: 'done', filesTotal: 2, filesDone: 2 });
    expect(events<{ collectionId: string | null }>('collections.changed').some((e) => e.collectionId === id)).toBe(true);
    expect(await client.call('collections.job', { collectionId: id })).toMatchObject({ state: 'done' });
  });

  test('search, inventory, export and view answer through the router', async () => {
    const found = await client.call('documents.search', { collectionIds: [id], query: 'Danube countries', mode: 'hybrid', k: 5 });
    expect(found).toMatchObject({ mode: 'hybrid', notice: null });
    expect(found.hits[0]).toMatchObject({ path: join(folder, 'rivers.md'), headingPath: ['Rivers', 'Europe'], localOnly: true, collectionId: id });
    const inventory = await client.call('collections.inventory', { collectionId: id });
    expect(inventory.map((f) => f.path)).toEqual([join(folder, 'rivers.md'), join(folder, 'sub', 'mountains.txt')]);
    const exported = await client.call('collections.export', { collectionId: id, format: 'markdown' });
    expect(exported).toMatchObject({ filename: 'Notes-inventory.md', mimeType: 'text/markdown' });
    const view = await client.call('documents.view', { collectionId: id, path: join(folder, 'rivers.md') });
    expect(view.sections.map((s) => s.text).join('\n')).toContain('Danube');
  });

  test('the watcher re-indexes added, changed and removed files within seconds', async () => {
    await writeFile(join(folder, 'lakes.txt'), 'Lake Baikal is the deepest lake on Earth.\n');
    const search = (query: string) => client.call('documents.search', { collectionIds: [id], query, mode: 'keyword' });
    const deadline = Date.now() + 15_000;
    while ((await search('Baikal')).hits.length === 0) {
      if (Date.now() > deadline) throw new Error('the new file was not indexed by the watcher');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await writeFile(join(folder, 'lakes.txt'), 'Lake Titicaca is high in the Andes.\n');
    while ((await search('Titicaca')).hits.length === 0) {
      if (Date.now() > deadline) throw new Error('the changed file was not re-indexed by the watcher');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect((await search('Baikal')).hits).toEqual([]);
    await rm(join(folder, 'lakes.txt'));
    while ((await search('Titicaca')).hits.length > 0) {
      if (Date.now() > deadline) throw new Error('the removed file kept its chunks');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });

  test('errors are coded: unknown collection, missing or relative path, files outside the collection, openExternal in serve mode', async () => {
    const failure = async (route: string, input: unknown) => {
      const result = await client.request(route, input);
      expect(result.ok).toBe(false);
      return (result as { error: { code: string } }).error.code;
    };
    expect(await failure('collections.inventory', { collectionId: 'no-such' })).toBe('NOT_FOUND');
    expect(await failure('documents.search', { collectionIds: ['no-such'], query: 'x' })).toBe('NOT_FOUND');
    expect(await failure('collections.add', { name: 'X', paths: [join(folder, 'missing')] })).toBe('NOT_FOUND');
    expect(await failure('collections.add', { name: 'X', paths: ['relative/path'] })).toBe('INVALID_INPUT');
    expect(await failure('documents.view', { collectionId: id, path: '/etc/hostname' })).toBe('NOT_FOUND');
    expect(await failure('documents.openExternal', { collectionId: id, path: join(folder, 'rivers.md') })).toBe('UNSUPPORTED');
    expect(await failure('documents.pickFolder', {})).toBe('UNSUPPORTED');
    expect((await client.call('collections.list', {})).map((c) => c.name)).toEqual(['Notes']);
  });

  test('documents.pickFolder answers the folders the desktop picker returned, and [] when the person cancelled', async () => {
    const answers: (string[] | null)[] = [['/home/me/Manuals', '/home/me/Notes'], null];
    const desktop = await createCore({
      dataDir: join(dataDir, '..', 'picker-data'),
      modelsDirs: [],
      mode: 'serve',
      version: '0.0.0-test',
      logger: new RecordingLogger(),
      gpu: false,
      pickFolder: async () => answers.shift() ?? null,
    });
    const picker = new CollectingClient(desktop.rpc);
    try {
      expect(await picker.call('documents.pickFolder', {})).toEqual({ paths: ['/home/me/Manuals', '/home/me/Notes'] });
      expect(await picker.call('documents.pickFolder', {})).toEqual({ paths: [] });
    } finally {
      picker.close();
      await desktop.dispose();
    }
  });

  test('collections.remove deletes the index, never the files', async () => {
    expect(await client.call('collections.remove', { collectionId: id })).toEqual({ removed: true });
    expect(await client.call('collections.list', {})).toEqual([]);
    const view = await client.request('documents.search', { collectionIds: [id], query: 'Danube' });
    expect(view.ok).toBe(false);
  });
});
