import { copyFile, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createCore, type Core } from '../../electron/core/app/create-core';
import type { RouteDecision } from '../../shared/ipc/routes/routing';
import type { StreamPart } from '../../shared/ipc/stream-parts';
import { FAKE_REPLY, startFakeOpenAI, type FakeOpenAIServer } from '../fixtures/fake-openai-server';
import { writeTinyBertGguf } from '../fixtures/gguf-writer';
import { CollectingClient } from '../support/collecting-client';
import { requireStoriesModel, sharedModelsDir, storiesModelId, storiesModelPath } from '../support/paths';
import { TempDirs } from '../support/temp-dir';
import { RecordingLogger } from '../support/test-logger';

/**
 * Privacy is absolute: a private chat, or one with a local-only collection,
 * never sends a byte of its content to a cloud model, whether Auto routes it,
 * a local model fails, or the user picks a cloud model by hand. The cloud
 * model here is priced like a premium one and the chats ask for quality, so
 * Auto would pick it over the tiny local stories260K if privacy allowed.
 */

const KEY = 'sk-privacy-test-0123456789abcdef';
const CLOUD_MODEL = 'cloud/gpt-test';
const temp = new TempDirs();
let server: FakeOpenAIServer;
let core: Core;
let client: CollectingClient;
let docsDir: string;

/** A fresh secret per use: nothing of it may ever reach the server. */
function secret(label: string): string {
  return `${label}-${Math.random().toString(36).slice(2, 10)}-${Date.now().toString(36)}`;
}

/** Everything the fake provider was sent, as text; a secret must not appear in it, whole or in part. */
function sentToCloud(): string {
  return JSON.stringify(server.bodies);
}

function expectNeverSent(value: string): void {
  const sent = sentToCloud();
  expect(sent).not.toContain(value);
  // The distinctive middle of the secret, in case anything trimmed or split it.
  expect(sent).not.toContain(value.split('-')[1]!);
}

async function newCore(dataDir: string, modelsDirs: string[]): Promise<{ core: Core; client: CollectingClient }> {
  await mkdir(dataDir, { recursive: true });
  await writeFile(join(dataDir, 'pricing.json'), JSON.stringify({ models: { [CLOUD_MODEL]: { input: 5, output: 15 }, 'cloud/tools-test': { input: 5, output: 15 } } }));
  const created = await createCore({ dataDir, modelsDirs, mode: 'serve', version: '0.0.0-test', logger: new RecordingLogger(), gpu: false, providerRetry: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 20 } });
  const rpc = new CollectingClient(created.rpc);
  await rpc.call('providers.add', { name: 'cloud', preset: 'custom', baseUrl: server.baseUrl, apiKey: KEY });
  await rpc.call('settings.update', { maxTokens: 12 });
  return { core: created, client: rpc };
}

function routeOf(parts: StreamPart[]): RouteDecision {
  const route = parts.find((p) => p.type === 'route');
  expect(route, 'a route part').toBeDefined();
  return (route as Extract<StreamPart, { type: 'route' }>).decision;
}

/** The cloud candidates are all there, and all excluded for privacy. */
function expectCloudExcludedForPrivacy(decision: RouteDecision): void {
  const cloud = decision.candidates.filter((c) => c.kind === 'cloud');
  expect(cloud.map((c) => c.modelId)).toContain(CLOUD_MODEL);
  for (const candidate of cloud) expect(candidate.excluded, candidate.modelId).toMatchObject({ code: 'local-only-content' });
  expect(decision.features.localOnly).toBe(true);
}

beforeAll(async () => {
  requireStoriesModel();
  server = await startFakeOpenAI({ apiKey: KEY });
  const root = await temp.make('tandem-routing-privacy-');
  const bertDir = join(root, 'embedders');
  docsDir = join(root, 'docs');
  await mkdir(bertDir);
  await mkdir(docsDir);
  await writeTinyBertGguf(join(bertDir, 'tiny-bert.gguf'));
  ({ core, client } = await newCore(join(root, 'data'), [sharedModelsDir, bertDir]));
});

afterAll(async () => {
  client?.close();
  await core?.dispose();
  await server?.close();
  await temp.removeAll();
});

