import { copyFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createCore, type Core } from '../../electron/core/app/create-core';
import { buildModelContexts, modelContextOf } from '../../electron/core/server/model-context';
import { ModelContextSchema, type ModelContext } from '../../shared/ipc/routes/api';
import { startFakeOpenAI, type FakeOpenAIServer } from '../fixtures/fake-openai-server';
import { writeTinyBertGguf } from '../fixtures/gguf-writer';
import { requireStoriesModel, storiesModelId, storiesModelPath } from '../support/paths';
import { TempDirs } from '../support/temp-dir';
import { RecordingLogger } from '../support/test-logger';

/**
 * Each model's context for orchestrators, from a real core: stories260K and
 * a tiny BERT as local models, a fake OpenAI-compatible server as a provider
 * (its list carries OpenRouter-style context length and prices), and Auto.
 */

const KEY = 'sk-model-context-0123456789abcdef';
const temp = new TempDirs();
let server: FakeOpenAIServer;
let core: Core;

beforeAll(async () => {
  requireStoriesModel();
  server = await startFakeOpenAI({
    apiKey: KEY,
    extraModels: [
      {
        id: 'priced-model',
        object: 'model',
        created: 1700000000,
        owned_by: 'fake',
        context_length: 65536,
        supported_parameters: ['tools', 'response_format'],
        pricing: { prompt: '0.000002', completion: '0.00001' },
      },
    ],
  });
  const dataDir = await temp.make('tandem-model-context-');
  const modelsDir = await temp.make('tandem-model-context-models-');
  await copyFile(storiesModelPath, join(modelsDir, 'stories260K.gguf'));
  await writeTinyBertGguf(join(modelsDir, 'tiny-bert.gguf'));
  await writeFile(join(dataDir, 'pricing.json'), JSON.stringify({ models: { 'fake/gpt-test': { input: 3, output: 15 } } }));
  core = await createCore({
    dataDir,
    modelsDirs: [modelsDir],
    mode: 'serve',
    version: '0.0.0-test',
    logger: new RecordingLogger(),
    gpu: false,
    providerRetry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
  });
  await core.providers.add({ name: 'fake', preset: 'custom', baseUrl: server.baseUrl, apiKey: KEY });
});

afterAll(async () => {
  await core?.dispose();
  await server?.close();
  await temp.removeAll();
});

const byId = (contexts: ModelContext[], id: string) => {
  const found = contexts.find((c) => c.id === id);
  if (!found) throw new Error(`no context for ${id}: ${contexts.map((c) => c.id).join(', ')}`);
  return found;
};

async function generate(modelId: string): Promise<void> {
  const model = await core.resolveModel(modelId);
  for await (const part of model.stream({ messages: [{ role: 'user', text: 'Once upon a time' }], maxTokens: 24 }, { signal: new AbortController().signal })) {
    void part;
  }
}

describe('model contexts', () => {
  test('local, cloud and Auto, valid against the contract, without loading any model', async () => {
    const started = performance.now();
    const contexts = await buildModelContexts(core);
    expect(performance.now() - started).toBeLessThan(3000);
    for (const context of contexts) expect(ModelContextSchema.parse(context)).toEqual(context);
    expect(core.runtime.loaded()).toEqual([]);

    expect(contexts[0]).toMatchObject({ id: 'auto', kind: 'router', identification: { provider: 'tandem' } });
    expect(contexts[0]!.capabilities).toMatchObject({ tools: true, jsonSchema: true, embeddings: false, contextWindow: 65536 });

    const stories = byId(contexts, storiesModelId);
    expect(stories).toMatchObject({
      kind: 'local',
      identification: { provider: 'local', family: 'llama', quantization: 'F32' },
      capabilities: { contextWindow: expect.any(Number), tools: false, jsonSchema: true, embeddings: false },
      tokenizer: { kind: 'llama', vocabularySize: 512, specialTokens: { bos: '<s>', eos: '</s>' } },
      runtime: { loaded: false, device: 'cpu', threads: 1, ttftMs: null, tokensPerSecond: null, pricePerMillion: { input: 0, output: 0 }, health: 'ok' },
    });
    expect(stories.identification.parameters).toBeGreaterThan(200_000);
    expect(stories.identification.parameters).toBeLessThan(400_000);

    const bert = byId(contexts, 'tiny-bert');
    expect(bert).toMatchObject({
      kind: 'local',
      identification: { family: 'bert' },
      capabilities: { tools: false, jsonSchema: false, embeddings: true },
      tokenizer: { kind: 'bert', specialTokens: { cls: '[CLS]', separator: '[SEP]' } },
    });

    expect(byId(contexts, 'fake/gpt-test')).toMatchObject({
      kind: 'cloud',
      identification: { provider: 'fake' },
      runtime: { pricePerMillion: { input: 3, output: 15 }, health: 'ok', ttftMs: null },
    });
    expect(byId(contexts, 'fake/priced-model')).toMatchObject({
      capabilities: { contextWindow: 65536, tools: true, jsonSchema: true },
      runtime: { pricePerMillion: { input: 2, output: 10 } },
    });
  });

  test('measured speeds and loaded state after requests; one model by id', async () => {
    await generate(storiesModelId);
    await generate('fake/gpt-test');
    const stories = await modelContextOf(core, storiesModelId);
    expect(stories?.runtime.loaded).toBe(true);
    expect(stories?.runtime.ttftMs).toEqual(expect.any(Number));
    expect(stories?.runtime.tokensPerSecond).toBeGreaterThan(0);
    expect(stories?.capabilities.contextWindow).toBe(core.runtime.loaded()[0]!.contextSize);

    const cloud = await modelContextOf(core, 'fake/gpt-test');
    expect(cloud?.runtime.ttftMs).toEqual(expect.any(Number));
    expect(cloud?.runtime.health).toBe('ok');

    expect(await modelContextOf(core, 'tandem/auto')).toMatchObject({ id: 'tandem/auto', kind: 'router' });
    expect(await modelContextOf(core, 'no-such-model')).toBeNull();
    expect(await modelContextOf(core, 'fake/no-such-model')).toBeNull();
  });

  test('health: recent errors make a provider degraded, an open circuit down', async () => {
    await generate('fake/fault-500');
    expect((await modelContextOf(core, 'fake/gpt-test'))?.runtime.health).toBe('degraded');
    for (let i = 0; i < 20 && core.routing.breaker.state('fake') !== 'open'; i++) core.routing.breaker.failure('fake', 'SERVER');
    expect(core.routing.breaker.state('fake')).toBe('open');
    const contexts = await buildModelContexts(core);
    expect(byId(contexts, 'fake/gpt-test').runtime.health).toBe('down');
    expect(byId(contexts, 'auto').runtime.health).toBe('degraded');
  });
});
