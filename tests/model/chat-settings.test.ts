import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createCore, type Core } from '../../electron/core/app/create-core';
import { CollectingClient } from '../support/collecting-client';
import { requireStoriesModel, sharedModelsDir, storiesModelId } from '../support/paths';
import { TempDirs } from '../support/temp-dir';
import { RecordingLogger } from '../support/test-logger';

const temp = new TempDirs();
let core: Core;
let client: CollectingClient;

beforeAll(async () => {
  requireStoriesModel();
  core = await createCore({
    dataDir: await temp.make('tandem-chat-settings-'),
    modelsDirs: [sharedModelsDir],
    mode: 'desktop',
    version: '0.0.0-test',
    logger: new RecordingLogger(),
    gpu: false,
  });
  client = new CollectingClient(core.rpc);
});

afterAll(async () => {
  await core?.dispose();
  await temp.removeAll();
});

describe('per-chat settings', () => {
  test('are saved with the chat and used for its answers', async () => {
    const chat = await client.call('chats.create', {});
    const updated = await client.call('chats.updateSettings', { chatId: chat.id, settings: { maxTokens: 4, temperature: 0.8, seed: 42, systemPrompt: 'Tell a story.' } });
    expect(updated.settings).toEqual({ maxTokens: 4, temperature: 0.8, seed: 42, systemPrompt: 'Tell a story.' });
    expect((await client.call('chats.get', { chatId: chat.id })).settings).toEqual(updated.settings);
    expect(client.messages).toContainEqual({ type: 'event', event: 'chats.changed', payload: { chatId: chat.id } });

    const started = await client.call('chat.send', { chatId: chat.id, text: 'Once upon a time', modelId: storiesModelId });
    const view = await client.waitForEnd(started.streamId);
    expect(view.end?.status).toBe('completed');
    const usage = view.parts.find((p) => p.type === 'usage');
    expect(usage?.type === 'usage' && usage.usage.outputTokens).toBe(4);

    const refused = await client.request('chats.updateSettings', { chatId: chat.id, settings: { temperature: -1 } });
    expect(refused).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    const unknown = await client.request('chats.updateSettings', { chatId: 'no-such-chat', settings: {} });
    expect(unknown).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  test('a long chat that outgrows the context keeps answering, and says what it left out', async () => {
    await client.call('models.load', { modelId: storiesModelId, options: { contextSize: 256 } });
    const chat = await client.call('chats.create', {});
    await client.call('chats.updateSettings', { chatId: chat.id, settings: { maxTokens: 30, contextPolicy: { strategy: 'drop-oldest', reserveTokens: 40 } } });
    let trimmed = 0;
    for (let i = 0; i < 8; i++) {
      const started = await client.call('chat.send', { chatId: chat.id, text: `Once upon a time there was a little dog number ${i} who liked to run.`, modelId: storiesModelId });
      const view = await client.waitForEnd(started.streamId);
      expect(view.end?.status, JSON.stringify(view.parts.filter((p) => p.type === 'error'))).toBe('completed');
      for (const part of view.parts) if (part.type === 'context-trimmed') trimmed = Math.max(trimmed, part.droppedMessages);
    }
    expect(trimmed).toBeGreaterThan(0);
    // nothing was deleted from the chat itself
    const saved = (await client.call('chats.get', { chatId: chat.id })).messages;
    expect(saved).toHaveLength(16);
    // the notice is saved with the answer it happened on, so the chat view shows it after a reload
    expect(Math.max(...saved.map((m) => m.contextTrimmed?.droppedMessages ?? 0))).toBe(trimmed);
  });
});