describe('Auto keeps private content on this computer', () => {
  test('without privacy, Auto would send this request to the cloud model (so the tests below prove something)', async () => {
    const decision = await client.call('route.decide', { text: 'Tell me a story about a fox', priority: 'quality' });
    expect(decision.chosenModelId).toBe(CLOUD_MODEL);
    expect(decision.candidates.find((c) => c.modelId === storiesModelId)).toMatchObject({ kind: 'local', excluded: null });
    expect(server.bodies).toHaveLength(0);
  });

  test('a private chat on Auto is answered by the local model and nothing of the prompt reaches the server', async () => {
    const code = secret('private-prompt');
    const chat = await client.call('chats.create', {});
    await client.call('chats.updateSettings', { chatId: chat.id, settings: { private: true, priority: 'quality' } });
    const before = server.bodies.length;

    const started = await client.call('chat.send', { chatId: chat.id, text: `Once upon a time the password was ${code}.`, modelId: 'auto' });
    const view = await client.waitForEnd(started.streamId, 60_000);
    expect(view.end?.status).toBe('completed');
    expect(view.parts.filter((p) => p.type === 'error')).toEqual([]);
    const decision = routeOf(view.parts);
    expect(decision.chosenModelId).toBe(storiesModelId);
    expectCloudExcludedForPrivacy(decision);
    expect(view.parts.some((p) => p.type === 'fallback')).toBe(false);
    expect(view.parts.at(-1)).toMatchObject({ type: 'finish' });
    expect(view.text).not.toContain(FAKE_REPLY.join(''));

    const saved = await client.call('chats.get', { chatId: chat.id });
    const answer = saved.messages.find((m) => m.id === started.info.assistantMessageId)!;
    expect(answer).toMatchObject({ status: 'complete', route: { chosenModelId: storiesModelId } });
    expect(answer.text).toBe(view.text);

    // A second turn (the first one now in the history) stays local too.
    const next = await client.call('chat.send', { chatId: chat.id, text: 'And then?', modelId: 'auto' });
    const second = await client.waitForEnd(next.streamId, 60_000);
    expect(routeOf(second.parts).chosenModelId).toBe(storiesModelId);
    expect(second.parts.filter((p) => p.type === 'error')).toEqual([]);

    expect(server.bodies.length).toBe(before);
    expectNeverSent(code);
  });

  test('an Auto chat with a local-only collection is answered locally from the document, and the document never reaches the server', async () => {
    const code = secret('vault');
    await writeFile(join(docsDir, 'vault.md'), `# The vault\n\nThe vault combination is ${code}. Keep it secret.\n`);
    const collection = await core.documents.add({ name: 'vault', paths: [docsDir], localOnly: true });
    await core.documents.waitForIdle(collection.id);
    const chat = await client.call('chats.create', {});
    await client.call('chats.updateSettings', { chatId: chat.id, settings: { collectionIds: [collection.id], priority: 'quality' } });
    const before = server.bodies.length;

    const started = await client.call('chat.send', { chatId: chat.id, text: 'What is the vault combination?', modelId: 'auto' });
    const view = await client.waitForEnd(started.streamId, 60_000);
    expect(view.end?.status).toBe('completed');
    expect(view.parts.filter((p) => p.type === 'error')).toEqual([]);
    // The secret did go into the (local) prompt: retrieval cited the document.
    const citations = view.parts.find((p) => p.type === 'citations');
    expect(citations?.type === 'citations' && citations.citations.some((c) => c.snippet.includes(code))).toBe(true);
    const decision = routeOf(view.parts);
    expect(decision.chosenModelId).toBe(storiesModelId);
    expectCloudExcludedForPrivacy(decision);

    expect(server.bodies.length).toBe(before);
    expectNeverSent(code);
  });
});

