import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CodedError } from '../../shared/ipc/errors';
import type { Rerankers } from '../../electron/core/documents/reranker';
import { TempDirs } from '../support/temp-dir';
import { openDocs, type DocsHarness } from './documents-harness';

/**
 * The plumbing of reranking: a collection chooses a reranker, its searches are
 * reordered by the ranking function, the choice survives a restart, and a
 * reranker that fails leaves the first-stage order with a notice. The ranking
 * function is injected here so that the order it asks for is known; the real
 * ranking context (node-llama-cpp, a generated reranker-shaped GGUF with
 * random weights) is exercised in tests/model/reranker-service.test.ts.
 * Quality claims need a real bge-reranker.
 */

const temp = new TempDirs();
let root: string;
let folder: string;
let docs: DocsHarness;
let collectionId: string;
const calls: { query: string; documents: string[] }[] = [];
let failing = false;

const rerankers: Rerankers = {
  resolve: async (modelId) => {
    if (modelId !== 'bge-reranker-fake') throw new CodedError('NOT_FOUND', `There is no model "${modelId}" in the models folders`);
    return { id: modelId };
  },
  rank: async (_modelId, query, documents) => {
    if (failing) throw new Error('the reranker ran out of memory');
    calls.push({ query, documents: [...documents] });
    // A cross-encoder that knows "descale" answers "limescale": what keyword search ranks last.
    return documents.map((d) => (/descale/i.test(d) ? 0.95 : /kettle/i.test(d) ? 0.2 : 0.01));
  },
};

async function open(): Promise<DocsHarness> {
  return openDocs({ dataDir: join(root, 'data'), rerankers, settings: { ocr: { enabled: false, languages: ['eng'] } } as never });
}

beforeAll(async () => {
  root = await temp.make('tandem-rerank-');
  folder = join(root, 'notes');
  await mkdir(folder);
  await writeFile(join(folder, 'kettle-limescale.md'), '# Kettle\n\nLimescale on the kettle, limescale in the kettle: the kettle and limescale.\n');
  await writeFile(join(folder, 'kettle-buying.md'), '# Buying\n\nA kettle with limescale filter. Choose a kettle by its size.\n');
  await writeFile(join(folder, 'descaling.md'), '# Care\n\nTo descale, boil vinegar and water, then rinse twice. Limescale goes.\n');
  docs = await open();
  collectionId = (await docs.service.add({ name: 'home', paths: [folder] })).id;
  await docs.service.waitForIdle(collectionId);
});

afterAll(async () => {
  await docs?.dispose();
  await temp.removeAll();
});

const order = async (query = 'kettle limescale') => (await docs.service.search({ collectionIds: [collectionId], query, k: 3, mode: 'keyword' })).hits.map((h) => h.path.split('/').pop());

describe('reranking a collection', () => {
  test('with no reranker chosen, keyword order stands and nothing is ranked', async () => {
    expect((await docs.service.get(collectionId)).reranker).toBeNull();
    expect((await order())[0]).toBe('kettle-limescale.md');
    expect(calls).toHaveLength(0);
  });

  test('an unknown model is refused with NOT_FOUND', async () => {
    await expect(docs.service.setReranker(collectionId, 'no-such-model')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  test('the chosen reranker reorders the candidates, and the choice survives a restart', async () => {
    const collection = await docs.service.setReranker(collectionId, 'bge-reranker-fake');
    expect(collection.reranker).toEqual({ modelId: 'bge-reranker-fake' });
    const got = await order();
    expect(got).toEqual(['descaling.md', 'kettle-limescale.md', 'kettle-buying.md']);
    expect(calls.at(-1)!.query).toBe('kettle limescale');
    expect(calls.at(-1)!.documents).toHaveLength(3);
    const search = await docs.service.search({ collectionIds: [collectionId], query: 'kettle limescale', k: 1, mode: 'keyword' });
    expect(search.hits).toHaveLength(1);
    expect(search.hits[0]!.score).toBe(0.95);

    await docs.dispose();
    docs = await open();
    expect((await docs.service.get(collectionId)).reranker).toEqual({ modelId: 'bge-reranker-fake' });
    expect((await order())[0]).toBe('descaling.md');
    // the eval compares with and without
    expect((await docs.service.search({ collectionIds: [collectionId], query: 'kettle limescale', k: 3, mode: 'keyword', rerank: false })).hits[0]!.path).toMatch(/kettle-limescale\.md$/);
  });

  test('a reranker that fails leaves the first order and says so', async () => {
    failing = true;
    try {
      const search = await docs.service.search({ collectionIds: [collectionId], query: 'kettle limescale', k: 2, mode: 'keyword' });
      expect(search.hits.map((h) => h.path.split('/').pop())).toEqual(['kettle-limescale.md', 'kettle-buying.md']);
      expect(search.notice).toMatch(/The reranker bge-reranker-fake could not be used \(the reranker ran out of memory\)/);
    } finally {
      failing = false;
    }
  });

  test('choosing none turns reranking off', async () => {
    expect((await docs.service.setReranker(collectionId, null)).reranker).toBeNull();
    const before = calls.length;
    expect((await order())[0]).toBe('kettle-limescale.md');
    expect(calls).toHaveLength(before);
  });
});
