import { readFile, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../electron/core/app/create-core';
import { NO_ROUTE_CONTEXT } from '../../electron/core/routing/routing-service';
import { writeTinyBertGguf } from '../fixtures/gguf-writer';
import { TempDirs } from '../support/temp-dir';
import { RecordingLogger } from '../support/test-logger';
import { requireStoriesModel, sharedModelsDir } from '../support/paths';

const OUTCOMES = [
  { prompt: 'Write a python function to sort a list', outcomes: { stories260K: { score: 1 } } },
  { prompt: 'Write a python function to reverse a string', outcomes: { stories260K: { score: 1 } } },
  { prompt: 'Tell me a story about a cat and a dog', outcomes: { stories260K: { score: 0 } } },
  { prompt: 'Once upon a time there was a sun', outcomes: { stories260K: { score: 0 } } },
]
  .map((line) => JSON.stringify(line))
  .join('\n');

const temps = new TempDirs();
let core: Core | null = null;
afterEach(async () => {
  await core?.dispose();
  core = null;
});
afterAll(() => temps.removeAll());

async function open(dataDir: string, modelsDir: string): Promise<Core> {
  core = await createCore({ dataDir, modelsDirs: [sharedModelsDir, modelsDir], mode: 'cli', version: 'test', logger: new RecordingLogger(), gpu: false });
  return core;
}

describe('Auto compares prompts by embeddings when an embedding model exists', () => {
  it('embeds outcome prompts once (cached on disk per model), then decides with them', async () => {
    requireStoriesModel();
    const dataDir = await temps.make('tandem-routing-embed-');
    const modelsDir = join(dataDir, 'embedders');
    await mkdir(modelsDir, { recursive: true });
    await writeTinyBertGguf(join(modelsDir, 'tiny-embedder.gguf'));

    const first = await open(dataDir, modelsDir);
    expect(first.routing.learn(OUTCOMES).learned).toBe(4);
    await first.routing.refreshEmbeddings();
    const cacheFile = (await readdir(join(dataDir, 'routing'))).find((name) => name.startsWith('embeddings-'));
    expect(cacheFile).toBeDefined();
    const embedded = (await readFile(join(dataDir, 'routing', cacheFile!), 'utf8')).trim().split('\n');
    expect(embedded).toHaveLength(4);

    const decision = await first.routing.decideText('Write a python function to add two numbers', NO_ROUTE_CONTEXT);
    expect(decision.similarity).toBe('embeddings');
    const local = decision.candidates.find((c) => c.modelId === 'stories260K')!;
    expect(local.qualitySamples).toBeGreaterThan(0);
    await first.dispose();
    core = null;

    // A restart replays the outcomes and finds every vector in the cache: nothing is embedded again.
    const second = await open(dataDir, modelsDir);
    await second.routing.refreshEmbeddings();
    expect((await readFile(join(dataDir, 'routing', cacheFile!), 'utf8')).trim().split('\n')).toHaveLength(4);
    const again = await second.routing.decideText('Write a python function to add two numbers', NO_ROUTE_CONTEXT);
    expect(again.similarity).toBe('embeddings');
    expect(again.candidates.find((c) => c.modelId === 'stories260K')!.qualitySamples).toBeGreaterThan(0);
  });

  it('without an embedding model, similarity stays lexical and nothing is embedded', async () => {
    requireStoriesModel();
    const dataDir = await temps.make('tandem-routing-lexical-');
    const modelsDir = join(dataDir, 'none');
    await mkdir(modelsDir, { recursive: true });
    const only = await open(dataDir, modelsDir);
    only.routing.learn(OUTCOMES);
    await only.routing.refreshEmbeddings();
    expect((await readdir(join(dataDir, 'routing'))).some((name) => name.startsWith('embeddings-'))).toBe(false);
    const decision = await only.routing.decideText('Write a python function to add two numbers', NO_ROUTE_CONTEXT);
    expect(decision.similarity).toBe('lexical');
    const local = decision.candidates.find((c) => c.modelId === 'stories260K')!;
    expect(local.qualitySamples).toBeGreaterThan(0);
    // The code-like neighbours (score 1) outweigh the story ones (score 0).
    expect(local.predictedQuality).toBeGreaterThan(0.15);
  });
});