describe('a cloud model picked by hand is refused where content must stay local', () => {
  test('in a private chat: LOCAL_ONLY says why, nothing is saved and nothing is sent', async () => {
    const code = secret('handpicked');
    const chat = await client.call('chats.create', {});
    await client.call('chats.updateSettings', { chatId: chat.id, settings: { private: true } });
    const before = server.bodies.length;

    const result = await client.request('chat.send', { chatId: chat.id, text: `My PIN is ${code}`, modelId: CLOUD_MODEL });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('LOCAL_ONLY');
    expect(result.error.message).toContain('This chat is private');
    expect(result.error.message).toContain(CLOUD_MODEL);
    expect((await client.call('chats.get', { chatId: chat.id })).messages).toEqual([]);
    expect(server.bodies.length).toBe(before);
    expectNeverSent(code);
  });

  test('with a local-only collection attached: LOCAL_ONLY names the collection as the reason, and nothing is sent', async () => {
    const code = secret('attached');
    const folder = join(docsDir, '..', 'ledger-docs');
    await mkdir(folder);
    await writeFile(join(folder, 'ledger.md'), `# Ledger\n\nThe account number is ${code}.\n`);
    const collection = await core.documents.add({ name: 'ledger', paths: [folder], localOnly: true });
    await core.documents.waitForIdle(collection.id);
    const chat = await client.call('chats.create', {});
    await client.call('chats.updateSettings', { chatId: chat.id, settings: { collectionIds: [collection.id] } });
    const before = server.bodies.length;

    const result = await client.request('chat.send', { chatId: chat.id, text: 'What is the account number?', modelId: CLOUD_MODEL });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('LOCAL_ONLY');
    expect(result.error.message).toMatch(/local-only collection is attached/);
    expect((await client.call('chats.get', { chatId: chat.id })).messages).toEqual([]);
    expect(server.bodies.length).toBe(before);
    expectNeverSent(code);

    // The same chat, not private and without the collection, may use the cloud model: the refusal was about the content.
    await client.call('chats.updateSettings', { chatId: chat.id, settings: {} });
    const allowed = await client.call('chat.send', { chatId: chat.id, text: 'Say hello', modelId: CLOUD_MODEL });
    const view = await client.waitForEnd(allowed.streamId);
    expect(view.text).toBe(FAKE_REPLY.join(''));
    expect(server.bodies.length).toBe(before + 1);
    expectNeverSent(code);
  });
});

describe('a failing local model never falls back to the cloud', () => {
  test('the only local model fails to load in a private chat: the user gets an error, and no request reached the server', async () => {
    const root = await temp.make('tandem-routing-privacy-broken-');
    const modelsDir = join(root, 'models');
    await mkdir(modelsDir);
    await copyFile(storiesModelPath, join(modelsDir, 'pocket.gguf'));
    const second = await newCore(join(root, 'data'), [modelsDir]);
    try {
      const chat = await second.client.call('chats.create', {});
      await second.client.call('chats.updateSettings', { chatId: chat.id, settings: { private: true, priority: 'quality' } });
      // Auto has seen the local model; then its file goes away (a removed drive, a deleted download).
      const decided = await second.client.call('route.decide', { text: 'Hello', chatId: chat.id });
      expect(decided.chosenModelId).toBe('pocket');
      await rm(join(modelsDir, 'pocket.gguf'));
      const code = secret('fallback');
      const before = server.bodies.length;

      const started = await second.client.call('chat.send', { chatId: chat.id, text: `The launch code is ${code}`, modelId: 'auto' });
      const view = await second.client.waitForEnd(started.streamId, 60_000);
      const decision = routeOf(view.parts);
      expect(decision.chosenModelId).toBe('pocket');
      expectCloudExcludedForPrivacy(decision);
      expect(view.parts.some((p) => p.type === 'fallback')).toBe(false);
      expect(view.parts.filter((p) => p.type === 'error')).toEqual([
        { type: 'error', code: 'MODEL_LOAD_FAILED', message: expect.stringContaining('could not be loaded'), retryable: false },
      ]);
      expect(view.text).toBe('');
      const saved = await second.client.call('chats.get', { chatId: chat.id });
      expect(saved.messages.find((m) => m.id === started.info.assistantMessageId)).toMatchObject({ status: 'error', error: { code: 'MODEL_LOAD_FAILED' } });

      expect(server.bodies.length).toBe(before);
      expectNeverSent(code);
    } finally {
      second.client.close();
      await second.core.dispose();
    }
  });
});
