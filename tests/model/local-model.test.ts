import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { getLlama, LlamaModel, readGgufFileInfo, type LlamaContext } from 'node-llama-cpp';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { createCore } from '../../electron/core/app/create-core';
import type { GenerateRequest, LanguageModel } from '../../electron/core/models/language-model';
import { LocalRuntime } from '../../electron/core/models/local-runtime';
import { ModelLibrary } from '../../electron/core/models/model-library';
import { cpuCount, resolveThreads } from '../../electron/core/models/threads';
import type { LocalModel } from '../../shared/ipc/domain';
import type { StreamPart } from '../../shared/ipc/stream-parts';
import { tinyLlamaGguf, writeTinyBertGguf, writeTinyLlamaGguf } from '../fixtures/gguf-writer';
import { CollectingClient } from '../support/collecting-client';
import { requireStoriesModel, storiesModelId } from '../support/paths';
import { TempDirs } from '../support/temp-dir';
import { RecordingLogger } from '../support/test-logger';

const temp = new TempDirs();
const logger = new RecordingLogger();
let modelsDir: string;
let library: ModelLibrary;
let runtime: LocalRuntime;

beforeAll(async () => {
  const root = await temp.make('tandem-model-');
  modelsDir = join(root, 'models');
  await mkdir(modelsDir);
  await copyFile(requireStoriesModel(), join(modelsDir, 'stories260K.gguf'));
  await writeTinyLlamaGguf(join(modelsDir, 'generated-llama.gguf'));
  await writeTinyBertGguf(join(modelsDir, 'generated-bert.gguf'));
  const good = tinyLlamaGguf();
  await writeFile(join(modelsDir, 'cut-in-half.gguf'), good.subarray(0, Math.floor(good.length / 2)));
  await writeFile(join(modelsDir, 'cut-at-the-end.gguf'), good.subarray(0, good.length - 16));
  await writeFile(join(modelsDir, 'wrong-magic.gguf'), Buffer.concat([Buffer.from('GGML'), good.subarray(4)]));
  await writeFile(join(modelsDir, 'not-a-model.gguf'), 'this is a text file with a .gguf name');
  await writeFile(join(modelsDir, 'garbage-header.gguf'), 'GGUF, and then nothing that makes sense');
  library = new ModelLibrary(() => [modelsDir]);
  runtime = new LocalRuntime({
    logger,
    gpu: false,
    threads: () => ({ generation: 'auto', batch: 'auto' }),
    contextSize: () => 512,
  });
});

afterAll(async () => {
  await runtime?.dispose();
  await temp.removeAll();
});

async function collect(model: LanguageModel, request: GenerateRequest, signal = new AbortController().signal): Promise<StreamPart[]> {
  const parts: StreamPart[] = [];
  for await (const part of model.stream(request, { signal })) parts.push(part);
  return parts;
}

/** A real `gc()` (as with --expose-gc), so a test can make garbage collection happen when it matters. */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

const textOf = (parts: StreamPart[]) => parts.map((p) => (p.type === 'text-delta' ? p.text : '')).join('');
const prompt = (text: string, maxTokens: number): GenerateRequest => ({ messages: [{ role: 'user', text }], maxTokens });

async function model(id: string): Promise<LocalModel> {
  return library.resolve(id);
}

