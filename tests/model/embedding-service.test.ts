import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { EmbeddingService } from '../../electron/core/models/embedding-service';
import { LocalRuntime } from '../../electron/core/models/local-runtime';
import { ModelLibrary } from '../../electron/core/models/model-library';
import type { LocalModel } from '../../shared/ipc/domain';
import { writeTinyBertGguf, writeTinyLlamaGguf } from '../fixtures/gguf-writer';
import { TempDirs } from '../support/temp-dir';
import { RecordingLogger } from '../support/test-logger';

const temp = new TempDirs();
let runtime: LocalRuntime;
let service: EmbeddingService;
let bert: LocalModel;
let library: ModelLibrary;

beforeAll(async () => {
  const dir = join(await temp.make('tandem-embed-'), 'models');
  await mkdir(dir);
  await writeTinyBertGguf(join(dir, 'bert.gguf'));
  await writeTinyLlamaGguf(join(dir, 'llama.gguf'));
  library = new ModelLibrary(() => [dir]);
  bert = await library.resolve('bert');
  runtime = new LocalRuntime({ logger: new RecordingLogger(), gpu: false, threads: () => ({ generation: 'auto', batch: 'auto' }), contextSize: () => 'auto' });
  service = new EmbeddingService(runtime);
});

afterAll(async () => {
  await runtime?.dispose();
  await temp.removeAll();
});

const cosine = (a: number[], b: number[]) => {
  const dot = a.reduce((sum, x, i) => sum + x * b[i]!, 0);
  return dot / (Math.hypot(...a) * Math.hypot(...b));
};

describe('embedding batches of texts', () => {
  test('one vector per text, of the model\'s dimension; identical texts give identical vectors', async () => {
    const texts = ['hello the cat', 'the dog and the sun', 'hello the cat', 'once upon a time', 'a', 'story said the dog'];
    const vectors = await service.embed(bert, texts, { batchSize: 4 });
    expect(vectors).toHaveLength(texts.length);
    for (const vector of vectors) {
      expect(vector).toHaveLength(32);
      expect(vector.every(Number.isFinite)).toBe(true);
    }
    expect(vectors[2]).toEqual(vectors[0]);
    expect(cosine(vectors[0]!, vectors[1]!)).toBeLessThan(0.99999);
    // the batch size does not change the vectors
    expect(await service.embed(bert, texts, { batchSize: 1 })).toEqual(vectors);
    expect(await service.embed(bert, [])).toEqual([]);
  });

  test('the embedding model is listed as loaded for embeddings and unloads like any model', async () => {
    await service.embed(bert, ['x']);
    expect(runtime.loaded()).toContainEqual(expect.objectContaining({ modelId: 'bert', kind: 'embedding', state: 'loaded' }));
    expect(await runtime.unload(bert.path)).toBe(true);
    expect(runtime.loaded().filter((m) => m.modelId === 'bert')).toEqual([]);
  });

  test('a chat model and an embedding model can be loaded together', async () => {
    const llama = await library.resolve('llama');
    for await (const _part of runtime.languageModel(llama).stream({ messages: [{ role: 'user', text: 'Hi' }], maxTokens: 2 }, { signal: new AbortController().signal })) {
      // drain
    }
    await service.embed(bert, ['the cat']);
    expect(runtime.loaded().map((m) => `${m.modelId}:${m.kind}`).sort()).toEqual(['bert:embedding', 'llama:chat']);
  });

  test('a cancelled embedding job stops with CANCELLED', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(service.embed(bert, ['a', 'b'], { signal: controller.signal })).rejects.toMatchObject({ code: 'CANCELLED' });
  });
});
