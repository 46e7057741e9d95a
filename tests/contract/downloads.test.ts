import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createCore, type Core } from '../../electron/core/app/create-core';
import type { CatalogItem, DownloadStatus } from '../../shared/ipc/routes/downloads';
import type { LocalModel } from '../../shared/ipc/domain';
import { DownloadServer } from '../fixtures/download-server';
import { tinyLlamaGguf } from '../fixtures/gguf-writer';
import { CollectingClient } from '../support/collecting-client';
import { TempDirs } from '../support/temp-dir';
import { RecordingLogger } from '../support/test-logger';
import { waitUntil } from '../support/wait';

/** The catalog, downloads.* and models.remove routes through the router, as a window uses them. */

const temp = new TempDirs();
let server: DownloadServer;
let core: Core;
let client: CollectingClient;
let dataDir: string;

beforeAll(async () => {
  server = await new DownloadServer(tinyLlamaGguf({ embeddingLength: 64, feedForwardLength: 256, blockCount: 2 })).start();
  dataDir = await temp.make('tandem-downloads-');
  core = await createCore({ dataDir, mode: 'serve', version: '0.0.0-test', logger: new RecordingLogger(), gpu: false });
  client = new CollectingClient(core.rpc);
});

afterAll(async () => {
  client?.close();
  await core?.dispose();
  await server?.stop();
  await temp.removeAll();
});

const eventsNamed = (name: string) =>
  client.messages.filter((m) => m.type === 'event' && (m as { event: string }).event === name).map((m) => (m as { payload: unknown }).payload);

describe('download routes', () => {
  test('models.catalog answers the recommended models with a fit estimate', async () => {
    const catalog = (await client.call('models.catalog', {})) as CatalogItem[];
    expect(catalog.length).toBeGreaterThanOrEqual(10);
    const small = catalog.find((e) => e.id === 'qwen2.5-0.5b-instruct')!;
    expect(small).toMatchObject({ kind: 'chat', installed: false });
    expect(small.fit.requiredBytes).toBeGreaterThan(small.sizeBytes);
    expect(small.fit.availableBytes).toBeGreaterThan(0);
  });

  test('a download sends progress events, then the model is listed and models.changed is broadcast; models.remove deletes it', async () => {
    const started = (await client.call('downloads.start', { uri: server.url('/model.gguf') })) as DownloadStatus;
    await waitUntil(() => (eventsNamed('downloads.progress') as DownloadStatus[]).some((e) => e.id === started.id && e.state === 'completed'), 'the download to complete');
    const progress = (eventsNamed('downloads.progress') as DownloadStatus[]).filter((e) => e.id === started.id);
    expect(progress.map((e) => e.state)).toContain('downloading');
    const done = progress.at(-1)!;
    expect(done).toMatchObject({ state: 'completed', modelId: 'model', totalBytes: server.body.length, bytesDone: server.body.length });
    expect(eventsNamed('models.changed').length).toBeGreaterThan(0);
    const models = (await client.call('models.list', {})) as LocalModel[];
    expect(models.map((m) => m.id)).toContain('model');
    expect((await client.call('downloads.list', {})) as DownloadStatus[]).toMatchObject([{ id: started.id, state: 'completed' }]);

    const removed = await client.call('models.remove', { modelId: 'model' });
    expect(removed).toEqual({ removed: join(dataDir, 'models', 'model.gguf') });
    expect(existsSync(join(dataDir, 'models', 'model.gguf'))).toBe(false);
    expect(((await client.call('models.list', {})) as LocalModel[]).map((m) => m.id)).not.toContain('model');
  });

  test('unknown downloads, catalog ids and models answer clear codes', async () => {
    const unknown = await client.request('downloads.cancel', { downloadId: 'nope' });
    expect(unknown.ok || unknown.error.code).toBe('NOT_FOUND');
    const catalog = await client.request('downloads.start', { catalogId: 'no-such-model' });
    expect(catalog.ok || catalog.error.code).toBe('NOT_FOUND');
    const remove = await client.request('models.remove', { modelId: 'no-such-model' });
    expect(remove.ok || remove.error.code).toBe('MODEL_NOT_FOUND');
    const bad = await client.request('downloads.start', { uri: 'ftp://example.com/x.gguf' });
    expect(bad.ok || bad.error.code).toBe('INVALID_INPUT');
  });
});
