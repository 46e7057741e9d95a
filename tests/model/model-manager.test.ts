import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createCore } from '../../electron/core/app/create-core';
import { LocalRuntime } from '../../electron/core/models/local-runtime';
import { ModelLibrary } from '../../electron/core/models/model-library';
import type { LoadedModelStatus } from '../../shared/ipc/routes/models';
import { writeTinyBertGguf, writeTinyLlamaGguf } from '../fixtures/gguf-writer';
import { CollectingClient } from '../support/collecting-client';
import { requireStoriesModel, storiesModelId } from '../support/paths';
import { TempDirs } from '../support/temp-dir';
import { RecordingLogger } from '../support/test-logger';

const temp = new TempDirs();
let modelsDir: string;
let library: ModelLibrary;

beforeAll(async () => {
  modelsDir = join(await temp.make('tandem-manager-'), 'models');
  await mkdir(modelsDir);
  await copyFile(requireStoriesModel(), join(modelsDir, 'stories260K.gguf'));
  // the same tiny architecture with different trained contexts: 'auto' context sizes, and so memory needs, differ
  await writeTinyLlamaGguf(join(modelsDir, 'small.gguf'), { seed: 1, contextLength: 256 });
  await writeTinyLlamaGguf(join(modelsDir, 'medium.gguf'), { seed: 2, contextLength: 1024 });
  await writeTinyLlamaGguf(join(modelsDir, 'large.gguf'), { seed: 3, contextLength: 4096 });
  await writeTinyBertGguf(join(modelsDir, 'bert.gguf'));
  library = new ModelLibrary(() => [modelsDir]);
});

afterAll(async () => {
  await temp.removeAll();
});

function makeRuntime(budget: () => number | 'auto', statuses: LoadedModelStatus[] = []): LocalRuntime {
  return new LocalRuntime({
    logger: new RecordingLogger(),
    gpu: false,
    threads: () => ({ generation: 'auto', batch: 'auto' }),
    contextSize: () => 'auto',
    memoryBudget: budget,
    onStatus: (status) => statuses.push(status),
  });
}

describe('inspecting a model before loading it', () => {
  test('stories260K: llama, trained context 2048, F32, about 260K parameters, no chat template', async () => {
    const runtime = makeRuntime(() => 'auto');
    try {
      const details = await runtime.inspector.details(await library.resolve(storiesModelId), { contextSize: 512 });
      expect(details).toMatchObject({
        id: storiesModelId,
        architecture: 'llama',
        trainedContextLength: 2048,
        quantization: 'F32',
        hasChatTemplate: false,
        toolCalling: false,
        embeddingOnly: false,
        embeddingLength: 64,
      });
      expect(details.parameterCount).toBeGreaterThan(200_000);
      expect(details.parameterCount).toBeLessThan(320_000);
      // F32: four bytes a parameter, close to the file size
      expect(details.parameterCount * 4).toBeLessThanOrEqual(details.sizeBytes);
      expect(details.fit).toMatchObject({ contextSize: 512, gpuLayers: 0, vramBytes: 0, fits: true });
      expect(details.fit.ramBytes).toBeGreaterThan(details.parameterCount * 4);
      // a bigger context needs more memory
      const bigger = await runtime.inspector.estimate(await library.resolve(storiesModelId), { contextSize: 2048 });
      expect(bigger.ramBytes).toBeGreaterThan(details.fit.ramBytes);
    } finally {
      await runtime.dispose();
    }
  });

  test('the BERT file is recognised as embedding-only', async () => {
    const runtime = makeRuntime(() => 'auto');
    try {
      const details = await runtime.inspector.details(await library.resolve('bert'));
      expect(details).toMatchObject({ architecture: 'bert', embeddingOnly: true, chatWrapper: null, toolCalling: false, embeddingLength: 32 });
    } finally {
      await runtime.dispose();
    }
  });

  test('models.inspect and hardware.info over the contract', async () => {
    const core = await createCore({
      dataDir: await temp.make('tandem-manager-core-'),
      modelsDirs: [modelsDir],
      mode: 'desktop',
      version: '0.0.0-test',
      logger: new RecordingLogger(),
      gpu: false,
    });
    try {
      const client = new CollectingClient(core.rpc);
      const details = await client.call('models.inspect', { modelId: storiesModelId });
      expect(details).toMatchObject({ trainedContextLength: 2048, quantization: 'F32' });
      expect(details.fit.contextSize).toBe(2048); // 'auto': the trained size (capped at 8192)
      const hardware = await client.call('hardware.info', {});
      expect(hardware).toMatchObject({ backend: 'cpu', devices: [], vram: { totalBytes: 0, freeBytes: 0 } });
      expect(hardware.ram.totalBytes).toBeGreaterThan(hardware.ram.freeBytes);
      expect(hardware.threads.generation).toBeLessThanOrEqual(hardware.cpuCores);
      expect(hardware.memoryBudgetBytes).toBeGreaterThan(0);
      const missing = await client.request('models.inspect', { modelId: 'no-such-model' });
      expect(missing).toMatchObject({ ok: false, error: { code: 'MODEL_NOT_FOUND' } });

      const loaded = await client.call('models.load', { modelId: 'small', options: { contextSize: 128, threads: 1 } });
      expect(loaded).toMatchObject({ modelId: 'small', state: 'loaded', contextSize: 128, threads: 1 });
      expect((await client.call('models.loaded', {})).map((m) => m.modelId)).toEqual(['small']);
      expect(client.messages).toContainEqual(expect.objectContaining({ type: 'event', event: 'models.status', payload: expect.objectContaining({ modelId: 'small', state: 'loaded' }) }));
      expect(await client.call('models.unload', { modelId: 'small' })).toEqual({ unloaded: true });
      expect(await client.call('models.loaded', {})).toEqual([]);
      expect(await client.call('models.cancelLoad', { modelId: 'small' })).toEqual({ cancelled: false });
    } finally {
      await core.dispose();
    }
  });
});