describe('stories260K through the LocalRuntime', () => {
  test('generation threads come from the core-count policy, not node-llama-cpp\'s default', async () => {
    // the first generation loads the model; watch the context it creates
    const createContext = vi.spyOn(LlamaModel.prototype, 'createContext');
    try {
      await collect(runtime.languageModel(await model(storiesModelId)), prompt('Hi', 2));
      expect(createContext).toHaveBeenCalledTimes(1);
      const context = (await createContext.mock.results[0]!.value) as LlamaContext;
      const info = await model(storiesModelId);
      const wanted = resolveThreads({ generation: 'auto', batch: 'auto' }, info.sizeBytes);
      expect(wanted.generation).toBe(1); // a 1 MB model: one thread generates fastest
      expect(context.currentThreads).toBe(wanted.generation); // node-llama-cpp alone would use 4, even on 2 cores
      expect(context.currentThreads).toBeLessThanOrEqual(cpuCount());
      expect(runtime.threadsFor(info.sizeBytes)).toEqual(wanted);
    } finally {
      createContext.mockRestore();
    }
  });

  test('streams text-delta parts, then usage, then one finish', async () => {
    const parts = await collect(runtime.languageModel(await model(storiesModelId)), prompt('Once upon a time', 30));
    const deltas = parts.filter((p) => p.type === 'text-delta');
    expect(deltas.length).toBeGreaterThan(5);
    expect(textOf(parts)).toMatch(/[a-z]{3,}/i);
    expect(parts.map((p) => p.type).slice(-2)).toEqual(['usage', 'finish']);
    const usage = parts.find((p) => p.type === 'usage');
    const finish = parts.at(-1);
    expect(finish?.type === 'finish' && ['stop', 'length'].includes(finish.reason)).toBe(true);
    if (usage?.type !== 'usage') throw new Error('no usage part');
    expect(usage.usage.inputTokens).toBeGreaterThan(0);
    expect(usage.usage.outputTokens).toBeGreaterThan(0);
    expect(usage.usage.outputTokens).toBeLessThanOrEqual(30);
    if (finish?.type === 'finish' && finish.reason === 'length') expect(usage.usage.outputTokens).toBe(30);
  });

  test('the same prompt gives the same answer (greedy by default), so runs are comparable', async () => {
    const lm = runtime.languageModel(await model(storiesModelId));
    const first = textOf(await collect(lm, prompt('The little dog', 25)));
    const second = textOf(await collect(lm, prompt('The little dog', 25)));
    expect(second).toBe(first);
  });

  test('aborting the signal ends the stream quickly with finish "cancelled"', async () => {
    const lm = runtime.languageModel(await model(storiesModelId));
    const controller = new AbortController();
    const parts: StreamPart[] = [];
    let abortedAt = 0;
    for await (const part of lm.stream(prompt('Once upon a time', 100_000), { signal: controller.signal })) {
      parts.push(part);
      if (part.type === 'text-delta' && parts.length === 5) {
        abortedAt = performance.now();
        controller.abort();
      }
    }
    const stoppedAfterMs = performance.now() - abortedAt;
    expect(abortedAt).toBeGreaterThan(0);
    expect(stoppedAfterMs).toBeLessThan(1_000);
    expect(parts.at(-1)).toEqual({ type: 'finish', reason: 'cancelled' });
    expect(parts.filter((p) => p.type === 'finish')).toHaveLength(1);
    expect(parts.filter((p) => p.type === 'text-delta').length).toBeLessThan(20);
  });

  test('a signal aborted before the start produces no text and finish "cancelled"', async () => {
    const controller = new AbortController();
    controller.abort();
    const parts = await collect(runtime.languageModel(await model(storiesModelId)), prompt('Hello', 50), controller.signal);
    expect(parts).toEqual([{ type: 'finish', reason: 'cancelled' }]);
  });
});

describe('a GGUF file the test writes itself', () => {
  test('has a header node-llama-cpp reads back as written', async () => {
    const info = await readGgufFileInfo(join(modelsDir, 'generated-llama.gguf'), { readTensorInfo: true, logWarnings: false });
    expect(info.version).toBe(3);
    expect(info.metadata.general?.architecture).toBe('llama');
    expect(info.metadata.general?.alignment).toBe(32);
    expect(info.metadata.tokenizer?.ggml?.model).toBe('llama');
    expect(info.fullTensorInfo?.map((t) => t.name)).toContain('blk.0.ffn_down.weight');
    for (const tensor of info.fullTensorInfo ?? []) expect(Number(tensor.offset) % 32).toBe(0);
  });

  test('is listed as a usable llama model, loads, and generates a few tokens', async () => {
    const listed = (await library.list(true)).find((m) => m.name === 'generated-llama');
    expect(listed).toMatchObject({ architecture: 'llama', problem: null });
    const parts = await collect(runtime.languageModel(listed!), prompt('Once upon a time', 8));
    expect(parts.filter((p) => p.type === 'error')).toEqual([]);
    const usage = parts.find((p) => p.type === 'usage');
    if (usage?.type !== 'usage') throw new Error('no usage part');
    // random weights emit stray byte tokens; an incomplete UTF-8 tail is held back and not counted
    expect(usage.usage.outputTokens).toBeGreaterThan(0);
    expect(usage.usage.outputTokens).toBeLessThanOrEqual(8);
    expect(parts.at(-1)).toEqual({ type: 'finish', reason: 'length' });
    expect(parts.some((p) => p.type === 'text-delta')).toBe(true);
  });

  test('the BERT variant is listed and gives embeddings', async () => {
    const listed = (await library.list()).find((m) => m.name === 'generated-bert');
    expect(listed).toMatchObject({ architecture: 'bert', problem: null });
    const llama = await getLlama({ build: 'never', gpu: false, skipDownload: true, logLevel: 'error' as never });
    const bert = await llama.loadModel({ modelPath: listed!.path });
    try {
      const context = await bert.createEmbeddingContext({ contextSize: 64, threads: 1 });
      const a = await context.getEmbeddingFor('hello the cat');
      const b = await context.getEmbeddingFor('the dog and the sun');
      expect(a.vector).toHaveLength(32);
      expect(a.vector.every(Number.isFinite)).toBe(true);
      expect(a.calculateCosineSimilarity(a)).toBeCloseTo(1, 5);
      expect(a.calculateCosineSimilarity(b)).toBeLessThan(0.99999);
      await context.dispose();
    } finally {
      await bert.dispose();
    }
  });
});

