import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createCore, type Core } from '../../electron/core/app/create-core';
import { writePdf } from '../fixtures/documents/pdf-writer';
import { writeTinyBertGguf } from '../fixtures/gguf-writer';
import { CollectingClient } from '../support/collecting-client';
import { requireStoriesModel, sharedModelsDir, storiesModelId } from '../support/paths';
import { TempDirs } from '../support/temp-dir';
import { RecordingLogger } from '../support/test-logger';

/** A chat with collections answers from them: a `citations` part first, numbered sources in the prompt, citations saved. */

const temp = new TempDirs();
let core: Core;
let client: CollectingClient;
let folder: string;

beforeAll(async () => {
  requireStoriesModel();
  const root = await temp.make('tandem-docs-chat-');
  const bertDir = join(root, 'embedders');
  folder = join(root, 'docs');
  await mkdir(bertDir);
  await mkdir(folder);
  await writeTinyBertGguf(join(bertDir, 'tiny-bert.gguf'));
  await writePdf(join(folder, 'dragons.pdf'), [['Chapter one', 'Once there was a village.'], ['Chapter two', 'The dragon Ember lived in a cave by the sea.']]);
  await writeFile(join(folder, 'cats.md'), '# Cats\n\nThe cat Tom liked fish and naps.\n');
  core = await createCore({ dataDir: join(root, 'data'), modelsDirs: [sharedModelsDir, bertDir], mode: 'cli', version: '0.0.0-test', logger: new RecordingLogger(), gpu: false });
  client = new CollectingClient(core.rpc);
});

afterAll(async () => {
  client?.close();
  await core?.dispose();
  await temp.removeAll();
});

describe('retrieval in a chat turn', () => {
  test('the answer streams a citations part first and the assistant message keeps the citations', async () => {
    const collection = await client.call('collections.add', { name: 'stories', paths: [folder], localOnly: true });
    await core.documents.waitForIdle(collection.id);
    await client.call('settings.update', { maxTokens: 12, documents: { ...core.settings.get().documents, retrievalTopK: 2 } });
    const chat = await client.call('chats.create', {});
    await client.call('chats.updateSettings', { chatId: chat.id, settings: { collectionIds: [collection.id] } });

    const started = await client.call('chat.send', { chatId: chat.id, text: 'Where did the dragon Ember live?', modelId: storiesModelId });
    const view = await client.waitForEnd(started.streamId, 60_000);
    expect(view.end?.status).toBe('completed');
    const first = view.parts[0];
    expect(first?.type).toBe('citations');
    const citations = first?.type === 'citations' ? first.citations : [];
    expect(citations.length).toBeGreaterThan(0);
    expect(citations.length).toBeLessThanOrEqual(2);
    expect(citations[0]).toMatchObject({ n: 1, collectionId: collection.id, path: join(folder, 'dragons.pdf'), page: 2, localOnly: true });
    expect(citations[0]!.snippet).toContain('Ember');

    const saved = await client.call('chats.get', { chatId: chat.id });
    const answer = saved.messages.find((m) => m.id === started.info.assistantMessageId)!;
    expect(answer.status).toBe('complete');
    expect(answer.citations).toEqual(citations);
    expect(saved.messages.find((m) => m.role === 'user')?.citations).toBeUndefined();
  });

  test('a chat without collections gets no citations', async () => {
    const chat = await client.call('chats.create', {});
    const started = await client.call('chat.send', { chatId: chat.id, text: 'Hello', modelId: storiesModelId });
    const view = await client.waitForEnd(started.streamId, 60_000);
    expect(view.parts.some((p) => p.type === 'citations')).toBe(false);
  });
});
