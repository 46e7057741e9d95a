import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { getLlama, LlamaModel, type LlamaContextOptions } from 'node-llama-cpp';
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import type { GenerateRequest } from '../../electron/core/models/language-model';
import { giveBack, takeSequence } from '../../electron/core/models/local-generation';
import { DEFAULT_CHAT_SEQUENCES, LocalRuntime, type MemoryBudget } from '../../electron/core/models/local-runtime';
import { ModelLibrary } from '../../electron/core/models/model-library';
import type { LocalModel } from '../../shared/ipc/domain';
import type { LoadedModelStatus } from '../../shared/ipc/routes/models';
import type { StreamPart } from '../../shared/ipc/stream-parts';
import { writeTinyLlamaGguf } from '../fixtures/gguf-writer';
import { requireStoriesModel, storiesModelId } from '../support/paths';
import { TempDirs } from '../support/temp-dir';
import { RecordingLogger } from '../support/test-logger';

/**
 * Batching on context sequences is a bonus that must never cost a user their
 * model: a context for several sequences that cannot be made (or comes out
 * with a shorter window) falls back to one sequence, a failed shrink unloads
 * the model instead of leaving it broken, an unload under steady load ends,
 * and a request waiting for a sequence of a disposed context gets an error.
 */

const temp = new TempDirs();
let library: ModelLibrary;
let stories: LocalModel;
let tiny: LocalModel;
const runtimes: LocalRuntime[] = [];

beforeAll(async () => {
  const dir = join(await temp.make('tandem-batching-'), 'models');
  await mkdir(dir);
  await copyFile(requireStoriesModel(), join(dir, 'stories260K.gguf'));
  await writeTinyLlamaGguf(join(dir, 'generated-llama.gguf'));
  library = new ModelLibrary(() => [dir]);
  stories = await library.resolve(storiesModelId);
  tiny = await library.resolve('generated-llama');
});

afterEach(async () => {
  vi.restoreAllMocks();
  for (const runtime of runtimes.splice(0)) await runtime.dispose();
});

afterAll(async () => {
  await temp.removeAll();
});

function makeRuntime(options: { contextSize?: 'auto' | number; memoryBudget?: () => MemoryBudget; onStatus?: (s: LoadedModelStatus) => void } = {}) {
  const logger = new RecordingLogger();
  const runtime = new LocalRuntime({
    logger,
    gpu: false,
    threads: () => ({ generation: 'auto', batch: 'auto' }),
    contextSize: () => options.contextSize ?? 512,
    memoryBudget: options.memoryBudget,
    onStatus: options.onStatus,
  });
  runtimes.push(runtime);
  return { runtime, logger };
}

async function collect(runtime: LocalRuntime, info: LocalModel, request: GenerateRequest, signal = new AbortController().signal) {
  const parts: StreamPart[] = [];
  for await (const part of runtime.languageModel(info).stream(request, { signal })) parts.push(part);
  return parts;
}

const textOf = (parts: StreamPart[]) => parts.map((p) => (p.type === 'text-delta' ? p.text : '')).join('');
const greedy = (prompt: string, maxTokens: number): GenerateRequest => ({ messages: [{ role: 'user', text: prompt }], maxTokens, temperature: 0 });
const loadedLine = (logger: RecordingLogger) => logger.lines.find((line) => line.message.startsWith(`loaded ${stories.name}`))?.message ?? '';

/** Wraps LlamaModel.createContext; `change` may throw or alter the options of each call. */
function interceptCreateContext(change: (options: LlamaContextOptions) => LlamaContextOptions) {
  const original = LlamaModel.prototype.createContext;
  return vi.spyOn(LlamaModel.prototype, 'createContext').mockImplementation(function (this: LlamaModel, options: LlamaContextOptions = {}) {
    return original.call(this, change(options));
  });
}

describe('a context for several sequences that does not work out', () => {
  test('when it cannot be made (e.g. its KV cache does not fit in VRAM), the model loads with one sequence and answers', async () => {
    const spy = interceptCreateContext((options) => {
      if ((options.sequences ?? 1) > 1) throw new Error('ggml: out of device memory (test)');
      return options;
    });
    const { runtime, logger } = makeRuntime();
    const parts = await collect(runtime, stories, greedy('Once upon a time', 20));
    expect(parts.at(-1)).toMatchObject({ type: 'finish' });
    expect(textOf(parts).length).toBeGreaterThan(0);
    expect(spy.mock.calls.map(([options]) => options?.sequences)).toEqual([DEFAULT_CHAT_SEQUENCES + 1, 1]);
    expect(loadedLine(logger)).toContain('1 sequences');
    expect(runtime.loaded()).toMatchObject([{ state: 'loaded', contextSize: 512 }]);
    // two requests at once still both answer (one after the other on the single sequence)
    const both = await Promise.all([collect(runtime, stories, greedy('The little dog', 10)), collect(runtime, stories, greedy('Lily saw', 10))]);
    for (const run of both) expect(run.at(-1)).toMatchObject({ type: 'finish' });
  });

  test('when even one sequence cannot be made, the load fails with a clear error', async () => {
    interceptCreateContext(() => {
      throw new Error('ggml: out of memory (test)');
    });
    const { runtime } = makeRuntime();
    const parts = await collect(runtime, stories, greedy('Once upon a time', 5));
    expect(parts.at(-1)).toMatchObject({ type: 'error', code: 'MODEL_LOAD_FAILED' });
    expect(runtime.loaded()).toEqual([]);
  });

  test('when several sequences would get a shorter window than one would (contextSize auto), it takes one sequence', async () => {
    const { runtime: plain } = makeRuntime({ contextSize: 'auto' });
    await plain.load(stories);
    const single = plain.loaded()[0]!.contextSize!;
    expect(single).toBeGreaterThan(128);

    // as node-llama-cpp does when the memory for {max} sequences x window is short: a smaller window per sequence
    interceptCreateContext((options) => ((options.sequences ?? 1) > 1 ? { ...options, contextSize: 128 } : options));
    const { runtime, logger } = makeRuntime({ contextSize: 'auto' });
    await runtime.load(stories);
    expect(runtime.loaded()[0]!.contextSize).toBe(single);
    expect(loadedLine(logger)).toContain('1 sequences');
    expect(textOf(await collect(runtime, stories, greedy('Once upon a time', 10))).length).toBeGreaterThan(0);
  });
});