describe('broken model files', () => {
  test.each([
    ['cut-in-half', /truncated/],
    ['cut-at-the-end', /truncated/],
    ['wrong-magic', /wrong magic/],
    ['not-a-model', /wrong magic|not a GGUF/],
    ['garbage-header', /unsupported GGUF version/],
  ])('%s is listed with its problem and refused with MODEL_LOAD_FAILED', async (name, problem) => {
    const listed = (await library.list()).find((m) => m.name === name);
    expect(listed?.problem).toMatch(problem);
    await expect(library.resolve(name)).rejects.toMatchObject({ code: 'MODEL_LOAD_FAILED' });
    await expect(library.resolve(listed!.path)).rejects.toMatchObject({ code: 'MODEL_LOAD_FAILED' });
  });

  test('even past the header check, llama.cpp\'s refusal comes back as a MODEL_LOAD_FAILED part and the process lives on', async () => {
    const cut = (await library.list()).find((m) => m.name === 'cut-at-the-end')!;
    const parts = await collect(runtime.languageModel({ ...cut, problem: null }), prompt('Hello', 5));
    expect(parts).toEqual([expect.objectContaining({ type: 'error', code: 'MODEL_LOAD_FAILED', retryable: false })]);
    // the runtime is still usable afterwards
    const again = await collect(runtime.languageModel(await model(storiesModelId)), prompt('Hello', 5));
    expect(again.at(-1)).toEqual({ type: 'finish', reason: 'length' });
  });

  test('through the app, sending to a broken model is refused without saving anything, and a good model still answers', async () => {
    const core = await createCore({
      dataDir: await temp.make('tandem-model-core-'),
      modelsDirs: [modelsDir],
      mode: 'desktop',
      version: '0.0.0-test',
      logger: new RecordingLogger(),
      gpu: false,
    });
    try {
      const client = new CollectingClient(core.rpc);
      const models = await client.call('models.list', {});
      expect(models.filter((m) => m.problem !== null).map((m) => m.name).sort()).toEqual(['cut-at-the-end', 'cut-in-half', 'garbage-header', 'not-a-model', 'wrong-magic']);
      const chat = await client.call('chats.create', {});
      for (const broken of ['cut-in-half', 'cut-at-the-end', 'wrong-magic', 'garbage-header']) {
        const refused = await client.request('chat.send', { chatId: chat.id, text: 'Hi', modelId: broken });
        expect(refused).toMatchObject({ ok: false, error: { code: 'MODEL_LOAD_FAILED' } });
        expect(!refused.ok && refused.error.message).toMatch(/could not be loaded/);
      }
      expect((await client.call('chats.get', { chatId: chat.id })).messages).toEqual([]);
      await client.call('settings.update', { maxTokens: 5 });
      const started = await client.call('chat.send', { chatId: chat.id, text: 'Hi', modelId: storiesModelId });
      expect((await client.waitForEnd(started.streamId)).end?.status).toBe('completed');
    } finally {
      await core.dispose();
    }
  });

  test('after a failed load, shutting the runtime down still finishes (the app can quit)', async () => {
    const separate = new LocalRuntime({ logger: new RecordingLogger(), gpu: false, threads: () => ({ generation: 1, batch: 1 }), contextSize: () => 256 });
    const cut = (await library.list()).find((m) => m.name === 'cut-at-the-end')!;
    expect((await collect(separate.languageModel({ ...cut, problem: null }), prompt('Hi', 3)))[0]).toMatchObject({ code: 'MODEL_LOAD_FAILED' });
    // once the half-made model is garbage-collected, nothing in node-llama-cpp releases its hold on the backend
    collectGarbage();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await collect(separate.languageModel(await model(storiesModelId)), prompt('Hi', 3))).at(-1)).toEqual({ type: 'finish', reason: 'length' });
    const started = performance.now();
    await separate.dispose();
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  test('the damaged files on disk were left as they were', async () => {
    expect((await readFile(join(modelsDir, 'wrong-magic.gguf'))).subarray(0, 4).toString('latin1')).toBe('GGML');
  });
});
