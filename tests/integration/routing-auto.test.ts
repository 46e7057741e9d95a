import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createCore, type Core } from '../../electron/core/app/create-core';
import type { ErrorCode } from '../../shared/ipc/errors';
import type { RouteDecision, RoutingSettings, UsageSummary } from '../../shared/ipc/routes/routing';
import type { StreamPart } from '../../shared/ipc/stream-parts';
import type { Price } from '../../electron/core/providers/pricing';
import { FAKE_REPLY, startFakeOpenAI, type FakeOpenAIServer } from '../fixtures/fake-openai-server';
import { CollectingClient } from '../support/collecting-client';
import { requireStoriesModel, sharedModelsDir, storiesModelId } from '../support/paths';
import type { StreamView } from '../support/stream-log';
import { TempDirs } from '../support/temp-dir';
import { RecordingLogger } from '../support/test-logger';
import { sleep } from '../support/wait';

/**
 * Auto end to end through chat.send, as a window uses it: a core with two
 * fake OpenAI-compatible servers (one misbehaving on purpose) as providers
 * and stories260K as the local model. The chats ask for quality, so Auto
 * prefers the priciest healthy model; when it fails before its first token
 * the next candidate answers.
 */

const KEY = 'sk-routing-auto-0123456789abcdef';
const ATTEMPTS = 2;
const REPLY = FAKE_REPLY.join('');
const BACKUP = 'backup/gpt-test';
const PREMIUM: Price = { input: 1, output: 20 };
const BACKUP_PRICE: Price = { input: 1, output: 5 };
/** Providers on the misbehaving server whose fault model is priced as the best one (one at a time is configured). */
const FAULTY = { p500: 'fault-500', p429: 'fault-429', reset: 'fault-reset-start', flaky: 'fault-500' } as const;
const PRICES: Record<string, Price> = {
  [BACKUP]: BACKUP_PRICE,
  'backup/tools-test': { input: 0.1, output: 0.1 },
  ...Object.fromEntries(Object.entries(FAULTY).map(([provider, model]) => [`${provider}/${model}`, PREMIUM])),
};

const temp = new TempDirs();
let faulty: FakeOpenAIServer;
let good: FakeOpenAIServer;
let dataDir: string;
let core: Core;
let client: CollectingClient;

async function openCore(): Promise<void> {
  core = await createCore({
    dataDir,
    modelsDirs: [sharedModelsDir],
    mode: 'serve',
    version: '0.0.0-test',
    logger: new RecordingLogger(),
    gpu: false,
    providerRetry: { maxAttempts: ATTEMPTS, baseDelayMs: 5, maxDelayMs: 20 },
  });
  client = new CollectingClient(core.rpc);
}

async function closeCore(): Promise<void> {
  client.close();
  await core.dispose();
}

beforeAll(async () => {
  requireStoriesModel();
  faulty = await startFakeOpenAI({ apiKey: KEY, extraModels: ['fault-500', 'fault-429', 'fault-reset-start'].map((id) => ({ id, object: 'model', created: 1700000000, owned_by: 'fake' })) });
  good = await startFakeOpenAI({ apiKey: KEY });
  dataDir = await temp.make('tandem-routing-auto-');
  await writeFile(join(dataDir, 'pricing.json'), JSON.stringify({ models: PRICES }));
  await openCore();
  await client.call('providers.add', { name: 'backup', preset: 'custom', baseUrl: good.baseUrl, apiKey: KEY });
  await client.call('settings.update', { maxTokens: 16, routing: { ...core.settings.get().routing, defaultPriority: 'quality' } });
});

afterAll(async () => {
  client?.close();
  await core?.dispose();
  await faulty?.close();
  await good?.close();
  await temp.removeAll();
});

let prompts = 0;
/** A prompt no other test used (so the response cache never answers by accident). */
const fresh = (what: string) => `${what} (#${++prompts})`;

