import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { RoutingSettings } from '../../shared/ipc/routes/routing';
import type { StreamPart } from '../../shared/ipc/stream-parts';
import type { GenerateRequest, LanguageModel } from '../../electron/core/models/language-model';
import { ProviderService } from '../../electron/core/providers/provider-service';
import { CircuitBreaker } from '../../electron/core/routing/circuit-breaker';
import { withCache, withCircuit, withQueue } from '../../electron/core/routing/guarded-model';
import { ProviderQueue } from '../../electron/core/routing/provider-queue';
import { openResponseCache, type ResponseCache } from '../../electron/core/routing/response-cache';
import type { ModelCallInfo, SpendEntry } from '../../electron/core/routing/types';
import { FAKE_REPLY, startFakeOpenAI, type FakeOpenAIServer } from '../fixtures/fake-openai-server';
import { TempDirs } from '../support/temp-dir';
import { RecordingLogger } from '../support/test-logger';

/** The response cache in front of a real provider model and the fake server: a repeated question costs one request, not two. */

const KEY = 'sk-test-routing-cache-0123456789';
const SETTINGS: RoutingSettings['cache'] = { enabled: true, ttlDays: 7, maxBytes: 10 * 1024 * 1024, cacheHighTemperature: false };
const temp = new TempDirs();
let server: FakeOpenAIServer;
let service: ProviderService;
let dataDir: string;
const queue = new ProviderQueue({ limits: () => ({ concurrency: 4, requestsPerMinute: 1000 }) });
const breaker = new CircuitBreaker({ settings: () => ({ failures: 3, windowMs: 60_000, cooldownMs: 30_000 }) });

beforeAll(async () => {
  server = await startFakeOpenAI({ apiKey: KEY });
  dataDir = await temp.make('tandem-routing-cache-');
  service = new ProviderService({ dataDir, logger: new RecordingLogger(), retry: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 20 } });
  await service.init();
  service.pricing.set('fake/gpt-test', { input: 2, output: 10 });
  await service.add({ name: 'fake', preset: 'custom', baseUrl: server.baseUrl, apiKey: KEY });
});

afterAll(async () => {
  queue.dispose();
  await service?.dispose();
  await server?.close();
  await temp.removeAll();
});

const info = (modelId: string): ModelCallInfo => ({
  modelId,
  kind: 'cloud',
  provider: 'fake',
  price: { input: 2, output: 10 },
  chatId: null,
  decisionId: null,
  referencePrice: null,
  referenceModelId: null,
});

async function cached(modelId: string, cache: ResponseCache, spend: SpendEntry[]): Promise<LanguageModel> {
  const inner = await service.languageModel(modelId);
  return withCache(withCircuit(withQueue(inner, 'fake', queue), 'fake', breaker), info(modelId), cache, () => SETTINGS, { record: (entry) => spend.push(entry) });
}

async function collect(model: LanguageModel, request: GenerateRequest): Promise<StreamPart[]> {
  const parts: StreamPart[] = [];
  for await (const part of model.stream(request, { signal: new AbortController().signal })) parts.push(part);
  return parts;
}

const text = (parts: StreamPart[]) => parts.map((p) => (p.type === 'text-delta' ? p.text : '')).join('');
const REQUEST: GenerateRequest = { messages: [{ role: 'user', text: 'Say hello, once' }], maxTokens: 50, temperature: 0 };

describe('the response cache against a real provider', () => {
  test('the same request twice reaches the server once; the second is a free cache hit with the same text', async () => {
    const cache = await openResponseCache(dataDir, SETTINGS);
    const spend: SpendEntry[] = [];
    const model = await cached('fake/gpt-test', cache, spend);
    expect(model.id).toBe('fake/gpt-test');

    const first = await collect(model, REQUEST);
    expect(text(first)).toBe(FAKE_REPLY.join(''));
    const firstUsage = first.find((p) => p.type === 'usage')!;
    const cost = firstUsage.usage.costUsd!;
    expect(cost).toBeGreaterThan(0);
    expect(server.count('gpt-test')).toBe(1);
    expect((await readdir(join(dataDir, 'cache', 'responses'))).filter((n) => /^[0-9a-f]{64}\.json$/.test(n))).toHaveLength(1);

    const second = await collect(model, REQUEST);
    expect(server.count('gpt-test')).toBe(1);
    expect(second[0]).toEqual({ type: 'cache-hit', cachedAt: expect.any(String), savedUsd: cost });
    expect(text(second)).toBe(text(first));
    expect(second.filter((p) => p.type === 'text-delta')).toEqual(first.filter((p) => p.type === 'text-delta'));
    expect(second.find((p) => p.type === 'usage')).toEqual({ type: 'usage', usage: { ...firstUsage.usage, costUsd: 0 } });
    expect(second.at(-1)).toEqual({ type: 'finish', reason: 'stop' });
    expect(spend).toEqual([expect.objectContaining({ kind: 'cache', modelId: 'fake/gpt-test', costUsd: 0, savedUsd: cost })]);

    // A restart finds the entry on disk and keeps the counters.
    const reopened = await openResponseCache(dataDir, SETTINGS);
    const third = await collect(await cached('fake/gpt-test', reopened, spend), REQUEST);
    expect(third[0]).toMatchObject({ type: 'cache-hit', savedUsd: cost });
    expect(server.count('gpt-test')).toBe(1);
    expect(await reopened.stats()).toMatchObject({ entries: 1, hits: 2, savedUsd: cost * 2 });

    // A different question is a miss.
    await collect(model, { ...REQUEST, messages: [{ role: 'user', text: 'Something else' }] });
    expect(server.count('gpt-test')).toBe(2);
    await cache.dispose();
    await reopened.dispose();
  });

  test('a failed answer is not cached: the next identical request goes to the server again', async () => {
    const cache = await openResponseCache(await temp.make('tandem-routing-cache-fail-'), SETTINGS);
    const model = await cached('fake/fault-reset-mid-x1', cache, []);
    expect((await collect(model, REQUEST)).at(-1)).toMatchObject({ type: 'error', code: 'NETWORK' });
    const second = await collect(model, REQUEST);
    expect(second[0]?.type).not.toBe('cache-hit');
    expect(text(second)).toBe(FAKE_REPLY.join(''));
    expect(server.count('fault-reset-mid-x1')).toBe(2);
    expect((await collect(model, REQUEST))[0]?.type).toBe('cache-hit');
    expect(server.count('fault-reset-mid-x1')).toBe(2);
  });
});
