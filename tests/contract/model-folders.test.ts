import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createCore, type Core } from '../../electron/core/app/create-core';
import type { LocalModel } from '../../shared/ipc/domain';
import type { LoadedModelStatus, ModelFolder } from '../../shared/ipc/routes/models';
import { writeTinyLlamaGguf } from '../fixtures/gguf-writer';
import { CollectingClient } from '../support/collecting-client';
import { TempDirs } from '../support/temp-dir';
import { RecordingLogger } from '../support/test-logger';

/** models.folders / addFolder / removeFolder / import, and load options remembered per model. */

const temp = new TempDirs();
let core: Core;
let client: CollectingClient;
let dataDir: string;
let cliDir: string;
let work: string;

beforeAll(async () => {
  dataDir = await temp.make('tandem-folders-data-');
  cliDir = await temp.make('tandem-folders-cli-');
  work = await temp.make('tandem-folders-work-');
  core = await createCore({ dataDir, modelsDirs: [cliDir], mode: 'serve', version: '0.0.0-test', logger: new RecordingLogger(), gpu: false });
  client = new CollectingClient(core.rpc);
});

afterAll(async () => {
  client?.close();
  await core?.dispose();
  await temp.removeAll();
});

const changedCount = () => client.messages.filter((m) => m.type === 'event' && (m as { event: string }).event === 'models.changed').length;

describe('model folders', () => {
  test('lists the data dir, command-line and settings folders; adds and removes a settings folder', async () => {
    const initial = (await client.call('models.folders', {})) as ModelFolder[];
    expect(initial).toEqual([
      { path: join(dataDir, 'models'), source: 'data-dir' },
      { path: cliDir, source: 'command-line' },
    ]);
    const extra = join(work, 'extra');
    await mkdir(extra);
    await writeTinyLlamaGguf(join(extra, 'folder-model.gguf'), { seed: 3 });

    const before = changedCount();
    const added = (await client.call('models.addFolder', { path: extra })) as ModelFolder[];
    expect(added.at(-1)).toEqual({ path: extra, source: 'settings' });
    expect(core.settings.get().modelsDirs).toEqual([extra]);
    expect(changedCount()).toBeGreaterThan(before);
    expect(((await client.call('models.list', {})) as LocalModel[]).map((m) => m.id)).toContain('folder-model');

    // adding it again changes nothing
    expect(await client.call('models.addFolder', { path: extra })).toEqual(added);

    const removed = (await client.call('models.removeFolder', { path: extra })) as ModelFolder[];
    expect(removed.map((f) => f.source)).toEqual(['data-dir', 'command-line']);
    expect(core.settings.get().modelsDirs).toEqual([]);
    expect(((await client.call('models.list', {})) as LocalModel[]).map((m) => m.id)).not.toContain('folder-model');
  });

  test('refuses missing folders, files, and removing folders that are not from settings', async () => {
    const missing = await client.request('models.addFolder', { path: join(work, 'nope') });
    expect(missing.ok || missing.error.code).toBe('NOT_FOUND');
    const file = join(work, 'a-file.txt');
    await writeFile(file, 'x');
    const notDir = await client.request('models.addFolder', { path: file });
    expect(notDir.ok || notDir.error.code).toBe('INVALID_INPUT');
    const cli = await client.request('models.removeFolder', { path: cliDir });
    expect(cli.ok || cli.error.code).toBe('CONFLICT');
    const unknown = await client.request('models.removeFolder', { path: join(work, 'never-added') });
    expect(unknown.ok || unknown.error.code).toBe('NOT_FOUND');
  });
});

describe('models.import', () => {
  test('copies a GGUF into the data dir models folder, refuses non-GGUF files and name clashes', async () => {
    const source = join(work, 'imported.gguf');
    await writeTinyLlamaGguf(source, { seed: 5 });
    const before = changedCount();
    const model = (await client.call('models.import', { path: source })) as LocalModel;
    expect(model).toMatchObject({ id: 'imported', path: join(dataDir, 'models', 'imported.gguf'), problem: null });
    expect(existsSync(model.path)).toBe(true);
    expect(changedCount()).toBeGreaterThan(before);

    const again = await client.request('models.import', { path: source });
    expect(again.ok || again.error.code).toBe('CONFLICT');

    const junk = join(work, 'junk.gguf');
    await writeFile(junk, 'this is not a GGUF file at all');
    const refused = await client.request('models.import', { path: junk });
    expect(refused.ok || refused.error.code).toBe('NOT_GGUF');
    expect(existsSync(join(dataDir, 'models', 'junk.gguf'))).toBe(false);

    const missing = await client.request('models.import', { path: join(work, 'missing.gguf') });
    expect(missing.ok || missing.error.code).toBe('MODEL_NOT_FOUND');
  });
});

describe('load options per model', () => {
  test('models.load with options saves them; a chat that loads the model later (new run) uses the saved context size', async () => {
    const loaded = (await client.call('models.load', { modelId: 'imported', options: { contextSize: 256 } })) as LoadedModelStatus;
    expect(loaded.contextSize).toBe(256);
    expect(core.settings.get().modelLoadOptions).toEqual({ imported: { contextSize: 256 } });
    client.close();
    await core.dispose();

    // a fresh core knows nothing but the settings file
    core = await createCore({ dataDir, mode: 'serve', version: '0.0.0-test', logger: new RecordingLogger(), gpu: false });
    client = new CollectingClient(core.rpc);
    expect(core.settings.get().modelLoadOptions).toEqual({ imported: { contextSize: 256 } });
    const chat = (await client.call('chats.create', { modelId: 'imported' })) as { id: string };
    const started = await client.call('chat.send', { chatId: chat.id, text: 'Hello', modelId: 'imported' });
    await client.waitForEnd(started.streamId, 60_000);
    const status = ((await client.call('models.loaded', {})) as LoadedModelStatus[]).find((s) => s.modelId === 'imported');
    expect(status).toMatchObject({ state: 'loaded', contextSize: 256 });
  }, 90_000);
});