async function ask(text: string, modelId = 'auto'): Promise<{ view: StreamView; chatId: string; messageId: string }> {
  const chat = await client.call('chats.create', {});
  const started = await client.call('chat.send', { chatId: chat.id, text, modelId });
  const view = await client.waitForEnd(started.streamId, 60_000);
  expect(view.end?.status).toBe('completed');
  return { view, chatId: chat.id, messageId: started.info.assistantMessageId };
}

async function saved(chatId: string, messageId: string) {
  const chat = await client.call('chats.get', { chatId });
  return chat.messages.find((m) => m.id === messageId)!;
}

function routeOf(view: StreamView): RouteDecision {
  const route = view.parts.find((p) => p.type === 'route');
  expect(route, 'a route part').toBeDefined();
  return (route as Extract<StreamPart, { type: 'route' }>).decision;
}

const ofType = <T extends StreamPart['type']>(view: StreamView, type: T) => view.parts.filter((p): p is Extract<StreamPart, { type: T }> => p.type === type);

async function addFaulty(name: keyof typeof FAULTY): Promise<void> {
  await client.call('providers.add', { name, preset: 'custom', baseUrl: faulty.baseUrl, apiKey: KEY });
}

async function usage(): Promise<UsageSummary> {
  return client.call('usage.summary', {});
}

/** What the fake server bills for one request: its own token count of the messages, and six tokens out. */
function billedTokens(body: Record<string, unknown>): { input: number; output: number } {
  const messages = (body.messages as { content?: unknown }[] | undefined) ?? [];
  return { input: Math.max(1, Math.ceil(messages.map((m) => String(m.content ?? '')).join(' ').length / 4)), output: FAKE_REPLY.length };
}

describe('Auto answers and shows why', () => {
  test('a cloud model answers, and the saved message carries the ranked candidates with quality, cost, speed and score', async () => {
    const before = good.count('gpt-test');
    const { view, chatId, messageId } = await ask(fresh('Explain photosynthesis in one line'));
    const decision = routeOf(view);
    expect(view.parts[0]).toMatchObject({ type: 'route' });
    expect(decision.chosenModelId).toBe(BACKUP);
    expect(decision.priority).toBe('quality');
    expect(view.text).toBe(REPLY);
    expect(good.count('gpt-test')).toBe(before + 1);

    const message = await saved(chatId, messageId);
    expect(message).toMatchObject({ status: 'complete', text: REPLY });
    expect(message.route).toEqual(decision);
    const ids = message.route!.candidates.map((c) => c.modelId);
    expect(ids).toEqual(expect.arrayContaining([BACKUP, 'backup/tools-test', storiesModelId]));
    expect(ids[0]).toBe(BACKUP);
    for (const c of message.route!.candidates) {
      expect(c.predictedQuality).toBeGreaterThanOrEqual(0);
      expect(c.predictedQuality).toBeLessThanOrEqual(1);
      expect(c.estimatedCostUsd).toBeGreaterThanOrEqual(0);
      expect(c.expectedTtftMs).toEqual(expect.any(Number));
      // Either ranked (a score) or excluded (with a reason), never both.
      expect(c.excluded === null ? typeof c.score : c.score).toBe(c.excluded === null ? 'number' : null);
    }
    const scores = message.route!.candidates.filter((c) => c.excluded === null).map((c) => c.score!);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(message.route!.candidates.find((c) => c.modelId === BACKUP)!.estimatedCostUsd).toBeGreaterThan(0);
    expect(message.route!.candidates.find((c) => c.modelId === storiesModelId)).toMatchObject({ kind: 'local', estimatedCostUsd: 0 });
  });
});

