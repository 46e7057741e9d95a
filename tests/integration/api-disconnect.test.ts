import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { LocalModel } from '../../shared/ipc/domain';
import type { FinishReason } from '../../shared/ipc/stream-parts';
import type { LanguageModel } from '../../electron/core/models/language-model';
import { storiesModelId } from '../support/paths';
import { API_KEY, startApiHarness, type ApiHarness } from './api-harness';

/**
 * A client that goes away cancels its generation at once: the local model's
 * own stream (under the router's wrappers) ends within 100 ms of the client
 * aborting, and the model takes the next request.
 */

let h: ApiHarness;
let client: OpenAI;
/** When each local generation's stream ended, and how. */
const ended: { at: number; reason: FinishReason | 'none' }[] = [];
let started = 0;

beforeAll(async () => {
  h = await startApiHarness({ maxTokens: 2000 });
  client = new OpenAI({ baseURL: h.url, apiKey: API_KEY, maxRetries: 0 });
  // Watch the local model itself, below budgets, cache and metering.
  const runtime = h.core.runtime;
  const original = runtime.languageModel.bind(runtime);
  runtime.languageModel = (info: LocalModel): LanguageModel => {
    const model = original(info);
    return {
      id: model.id,
      stream: async function* (request, options) {
        started++;
        let reason: FinishReason | 'none' = 'none';
        try {
          for await (const part of model.stream(request, options)) {
            if (part.type === 'finish') reason = part.reason;
            yield part;
          }
        } finally {
          ended.push({ at: performance.now(), reason });
        }
      },
    };
  };
});

afterAll(async () => {
  await h?.close();
});

describe('disconnecting', () => {
  test('Disconnecting mid-stream frees the local model within 100 ms', async () => {
    // Warm up: the model is loaded, so the measured stream is generation only.
    await client.chat.completions.create({ model: storiesModelId, messages: [{ role: 'user', content: 'Hi' }], max_tokens: 2 });
    const before = ended.length;
    const stream = await client.chat.completions.create({
      model: storiesModelId,
      messages: [{ role: 'user', content: 'Tell me a very long story about a cat and a dog (disconnect test).' }],
      max_tokens: 2000,
      temperature: 0.9,
      seed: 7,
      stream: true,
    });
    let chunks = 0;
    let abortedAt = 0;
    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta.content) chunks++;
      if (chunks === 5) {
        abortedAt = performance.now();
        stream.controller.abort();
        break;
      }
    }
    expect(abortedAt).toBeGreaterThan(0);
    const deadline = Date.now() + 5000;
    while (ended.length === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 1));
    expect(ended).toHaveLength(before + 1);
    const end = ended[before]!;
    expect(end.reason).toBe('cancelled');
    expect(end.at - abortedAt).toBeLessThan(100);

    // The model is free: the next request runs and finishes normally.
    const startedBefore = started;
    const next = await client.chat.completions.create({ model: storiesModelId, messages: [{ role: 'user', content: 'And then? (after the disconnect)' }], max_tokens: 4 });
    expect(started).toBe(startedBefore + 1);
    expect(next.choices[0]!.finish_reason).toBe('length');
    await new Promise((r) => setTimeout(r, 50));
    const logged = h.gate.recent().filter((e) => e.endpoint === 'POST /v1/chat/completions');
    expect(logged.at(-2)).toMatchObject({ status: 200, model: storiesModelId });
  });

  test('a non-streaming request whose client gives up is cancelled too', async () => {
    const before = ended.length;
    const startedBefore = started;
    const controller = new AbortController();
    const pending = client.chat.completions
      .create({ model: storiesModelId, messages: [{ role: 'user', content: 'Another long story, please (non-stream disconnect).' }], max_tokens: 2000, temperature: 0.9, seed: 3 }, { signal: controller.signal })
      .catch((e: unknown) => e);
    while (started === startedBefore) await new Promise((r) => setTimeout(r, 1));
    await new Promise((r) => setTimeout(r, 30));
    const abortedAt = performance.now();
    controller.abort();
    await pending;
    const deadline = Date.now() + 5000;
    while (ended.length === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 1));
    expect(ended[before]!.reason).toBe('cancelled');
    expect(ended[before]!.at - abortedAt).toBeLessThan(100);
  });
});