describe('several models under a memory budget', () => {
  test('keeps models while they fit and unloads the least recently used one first', async () => {
    const sizing = makeRuntime(() => 'auto');
    const need: Record<string, number> = {};
    for (const name of ['small', 'medium', 'large']) {
      const estimate = await sizing.inspector.estimate(await library.resolve(name));
      need[name] = estimate.ramBytes + estimate.vramBytes;
    }
    await sizing.dispose();
    expect(need.small).toBeLessThan(need.medium!);
    expect(need.medium).toBeLessThan(need.large!);

    // room for small + medium, or medium + large? no: for large plus one small model
    const budget = need.large! + need.small! + 1;
    const statuses: LoadedModelStatus[] = [];
    const runtime = makeRuntime(() => budget, statuses);
    try {
      await runtime.load(await library.resolve('small'));
      await runtime.load(await library.resolve('medium'));
      expect(runtime.loaded().map((m) => m.modelId)).toEqual(['medium', 'small']);
      // using small again makes medium the least recently used
      await runtime.load(await library.resolve('small'));
      const large = await runtime.load(await library.resolve('large'));
      expect(large.state).toBe('loaded');
      expect(runtime.loaded().map((m) => m.modelId)).toEqual(['large', 'small']);
      expect(statuses).toContainEqual(expect.objectContaining({ modelId: 'medium', state: 'unloaded' }));
      const used = runtime.loaded().reduce((sum, m) => sum + m.memoryBytes, 0);
      expect(used).toBeLessThanOrEqual(budget);
      // a loaded model still answers
      const parts = [];
      for await (const part of runtime.languageModel(await library.resolve('small')).stream({ messages: [{ role: 'user', text: 'Hi' }], maxTokens: 3 }, { signal: new AbortController().signal })) parts.push(part);
      expect(parts.at(-1)).toEqual({ type: 'finish', reason: 'length' });
    } finally {
      await runtime.dispose();
    }
  });

  test('a model bigger than the whole budget is refused with what to do', async () => {
    const runtime = makeRuntime(() => 1024);
    try {
      await expect(runtime.load(await library.resolve('small'))).rejects.toMatchObject({
        code: 'MODEL_LOAD_FAILED',
        message: expect.stringMatching(/memory budget/),
      });
      expect(runtime.loaded()).toEqual([]);
    } finally {
      await runtime.dispose();
    }
  });

  test('a load can be cancelled; nothing stays loaded and the next load works', async () => {
    const statuses: LoadedModelStatus[] = [];
    const runtime = makeRuntime(() => 'auto', statuses);
    try {
      const info = await library.resolve(storiesModelId);
      const controller = new AbortController();
      const loading = runtime.load(info, {}, controller.signal);
      expect(runtime.loaded()).toEqual([expect.objectContaining({ modelId: storiesModelId, state: 'loading' })]);
      controller.abort();
      await expect(loading).rejects.toMatchObject({ code: 'CANCELLED' });
      expect(runtime.loaded()).toEqual([]);
      expect(statuses.at(-1)).toMatchObject({ modelId: storiesModelId, state: 'unloaded' });

      // cancelLoad by path does the same
      const again = runtime.load(info);
      expect(runtime.cancelLoad(info.path)).toBe(true);
      await expect(again).rejects.toMatchObject({ code: 'CANCELLED' });

      expect((await runtime.load(info)).state).toBe('loaded');
      expect(runtime.cancelLoad(info.path)).toBe(false);
    } finally {
      await runtime.dispose();
    }
  });
});