describe('fallback when the chosen model fails before its first token', () => {
  const cases: [provider: keyof typeof FAULTY, code: ErrorCode, hits: number][] = [
    ['p500', 'SERVER', ATTEMPTS],
    ['p429', 'RATE_LIMITED', ATTEMPTS],
    ['reset', 'NETWORK', ATTEMPTS],
  ];
  test.each(cases)('%s fails for good: a fallback part names it and the code, and the backup model answers', async (provider, code, hits) => {
    await addFaulty(provider);
    const failing = `${provider}/${FAULTY[provider]}`;
    try {
      const faultyBefore = faulty.count(FAULTY[provider]);
      const goodBefore = good.count('gpt-test');
      const { view, chatId, messageId } = await ask(fresh('Write a haiku about rain'));
      const decision = routeOf(view);
      expect(decision.chosenModelId).toBe(failing);
      expect(decision.candidates[1]?.modelId).toBe(BACKUP);
      const fallback = { failedModelId: failing, code, message: expect.any(String), nextModelId: BACKUP };
      expect(ofType(view, 'fallback')).toEqual([{ type: 'fallback', ...fallback }]);
      expect(ofType(view, 'error')).toEqual([]);
      expect(view.text).toBe(REPLY);
      expect(view.parts.at(-1)).toEqual({ type: 'finish', reason: 'stop' });
      expect(faulty.count(FAULTY[provider]) - faultyBefore).toBe(hits);
      expect(good.count('gpt-test') - goodBefore).toBe(1);

      const message = await saved(chatId, messageId);
      expect(message).toMatchObject({ status: 'complete', text: REPLY, route: { chosenModelId: failing } });
      expect(message.fallbacks).toEqual([fallback]);
    } finally {
      await client.call('providers.remove', { name: provider });
    }
  });
});

describe('the circuit breaker', () => {
  test('opens after the configured failures (Auto stops sending there), then lets exactly one probe through after the cool-down', async () => {
    const circuit: RoutingSettings['circuit'] = { failures: 2, windowMs: 60_000, cooldownMs: 1_500 };
    await client.call('settings.update', { routing: { ...core.settings.get().routing, circuit } });
    await addFaulty('flaky');
    const failing = 'flaky/fault-500';
    try {
      const before = faulty.count('fault-500');
      for (let i = 0; i < circuit.failures; i += 1) {
        const { view } = await ask(fresh('Summarise the news'));
        expect(routeOf(view).chosenModelId).toBe(failing);
        expect(ofType(view, 'fallback')).toMatchObject([{ failedModelId: failing, code: 'SERVER', nextModelId: BACKUP }]);
        expect(view.text).toBe(REPLY);
      }
      expect(faulty.count('fault-500') - before).toBe(circuit.failures * ATTEMPTS);

      // Open: every model of that provider is excluded, and nothing more reaches it.
      const { view, chatId, messageId } = await ask(fresh('Summarise the news'));
      const decision = routeOf(view);
      expect(decision.chosenModelId).toBe(BACKUP);
      const flaky = decision.candidates.filter((c) => c.provider === 'flaky');
      expect(flaky.length).toBeGreaterThan(0);
      for (const c of flaky) expect(c).toMatchObject({ score: null, excluded: { code: 'circuit-open', reason: expect.stringContaining('flaky is failing') } });
      expect(ofType(view, 'fallback')).toEqual([]);
      expect(view.text).toBe(REPLY);
      expect(faulty.count('fault-500') - before).toBe(circuit.failures * ATTEMPTS);
      expect((await saved(chatId, messageId)).route?.candidates.find((c) => c.modelId === failing)?.excluded?.code).toBe('circuit-open');

      // After the cool-down, two chats at once: exactly one probe reaches the server; the other is refused (or, deciding after
      // the probe failed, skips the provider) and the backup answers both.
      await sleep(circuit.cooldownMs + 100);
      expect((await client.call('route.decide', { text: 'Summarise the news' })).chosenModelId).toBe(failing);
      const pair = await Promise.all([ask(fresh('Summarise the news')), ask(fresh('Summarise the news'))]);
      for (const { view: v } of pair) expect(v.text).toBe(REPLY);
      const probes = pair.filter(({ view: v }) => ofType(v, 'fallback').some((f) => !f.message.includes('circuit open')));
      expect(probes).toHaveLength(1);
      expect(ofType(probes[0]!.view, 'fallback')).toMatchObject([{ failedModelId: failing, code: 'SERVER', nextModelId: BACKUP }]);
      const other = pair.find((p) => p !== probes[0])!.view;
      const refusedAtOnce = ofType(other, 'fallback');
      if (refusedAtOnce.length > 0) expect(refusedAtOnce).toMatchObject([{ failedModelId: failing, code: 'SERVER', message: expect.stringContaining('circuit open'), nextModelId: BACKUP }]);
      else expect(routeOf(other).candidates.find((c) => c.modelId === failing)?.excluded?.code).toBe('circuit-open');
      expect(faulty.count('fault-500') - before).toBe((circuit.failures + 1) * ATTEMPTS);

      // The probe failed: open again.
      const again = await client.call('route.decide', { text: 'Summarise the news' });
      expect(again.candidates.find((c) => c.modelId === failing)?.excluded?.code).toBe('circuit-open');
    } finally {
      await client.call('providers.remove', { name: 'flaky' });
    }
  });
});

