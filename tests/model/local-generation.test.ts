import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { GenerateRequest, LanguageModel } from '../../electron/core/models/language-model';
import { LocalRuntime } from '../../electron/core/models/local-runtime';
import { ModelLibrary } from '../../electron/core/models/model-library';
import { sharedModelsDir, requireStoriesModel, storiesModelId } from '../support/paths';
import { RecordingLogger } from '../support/test-logger';
import type { StreamPart } from '../../shared/ipc/stream-parts';

let runtime: LocalRuntime;
let model: LanguageModel;

beforeAll(async () => {
  requireStoriesModel();
  runtime = new LocalRuntime({
    logger: new RecordingLogger(),
    gpu: false,
    threads: () => ({ generation: 'auto', batch: 'auto' }),
    // the tool documentation node-llama-cpp adds is long in this model's tiny vocabulary
    contextSize: () => 2048,
  });
  model = runtime.languageModel(await new ModelLibrary(() => [sharedModelsDir]).resolve(storiesModelId));
});

afterAll(async () => {
  await runtime?.dispose();
});

async function collect(request: GenerateRequest): Promise<StreamPart[]> {
  const parts: StreamPart[] = [];
  for await (const part of model.stream(request, { signal: new AbortController().signal })) parts.push(part);
  return parts;
}
const textOf = (parts: StreamPart[]) => parts.map((p) => (p.type === 'text-delta' ? p.text : '')).join('');
const user = (text: string) => [{ role: 'user' as const, text }];
const finishOf = (parts: StreamPart[]) => parts.find((p) => p.type === 'finish');
const usageOf = (parts: StreamPart[]) => {
  const usage = parts.find((p) => p.type === 'usage');
  if (usage?.type !== 'usage') throw new Error('no usage part');
  return usage.usage;
};

describe('sampling settings', () => {
  test('with a seed, sampled answers repeat exactly; another seed gives another answer', async () => {
    const request = (seed: number): GenerateRequest => ({
      messages: user('Once upon a time'),
      maxTokens: 40,
      temperature: 1.2,
      topK: 40,
      topP: 0.95,
      minP: 0.01,
      repeatPenalty: 1.1,
      seed,
    });
    const first = textOf(await collect(request(7)));
    const again = textOf(await collect(request(7)));
    expect(first.length).toBeGreaterThan(10);
    expect(again).toBe(first);
    const others = await Promise.all([1, 2, 3].map(async (seed) => textOf(await collect(request(seed)))));
    expect(others.some((text) => text !== first)).toBe(true);
  });

  test('max tokens is honoured and reported as finish "length"', async () => {
    const parts = await collect({ messages: user('Once upon a time'), maxTokens: 7 });
    expect(usageOf(parts).outputTokens).toBe(7);
    expect(finishOf(parts)).toEqual({ type: 'finish', reason: 'length' });
  });

  test('a stop string ends the answer before it; the answer is the text up to there', async () => {
    const free = textOf(await collect({ messages: user('Once upon a time'), maxTokens: 60 }));
    // greedy decoding: the same text comes again, so stop at a word from its middle
    const words = free.trim().split(/\s+/);
    const stopWord = words[Math.floor(words.length / 2)]!;
    const parts = await collect({ messages: user('Once upon a time'), maxTokens: 60, stopStrings: [stopWord] });
    const stopped = textOf(parts);
    expect(stopped).not.toContain(stopWord);
    expect(free.startsWith(stopped.trimEnd())).toBe(true);
    expect(stopped.length).toBeLessThan(free.length);
    expect(finishOf(parts)).toEqual({ type: 'finish', reason: 'stop' });
  });

  test('a system prompt changes what the model sees', async () => {
    const plain = textOf(await collect({ messages: user('Tom'), maxTokens: 20 }));
    const withSystem = textOf(await collect({ messages: user('Tom'), maxTokens: 20, systemPrompt: 'Lily and Ben went to the park.' }));
    expect(withSystem).not.toBe(plain);
  });
});

describe('structured output and tools', () => {
  const schema = {
    type: 'object',
    properties: {
      mood: { enum: ['happy', 'sad', 'sleepy'] },
      hasDog: { type: 'boolean' },
    },
  };

  test('JSON schema output parses and matches the schema', async () => {
    const parts = await collect({ messages: user('Describe the cat as JSON'), maxTokens: 200, responseFormat: { type: 'json_schema', schema } });
    const value = JSON.parse(textOf(parts)) as { mood: string; hasDog: boolean };
    expect(['happy', 'sad', 'sleepy']).toContain(value.mood);
    expect(typeof value.hasDog).toBe('boolean');
    expect(Object.keys(value).sort()).toEqual(['hasDog', 'mood']);
    expect(finishOf(parts)).toEqual({ type: 'finish', reason: 'stop' });
  });

  const weatherTool = {
    name: 'get_weather',
    description: 'The weather in a city',
    parameters: { type: 'object', properties: { city: { enum: ['Paris', 'Rome', 'Oslo'] } } },
  };

  test('a tool-call round trip: the call comes as a tool-call part, the result goes back and the answer goes on', async () => {
    const first = await collect({ messages: user('What is the weather in Paris?'), tools: [weatherTool], toolChoice: 'required', maxTokens: 50 });
    const call = first.find((p) => p.type === 'tool-call');
    if (call?.type !== 'tool-call') throw new Error(`no tool call: ${JSON.stringify(first)}`);
    expect(call.toolName).toBe('get_weather');
    expect(['Paris', 'Rome', 'Oslo']).toContain((call.args as { city: string }).city);
    expect(call.toolCallId).toMatch(/^call_/);
    expect(finishOf(first)).toEqual({ type: 'finish', reason: 'tool-calls' });
    expect(first.filter((p) => p.type === 'text-delta')).toEqual([]);

    const second = await collect({
      messages: [
        ...user('What is the weather in Paris?'),
        { role: 'assistant', text: '', toolCalls: [{ toolCallId: call.toolCallId, toolName: call.toolName, args: call.args }] },
        { role: 'tool', toolCallId: call.toolCallId, toolName: call.toolName, result: { temperatureC: 21, sky: 'sunny' } },
      ],
      tools: [weatherTool],
      maxTokens: 12,
    });
    expect(second.filter((p) => p.type === 'error')).toEqual([]);
    expect(usageOf(second).outputTokens).toBeGreaterThan(0);
    expect(['stop', 'length', 'tool-calls']).toContain((finishOf(second) as { reason: string }).reason);
  });

  test('with tools offered and no call made, the model simply answers', async () => {
    const parts = await collect({ messages: user('Once upon a time'), tools: [weatherTool], maxTokens: 10 });
    expect(parts.filter((p) => p.type === 'error')).toEqual([]);
    expect(['stop', 'length', 'tool-calls']).toContain((finishOf(parts) as { reason: string }).reason);
  });

  test('tools and JSON output together are refused', async () => {
    const parts = await collect({ messages: user('x'), tools: [weatherTool], responseFormat: { type: 'json_schema', schema } });
    expect(parts).toEqual([expect.objectContaining({ type: 'error', code: 'INVALID_INPUT' })]);
  });
});
