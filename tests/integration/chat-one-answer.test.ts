import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createCore, type Core } from '../../electron/core/app/create-core';
import { CollectingClient } from '../support/collecting-client';
import { requireStoriesModel, sharedModelsDir, storiesModelId } from '../support/paths';
import { TempDirs } from '../support/temp-dir';
import { RecordingLogger } from '../support/test-logger';

/**
 * Issue 15: one chat, one answer at a time, whatever the clients do. Two
 * clients (two windows, or a window and a serve-mode tab) send to the same
 * chat at the same moment through the real core and a real local model.
 */

const temp = new TempDirs();
let core: Core;

beforeAll(async () => {
  requireStoriesModel();
  core = await createCore({
    dataDir: await temp.make('tandem-one-answer-'),
    modelsDirs: [sharedModelsDir],
    mode: 'desktop',
    version: '0.0.0-test',
    logger: new RecordingLogger(),
    gpu: false,
    startMcpServers: false,
  });
  await core.settings.update({ maxTokens: 12 });
});

afterAll(async () => {
  await core?.dispose();
  await temp.removeAll();
});

describe('two clients racing in one chat', () => {
  test('exactly one answer streams; the other is refused with CONFLICT; the chat holds one question and one answer', async () => {
    const windowA = new CollectingClient(core.rpc);
    const windowB = new CollectingClient(core.rpc);
    const chat = await windowA.call('chats.create', {});
    // Both in the same tick: neither waits for the other's model load.
    const results = await Promise.all([
      windowA.request('chat.send', { chatId: chat.id, text: 'Once upon a time', modelId: storiesModelId }),
      windowB.request('chat.send', { chatId: chat.id, text: 'Once upon a time', modelId: storiesModelId }),
    ]);
    const accepted = results.filter((r) => r.ok);
    const refused = results.filter((r) => !r.ok);
    expect(accepted).toHaveLength(1);
    expect(refused).toEqual([{ ok: false, error: expect.objectContaining({ code: 'CONFLICT', message: expect.stringMatching(/already streaming in this chat/) }) }]);
    const winner = results[0]!.ok ? windowA : windowB;
    const started = accepted[0]!;
    if (!started.ok) throw new Error('unreachable');
    const view = await winner.waitForEnd(started.data.streamId, 60_000); // every part checked against the contract on the way
    expect(view.end?.status).toBe('completed');
    expect(view.text.length).toBeGreaterThan(0);
    const saved = await windowA.call('chats.get', { chatId: chat.id });
    expect(saved.messages.map((m) => m.role)).toEqual(['user', 'assistant']);
    expect(saved.messages[1]!.status).toBe('complete');
  });

  test('once the answer has ended, the chat takes the next message from either client', async () => {
    const windowA = new CollectingClient(core.rpc);
    const windowB = new CollectingClient(core.rpc);
    const chat = await windowA.call('chats.create', {});
    const first = await windowA.call('chat.send', { chatId: chat.id, text: 'Once upon a time', modelId: storiesModelId });
    expect(await windowB.request('chat.send', { chatId: chat.id, text: 'Hi', modelId: storiesModelId })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    await windowA.waitForEnd(first.streamId, 60_000);
    const second = await windowB.call('chat.send', { chatId: chat.id, text: 'The end', modelId: storiesModelId });
    expect((await windowB.waitForEnd(second.streamId, 60_000)).end?.status).toBe('completed');
    expect((await windowA.call('chats.get', { chatId: chat.id })).messages).toHaveLength(4);
  });
});
