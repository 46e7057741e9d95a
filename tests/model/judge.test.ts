import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { LanguageModel } from '../../electron/core/models/language-model';
import { LocalRuntime } from '../../electron/core/models/local-runtime';
import { ModelLibrary } from '../../electron/core/models/model-library';
import { DEFAULT_RUBRIC, judgeAnswer, judgeAnswerWithUsage, parseVerdict } from '../../electron/core/strategies/judge';
import { CodedError } from '../../shared/ipc/errors';
import { requireStoriesModel, sharedModelsDir, storiesModelId } from '../support/paths';
import { RecordingLogger } from '../support/test-logger';

let runtime: LocalRuntime;
let model: LanguageModel;

beforeAll(async () => {
  requireStoriesModel();
  runtime = new LocalRuntime({ logger: new RecordingLogger(), gpu: false, threads: () => ({ generation: 'auto', batch: 'auto' }), contextSize: () => 2048 });
  model = runtime.languageModel(await new ModelLibrary(() => [sharedModelsDir]).resolve(storiesModelId));
});

afterAll(async () => {
  await runtime?.dispose();
});

const cases = [
  { question: 'What is the capital of France?', answer: 'Paris.', rubric: DEFAULT_RUBRIC },
  { question: 'What is 2 + 2?', answer: 'It is five, because numbers are friends.', rubric: 'The number must be exactly right.' },
  { question: 'Write a haiku about rain.', answer: '', rubric: 'A haiku: three lines, 5-7-5 syllables.' },
  {
    question: 'Tell me a story about a cat.',
    answer: 'Once upon a time there was a cat named Tom. He liked to play "ball" in the sun.\nThe end.',
    rubric: DEFAULT_RUBRIC,
    reference: 'A short story with a cat in it.',
  },
];

describe('the judge on stories260K (grammar-constrained JSON)', () => {
  test('greedy: every verdict parses, the score lies in 0..1 and matches the raw 1–10', async () => {
    const signal = new AbortController().signal;
    for (const input of cases) {
      const { verdict, text } = await judgeAnswerWithUsage(model, input, signal);
      // The reply itself is valid JSON with the schema's fields (not only what the salvage reading made of it).
      const reply = JSON.parse(text) as { score: unknown; reason: unknown };
      expect(Number.isInteger(reply.score)).toBe(true);
      expect(typeof reply.reason).toBe('string');
      expect(verdict.raw).toBe(reply.score);
      expect(verdict.raw).toBeGreaterThanOrEqual(1);
      expect(verdict.raw).toBeLessThanOrEqual(10);
      expect(verdict.score).toBeCloseTo((verdict.raw - 1) / 9, 10);
      expect(verdict.reason.length).toBeLessThanOrEqual(160);
    }
  });

  test('sampled with many seeds at a high temperature: the score still always parses and lies in 0..1', async () => {
    const signal = new AbortController().signal;
    const raws = new Set<number>();
    for (let seed = 1; seed <= 12; seed++) {
      const input = cases[seed % cases.length]!;
      const verdict = await judgeAnswer(model, input, signal, { temperature: 1.5, seed });
      expect(verdict.score).toBeGreaterThanOrEqual(0);
      expect(verdict.score).toBeLessThanOrEqual(1);
      expect(Number.isInteger(verdict.raw)).toBe(true);
      raws.add(verdict.raw);
    }
    // Sampling really varied the verdicts (the grammar, not luck, kept them valid).
    expect(raws.size).toBeGreaterThan(1);
  });

  test('Stop aborts the judge with CANCELLED', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(judgeAnswer(model, cases[0]!, controller.signal)).rejects.toMatchObject({ code: 'CANCELLED' });
  });
});

describe('reading a verdict (what a cloud judge may send)', () => {
  test('JSON in a code fence or with prose around it is read; out-of-range scores are clamped', () => {
    expect(parseVerdict('```json\n{"score": 8, "reason": "good"}\n```')).toEqual({ score: 7 / 9, raw: 8, reason: 'good' });
    expect(parseVerdict('Here you go: {"score": 14, "reason": "x"} hope it helps')).toMatchObject({ raw: 10, score: 1 });
    expect(parseVerdict('{"score": "0", "reason": "bad"}')).toMatchObject({ raw: 1, score: 0 });
  });

  test('a reply cut short inside the reason keeps its score', () => {
    expect(parseVerdict('{"score": 6, "reason": "mostly right but the end is')).toEqual({ score: 5 / 9, raw: 6, reason: 'mostly right but the end is' });
  });

  test('a reply that is not a verdict is BAD_RESPONSE, naming the model', () => {
    let error: unknown;
    try {
      parseVerdict('I think it is pretty good!', 'cloud/gpt');
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(CodedError);
    expect(error).toMatchObject({ code: 'BAD_RESPONSE' });
    expect((error as Error).message).toContain('cloud/gpt');
    expect(() => parseVerdict('{"verdict": "good"}')).toThrow(/score/);
  });
});