describe('votes become outcomes', () => {
  test('"Good answer" is saved with the message, survives a restart, informs the next decision, and can be taken back', async () => {
    const prompt = 'Which river flows through Vienna and Budapest?';
    expect((await client.call('route.decide', { text: prompt })).candidates.find((c) => c.modelId === BACKUP)?.qualitySamples).toBe(0);
    const { chatId, messageId } = await ask(prompt);
    expect(await client.call('route.vote', { chatId, messageId, vote: 'good' })).toEqual({ vote: 'good' });

    await closeCore();
    await openCore();
    expect((await saved(chatId, messageId)).vote).toBe('good');
    const learned = await client.call('route.decide', { text: prompt });
    const backup = learned.candidates.find((c) => c.modelId === BACKUP)!;
    expect(backup.qualitySamples).toBeGreaterThan(0);
    expect(learned.candidates.find((c) => c.modelId === storiesModelId)?.qualitySamples).toBe(0);

    expect(await client.call('route.vote', { chatId, messageId, vote: null })).toEqual({ vote: null });
    expect((await saved(chatId, messageId)).vote).toBeUndefined();
    expect((await client.call('route.decide', { text: prompt })).candidates.find((c) => c.modelId === BACKUP)?.qualitySamples).toBe(0);
  });

  test('a vote on a message that is not an answer is refused', async () => {
    const { chatId } = await ask(fresh('Hello'));
    const chat = await client.call('chats.get', { chatId });
    const user = chat.messages.find((m) => m.role === 'user')!;
    const result = await client.request('route.vote', { chatId, messageId: user.id, vote: 'good' });
    expect(result.ok ? null : result.error.code).toBe('NOT_FOUND');
  });
});