describe('making room', () => {
  test('a shrink whose new context cannot be made unloads the model; the next request loads it afresh', async () => {
    // the tiny model's size in the budget, measured on its own
    const { runtime: probe } = makeRuntime();
    await probe.load(tiny);
    const tinyBytes = probe.loaded()[0]!.memoryBytes;

    let budget: MemoryBudget = 64 * 1024 ** 3;
    const { runtime, logger } = makeRuntime({ memoryBudget: () => budget });
    await runtime.load(stories);
    const batched = runtime.loaded()[0]!;
    expect(loadedLine(logger)).toContain(`${DEFAULT_CHAT_SEQUENCES} sequences`);
    // no room for the tiny model beside stories: stories shrinks first (and here fails to), then is unloaded
    expect(tinyBytes).toBeLessThan(batched.memoryBytes);
    budget = batched.memoryBytes + 1;
    const spy = interceptCreateContext((options) => {
      if (options.sequences === 1) throw new Error('ggml: could not allocate (test)');
      return options;
    });
    await runtime.load(tiny);
    spy.mockRestore();
    expect(logger.lines.map((line) => line.message)).toContainEqual(expect.stringContaining('could not make its context again'));
    expect(runtime.loaded().map((m) => [m.modelId, m.state])).toEqual([['generated-llama', 'loaded']]);

    const parts = await collect(runtime, stories, greedy('Once upon a time', 10));
    expect(parts.at(-1)).toMatchObject({ type: 'finish' });
    expect(textOf(parts).length).toBeGreaterThan(0);
    expect(runtime.loaded().find((m) => m.modelId === storiesModelId)).toMatchObject({ state: 'loaded' });
  });
});

describe('unloading a busy model', () => {
  test('under a steady stream of requests, unload returns in bounded time; requests meanwhile wait and load the model again', async () => {
    const statuses: LoadedModelStatus[] = [];
    const { runtime } = makeRuntime({ onStatus: (s) => statuses.push(s) });
    await runtime.load(stories);
    let stop = false;
    const failures: StreamPart[] = [];
    let answered = 0;
    const worker = async (i: number) => {
      while (!stop) {
        const parts = await collect(runtime, stories, greedy(['Once upon a time', 'The little dog', 'Tom and his mom'][i % 3]!, 30));
        if (parts.at(-1)?.type !== 'finish') failures.push(parts.at(-1)!);
        else answered++;
      }
    };
    const workers = Array.from({ length: DEFAULT_CHAT_SEQUENCES + 2 }, (_, i) => worker(i));
    try {
      await new Promise((resolve) => setTimeout(resolve, 300));
      const before = answered;
      expect(before).toBeGreaterThan(0);
      const startedAt = performance.now();
      const unloaded = await Promise.race([
        runtime.unload(stories.path),
        new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 5000)),
      ]);
      expect(unloaded).toBe(true);
      expect(performance.now() - startedAt).toBeLessThan(3000);
      expect(statuses.some((s) => s.state === 'unloaded')).toBe(true);
      // the requests that came meanwhile load it again and go on answering
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(answered).toBeGreaterThan(before);
    } finally {
      stop = true;
      await Promise.all(workers);
    }
    expect(failures).toEqual([]);
    expect(runtime.loaded()).toMatchObject([{ modelId: storiesModelId, state: 'loaded' }]);
  });
});

describe('waiting for a sequence', () => {
  test('a request waiting for a sequence wakes as soon as one is given back, and gets an error (not a hang) when the context is disposed', async () => {
    const llama = await getLlama({ gpu: false, build: 'never', skipDownload: true, progressLogs: false });
    const model = await llama.loadModel({ modelPath: stories.path });
    try {
      const context = await model.createContext({ contextSize: 256, sequences: 1 });
      const held = context.getSequence();
      const signal = new AbortController().signal;
      const waiting = takeSequence(context, signal);
      await new Promise((resolve) => setTimeout(resolve, 20));
      const givenAt = performance.now();
      giveBack(held);
      const next = await waiting;
      expect(performance.now() - givenAt).toBeLessThan(100);

      const orphan = takeSequence(context, signal);
      const outcome = orphan.then(
        () => 'resolved',
        (error: { code?: string }) => error.code,
      );
      await new Promise((resolve) => setTimeout(resolve, 20));
      const disposedAt = performance.now();
      await context.dispose();
      expect(await outcome).toBe('GENERATION_FAILED');
      expect(performance.now() - disposedAt).toBeLessThan(100);
      expect(next.disposed).toBe(true);

      const aborted = new AbortController();
      const context2 = await model.createContext({ contextSize: 256, sequences: 1 });
      context2.getSequence();
      const cancelled = takeSequence(context2, aborted.signal).catch((error: { code?: string }) => error.code);
      aborted.abort();
      expect(await cancelled).toBe('CANCELLED');
      await context2.dispose();
    } finally {
      await model.dispose();
    }
  });
});
