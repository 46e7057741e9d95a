import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { GenerateRequest, LanguageModel } from '../../electron/core/models/language-model';
import { DEFAULT_CHAT_SEQUENCES, LocalRuntime } from '../../electron/core/models/local-runtime';
import { ModelLibrary } from '../../electron/core/models/model-library';
import type { StreamPart } from '../../shared/ipc/stream-parts';
import { requireStoriesModel, sharedModelsDir, storiesModelId } from '../support/paths';
import { RecordingLogger } from '../support/test-logger';

/**
 * Several requests on one local model run together on the context's
 * sequences (batched by node-llama-cpp), not one after another; an aborted
 * request gives its sequence back at once.
 */

let runtime: LocalRuntime;
let model: LanguageModel;
let logger: RecordingLogger;

beforeAll(async () => {
  requireStoriesModel();
  logger = new RecordingLogger();
  runtime = new LocalRuntime({ logger, gpu: false, threads: () => ({ generation: 'auto', batch: 'auto' }), contextSize: () => 512 });
  model = runtime.languageModel(await new ModelLibrary(() => [sharedModelsDir]).resolve(storiesModelId));
});

afterAll(async () => {
  await runtime?.dispose();
});

interface Timed {
  parts: StreamPart[];
  text: string;
  startedAt: number;
  firstTokenAt: number | null;
  endedAt: number;
}

async function timed(request: GenerateRequest, signal = new AbortController().signal, onFirst?: () => void): Promise<Timed> {
  const startedAt = performance.now();
  const parts: StreamPart[] = [];
  let firstTokenAt: number | null = null;
  for await (const part of model.stream(request, { signal })) {
    parts.push(part);
    if (part.type === 'text-delta' && firstTokenAt === null) {
      firstTokenAt = performance.now();
      onFirst?.();
    }
  }
  const text = parts.map((p) => (p.type === 'text-delta' ? p.text : '')).join('');
  return { parts, text, startedAt, firstTokenAt, endedAt: performance.now() };
}

const greedy = (prompt: string, maxTokens: number): GenerateRequest => ({ messages: [{ role: 'user', text: prompt }], maxTokens, temperature: 0 });
const prompts = ['Once upon a time', 'The little dog', 'Lily saw a big', 'Tom and his mom'];

describe('several requests on one local model', () => {
  test('four streams run at once on one loaded model and answer as each would alone (greedy)', async () => {
    const alone: string[] = [];
    for (const prompt of prompts) alone.push((await timed(greedy(prompt, 120))).text);
    expect(runtime.loaded().filter((m) => m.state === 'loaded')).toHaveLength(1);
    expect(logger.lines.some((line) => line.message.includes(`${DEFAULT_CHAT_SEQUENCES} sequences`))).toBe(true);

    const together = await Promise.all(prompts.map((prompt) => timed(greedy(prompt, 120))));
    for (const [i, run] of together.entries()) {
      expect(run.parts.at(-1)).toMatchObject({ type: 'finish' });
      expect(run.text.length).toBeGreaterThan(20);
      expect(run.text).toBe(alone[i]);
    }
    // overlapping, not one after another: every stream's first token comes before any stream ends
    const firstEnd = Math.min(...together.map((run) => run.endedAt));
    for (const run of together) expect(run.firstTokenAt).not.toBeNull();
    for (const run of together) expect(run.firstTokenAt!).toBeLessThan(firstEnd);
  });

  test('a fifth request waits for a sequence and starts within 100 ms of one of the four being aborted', async () => {
    const controllers = prompts.map(() => new AbortController());
    let started = 0;
    let allStarted!: () => void;
    const fourStarted = new Promise<void>((resolve) => (allStarted = resolve));
    // long answers (context shift keeps them going), so all four are still running when the fifth comes
    const long = (prompt: string): GenerateRequest => ({ messages: [{ role: 'user', text: prompt }], maxTokens: 4000, temperature: 0.8, seed: 1 });
    const four = prompts.map((prompt, i) =>
      timed(long(prompt), controllers[i]!.signal, () => {
        if (++started === prompts.length) allStarted();
      }),
    );
    try {
      await fourStarted;

      let fifthFirstAt: number | null = null;
      const fifth = timed(greedy('Once upon a time', 20), new AbortController().signal, () => (fifthFirstAt = performance.now()));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(fifthFirstAt).toBeNull();

      const abortedAt = performance.now();
      controllers[1]!.abort();
      const fifthRun = await fifth;
      expect(fifthRun.firstTokenAt).not.toBeNull();
      expect(fifthRun.firstTokenAt! - abortedAt).toBeLessThan(100);
      expect(fifthRun.text.length).toBeGreaterThan(0);

      const aborted = await four[1]!;
      expect(aborted.parts.at(-1)).toEqual({ type: 'finish', reason: 'cancelled' });
      expect(aborted.endedAt - abortedAt).toBeLessThan(100);
    } finally {
      for (const controller of controllers) controller.abort();
      await Promise.all(four);
    }
  });

  test('a request aborted while it waits for a sequence leaves the queue at once', async () => {
    const controllers = prompts.map(() => new AbortController());
    let started = 0;
    let allStarted!: () => void;
    const fourStarted = new Promise<void>((resolve) => (allStarted = resolve));
    const four = prompts.map((prompt, i) =>
      timed({ messages: [{ role: 'user', text: prompt }], maxTokens: 4000, temperature: 0.8, seed: 2 }, controllers[i]!.signal, () => {
        if (++started === prompts.length) allStarted();
      }),
    );
    try {
      await fourStarted;
      const waiting = new AbortController();
      const fifth = timed(greedy('Once upon a time', 20), waiting.signal);
      await new Promise((resolve) => setTimeout(resolve, 50));
      const abortedAt = performance.now();
      waiting.abort();
      const run = await fifth;
      expect(run.endedAt - abortedAt).toBeLessThan(50);
      expect(run.text).toBe('');
      expect(run.parts).toEqual([{ type: 'finish', reason: 'cancelled' }]);
    } finally {
      for (const controller of controllers) controller.abort();
      await Promise.all(four);
    }
  });
});