describe('the response cache and the ledger', () => {
  test('the same question in two new chats: the second is a cache hit that reaches no server, spends nothing and counts a saving', async () => {
    const text = fresh('What is the boiling point of water at sea level?');
    const before = await usage();
    const goodBefore = good.count('gpt-test');

    const first = await ask(text);
    expect(routeOf(first.view).chosenModelId).toBe(BACKUP);
    expect(ofType(first.view, 'cache-hit')).toEqual([]);
    const cost = ofType(first.view, 'usage')[0]!.usage.costUsd!;
    expect(cost).toBeGreaterThan(0);
    expect(good.count('gpt-test')).toBe(goodBefore + 1);
    const afterFirst = await usage();

    const second = await ask(text);
    expect(routeOf(second.view).chosenModelId).toBe(BACKUP);
    expect(ofType(second.view, 'cache-hit')).toEqual([{ type: 'cache-hit', cachedAt: expect.any(String), savedUsd: cost }]);
    expect(second.view.text).toBe(first.view.text);
    expect(good.count('gpt-test')).toBe(goodBefore + 1);
    expect((await saved(second.chatId, second.messageId)).cached).toBe(true);

    const after = await usage();
    expect(afterFirst.totals.costUsd - before.totals.costUsd).toBeCloseTo(cost, 12);
    expect(after.totals.costUsd).toBeCloseTo(afterFirst.totals.costUsd, 12);
    expect(after.totals.savedUsd - afterFirst.totals.savedUsd).toBeCloseTo(cost, 12);
    expect(after.models.find((m) => m.kind === 'cache' && m.modelId === BACKUP)).toMatchObject({ costUsd: 0 });
    expect(await client.call('cache.stats', {})).toMatchObject({ hits: 1, savedUsd: expect.closeTo(cost, 12) });
  });

  test('usage totals equal what the provider reported times the prices', async () => {
    const before = await usage();
    const from = good.bodies.length;
    for (const q of ['Name a prime number', 'Name a colour', 'Name a planet']) {
      const { view } = await ask(fresh(q));
      expect(routeOf(view).chosenModelId).toBe(BACKUP);
      expect(ofType(view, 'cache-hit')).toEqual([]);
    }
    const sent = good.bodies.slice(from);
    expect(sent).toHaveLength(3);
    const billed = sent.map(billedTokens);
    const input = billed.reduce((sum, b) => sum + b.input, 0);
    const output = billed.reduce((sum, b) => sum + b.output, 0);
    const after = await usage();
    expect(after.totals.inputTokens - before.totals.inputTokens).toBe(input);
    expect(after.totals.outputTokens - before.totals.outputTokens).toBe(output);
    expect(after.totals.requests - before.totals.requests).toBe(3);
    expect(after.totals.costUsd - before.totals.costUsd).toBeCloseTo((input * BACKUP_PRICE.input + output * BACKUP_PRICE.output) / 1e6, 12);
    const row = (s: UsageSummary) => s.models.find((m) => m.modelId === BACKUP && m.kind === 'cloud')!;
    expect(row(after).costUsd - row(before).costUsd).toBeCloseTo((input * BACKUP_PRICE.input + output * BACKUP_PRICE.output) / 1e6, 12);
  });
});

describe('budgets', () => {
  test('over the daily cap Auto answers locally, and a paid model picked by hand is refused naming the cap', async () => {
    const spent = (await usage()).budget.spentTodayUsd;
    expect(spent).toBeGreaterThan(0);
    const routing = core.settings.get().routing;
    await client.call('settings.update', { routing: { ...routing, budget: { ...routing.budget, dailyUsd: spent / 2 } } });
    const goodBefore = good.bodies.length;
    try {
      const { view } = await ask(fresh('Once upon a time'));
      const decision = routeOf(view);
      expect(decision.chosenModelId).toBe(storiesModelId);
      for (const c of decision.candidates.filter((c) => c.kind === 'cloud')) expect(c.excluded, c.modelId).toMatchObject({ code: 'over-budget', reason: expect.stringContaining('Daily budget') });
      expect(ofType(view, 'error')).toEqual([]);
      expect(view.text.length).toBeGreaterThan(0);

      const { view: refused, chatId, messageId } = await ask(fresh('Say hello'), BACKUP);
      expect(ofType(refused, 'error')).toEqual([
        { type: 'error', code: 'BUDGET_EXCEEDED', message: expect.stringMatching(/^Daily budget of \$[\d.]+ would be exceeded/), retryable: false },
      ]);
      expect(refused.text).toBe('');
      expect((await saved(chatId, messageId)).error?.code).toBe('BUDGET_EXCEEDED');
      expect(good.bodies.length).toBe(goodBefore);
    } finally {
      await client.call('settings.update', { routing });
    }
  });
});
