import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { LocalRuntime } from '../../electron/core/models/local-runtime';
import { ModelLibrary } from '../../electron/core/models/model-library';
import { RerankerService } from '../../electron/core/models/reranker-service';
import type { LocalModel } from '../../shared/ipc/domain';
import { writeTinyBertGguf } from '../fixtures/gguf-writer';
import { TempDirs } from '../support/temp-dir';
import { RecordingLogger } from '../support/test-logger';

/**
 * The RerankerService on real node-llama-cpp: a generated reranker-shaped BERT
 * (classification head, rank pooling, random weights) loads into a ranking
 * context and scores documents; an embedding model without a ranking head is
 * refused with a sentence saying so. Only the plumbing: random weights rank
 * nothing meaningfully.
 */

const temp = new TempDirs();
let runtime: LocalRuntime;
let service: RerankerService;
let reranker: LocalModel;
let embedder: LocalModel;

beforeAll(async () => {
  const dir = join(await temp.make('tandem-rerank-model-'), 'models');
  await mkdir(dir);
  await writeTinyBertGguf(join(dir, 'tiny-reranker.gguf'), { ranking: true });
  await writeTinyBertGguf(join(dir, 'tiny-bert.gguf'));
  const library = new ModelLibrary(() => [dir]);
  reranker = await library.resolve('tiny-reranker');
  embedder = await library.resolve('tiny-bert');
  runtime = new LocalRuntime({ logger: new RecordingLogger(), gpu: false, threads: () => ({ generation: 'auto', batch: 'auto' }), contextSize: () => 'auto' });
  service = new RerankerService(() => runtime.backend());
});

afterAll(async () => {
  await service?.dispose();
  await runtime?.dispose();
  await temp.removeAll();
});

describe('RerankerService', () => {
  test('a reranker-shaped model scores every document from 0 to 1, the same way twice', async () => {
    const documents = ['the cat sat on the mat', 'a dog ran in the park', 'cats and dogs'];
    const scores = await service.rank(reranker, 'cat', documents);
    expect(scores).toHaveLength(3);
    for (const score of scores) {
      expect(score).toBeGreaterThanOrEqual(0);
      expect(score).toBeLessThanOrEqual(1);
    }
    expect(await service.rank(reranker, 'cat', documents)).toEqual(scores);
  });

  test('a model with no ranking head is refused with a sentence a person can act on', async () => {
    await expect(service.rank(embedder, 'cat', ['a'])).rejects.toMatchObject({ code: 'MODEL_LOAD_FAILED', message: expect.stringMatching(/is not a reranking model/) });
    // the reranker still works after the refusal
    expect(await service.rank(reranker, 'cat', ['a', 'b'])).toHaveLength(2);
  });
});
