import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import type { RoutingSettings } from '../../../shared/ipc/routes/routing';
import type { StreamPart } from '../../../shared/ipc/stream-parts';
import { ResponseCache, openResponseCache } from '../../../electron/core/routing/response-cache';
import { withCache } from '../../../electron/core/routing/guarded-model';
import type { ModelCallInfo, SpendEntry } from '../../../electron/core/routing/types';
import type { GenerateRequest, LanguageModel } from '../../../electron/core/models/language-model';
import { TempDirs } from '../../support/temp-dir';

const temp = new TempDirs();
afterAll(() => temp.removeAll());

type CacheSettings = RoutingSettings['cache'];
const SETTINGS: CacheSettings = { enabled: true, ttlDays: 7, maxBytes: 1024 * 1024, cacheHighTemperature: false };
const DAY = 86_400_000;

const ANSWER: StreamPart[] = [
  { type: 'reasoning-delta', text: 'Thinking.' },
  { type: 'text-delta', text: 'Hello' },
  { type: 'text-delta', text: ' there.' },
  { type: 'tool-call', toolCallId: 'call_1', toolName: 'lookup', args: { q: 'x' } },
  { type: 'usage', usage: { inputTokens: 12, outputTokens: 5, costUsd: 0.0042 } },
  { type: 'finish', reason: 'stop' },
];

const INFO: ModelCallInfo = {
  modelId: 'acme/gpt',
  kind: 'cloud',
  provider: 'acme',
  price: { input: 1, output: 2 },
  chatId: 'chat-1',
  decisionId: null,
  referencePrice: null,
  referenceModelId: null,
};

async function makeCache(settings: Partial<CacheSettings> = {}, clock = { now: Date.parse('2025-01-01T00:00:00Z') }) {
  const dir = await temp.make('tandem-cache-');
  const current = { ...SETTINGS, ...settings };
  const cache = new ResponseCache({ dir, settings: () => current, now: () => clock.now });
  await cache.init();
  return { dir, cache, clock, settings: current };
}

/** A model that answers from a script and counts its calls; the app adds a retry part the cache must not keep. */
function scripted(parts: StreamPart[]): LanguageModel & { calls: number } {
  const model = {
    id: 'acme/gpt',
    calls: 0,
    async *stream(): AsyncIterable<StreamPart> {
      model.calls += 1;
      yield { type: 'retry', attempt: 2, maxAttempts: 3, delayMs: 1, code: 'SERVER', message: 'again' } as StreamPart;
      for (const part of parts) yield part;
    },
  };
  return model;
}

async function collect(model: LanguageModel, request: GenerateRequest = { messages: [{ role: 'user', text: 'Hi' }] }): Promise<StreamPart[]> {
  const parts: StreamPart[] = [];
  for await (const part of model.stream(request, { signal: new AbortController().signal })) parts.push(part);
  return parts;
}

describe('ResponseCache', () => {
  test('keys are stable under key order and differ by model, prompt and sampling', async () => {
    const { cache } = await makeCache();
    const base: GenerateRequest = { messages: [{ role: 'user', text: 'Hi' }], temperature: 0.2, maxTokens: 10 };
    expect(cache.key('m', base)).toBe(cache.key('m', { maxTokens: 10, temperature: 0.2, messages: [{ text: 'Hi', role: 'user' }] }));
    expect(cache.key('m', base)).toMatch(/^[0-9a-f]{64}$/);
    expect(cache.key('other', base)).not.toBe(cache.key('m', base));
    expect(cache.key('m', { ...base, temperature: 0.3 })).not.toBe(cache.key('m', base));
    expect(cache.key('m', { ...base, messages: [{ role: 'user', text: 'Hi!' }] })).not.toBe(cache.key('m', base));
    expect(cache.key('m', { ...base, tools: [{ name: 't' }] })).not.toBe(cache.key('m', base));
  });

  test('put then get returns the parts, the cost and when; an entry is one file named by its key', async () => {
    const { cache, dir } = await makeCache();
    const key = cache.key('m', { messages: [] });
    await cache.put(key, ANSWER, 0.0042);
    expect(await cache.get(key)).toEqual({ parts: ANSWER, costUsd: 0.0042, cachedAt: '2025-01-01T00:00:00.000Z' });
    expect((await readdir(dir)).filter((n) => n.endsWith('.json') && n !== 'stats.json')).toEqual([`${key}.json`]);
    // A fresh instance over the same folder finds it.
    const again = new ResponseCache({ dir, settings: () => SETTINGS, now: () => Date.parse('2025-01-02T00:00:00Z') });
    expect(await again.init()).toEqual({ entries: 1, removed: 0 });
    expect((await again.get(key))?.parts).toEqual(ANSWER);
  });

  test('an entry older than ttlDays is deleted and misses', async () => {
    const { cache, clock } = await makeCache({ ttlDays: 2 });
    const key = cache.key('m', { messages: [] });
    await cache.put(key, ANSWER, 0.01);
    clock.now += 2 * DAY - 1;
    expect(await cache.get(key)).not.toBeNull();
    clock.now += 2;
    expect(await cache.get(key)).toBeNull();
    expect((await cache.stats()).entries).toBe(0);
  });

  test('over maxBytes, the least recently used entries are evicted first', async () => {
    const { cache, clock } = await makeCache({ maxBytes: 2048 });
    const size = Buffer.byteLength(JSON.stringify({ version: 1, key: 'x'.repeat(64), cachedAt: new Date(clock.now).toISOString(), costUsd: 0.0042, parts: ANSWER }));
    const fits = Math.floor(2048 / size);
    expect(fits).toBeGreaterThanOrEqual(2);
    const keys = Array.from({ length: fits + 1 }, (_, i) => cache.key('m', { messages: [{ role: 'user', text: `q${i}` }] }));
    for (const key of keys.slice(0, fits)) {
      clock.now += 1000;
      await cache.put(key, ANSWER, 0.0042);
    }
    clock.now += 1000;
    expect(await cache.get(keys[0]!)).not.toBeNull(); // the oldest is now the most recently used
    clock.now += 1000;
    await cache.put(keys[fits]!, ANSWER, 0.0042);
    const stats = await cache.stats();
    expect(stats.entries).toBe(fits);
    expect(stats.bytes).toBeLessThanOrEqual(2048);
    expect(await cache.get(keys[1]!)).toBeNull();
    expect(await cache.get(keys[0]!)).not.toBeNull();
    expect(await cache.get(keys[fits]!)).not.toBeNull();
  });

  test('corrupt, foreign and half-written entry files found at init are deleted and counted, never fatal', async () => {
    const { cache, dir } = await makeCache();
    const good = cache.key('m', { messages: [] });
    await cache.put(good, ANSWER, 0.001);
    await writeFile(join(dir, `${'a'.repeat(64)}.json`), '{"version":1,"key":');
    await writeFile(join(dir, `${'b'.repeat(64)}.json`), JSON.stringify({ version: 1, key: 'c'.repeat(64), cachedAt: 'x', costUsd: 0, parts: [] }));
    await writeFile(join(dir, `${'d'.repeat(64)}.json`), JSON.stringify({ version: 1, key: 'd'.repeat(64), cachedAt: new Date().toISOString(), costUsd: 0, parts: [{ type: 'nonsense' }] }));
    await writeFile(join(dir, `.${good}.json.abc.tmp`), 'partial');
    const reopened = new ResponseCache({ dir, settings: () => SETTINGS, now: () => Date.parse('2025-01-01T01:00:00Z') });
    expect(await reopened.init()).toEqual({ entries: 1, removed: 3 });
    expect(await readdir(dir)).toEqual([`${good}.json`]);
    expect((await reopened.get(good))?.costUsd).toBe(0.001);
  });

  test('openResponseCache keeps entries in <data dir>/cache/responses', async () => {
    const dataDir = await temp.make('tandem-cache-data-');
    const cache = await openResponseCache(dataDir, SETTINGS);
    const key = cache.key('m', { messages: [] });
    await cache.put(key, ANSWER, 0);
    expect(await readdir(join(dataDir, 'cache', 'responses'))).toEqual([`${key}.json`]);
    await cache.dispose();
    await cache.dispose();
  });

  test('clear removes every entry and the counters, and says how many', async () => {
    const { cache } = await makeCache();
    await cache.put(cache.key('m', { messages: [{ role: 'user', text: 'a' }] }), ANSWER, 0.01);
    await cache.put(cache.key('m', { messages: [{ role: 'user', text: 'b' }] }), ANSWER, 0.01);
    await cache.recordHit(0.01);
    expect(await cache.clear()).toBe(2);
    expect(await cache.stats()).toEqual({ entries: 0, bytes: 0, hits: 0, savedUsd: 0 });
    expect(await cache.clear()).toBe(0);
  });
});

describe('withCache', () => {
  async function setup(settings: Partial<CacheSettings> = {}) {
    const made = await makeCache(settings);
    const spend: SpendEntry[] = [];
    const model = scripted(ANSWER);
    const guarded = withCache(model, INFO, made.cache, () => made.settings, { record: (entry) => spend.push(entry) });
    return { ...made, model, guarded, spend };
  }

  test('a repeated request is replayed from the cache: same model parts, a cache-hit part, $0 usage and a recorded saving', async () => {
    const { model, guarded, spend, cache } = await setup();
    expect(guarded.id).toBe('acme/gpt');
    const first = await collect(guarded);
    expect(first.filter((p) => p.type !== 'retry')).toEqual(ANSWER);
    const second = await collect(guarded);
    expect(model.calls).toBe(1);
    expect(second[0]).toEqual({ type: 'cache-hit', cachedAt: '2025-01-01T00:00:00.000Z', savedUsd: 0.0042 });
    const replayed = second.slice(1);
    expect(replayed.filter((p) => p.type !== 'usage')).toEqual(ANSWER.filter((p) => p.type !== 'usage'));
    expect(replayed.find((p) => p.type === 'usage')).toEqual({ type: 'usage', usage: { inputTokens: 12, outputTokens: 5, costUsd: 0 } });
    expect(replayed.some((p) => p.type === 'retry')).toBe(false);
    expect(spend).toEqual([
      {
        at: expect.any(String),
        modelId: 'acme/gpt',
        provider: 'acme',
        kind: 'cache',
        inputTokens: 12,
        outputTokens: 5,
        costUsd: 0,
        savedUsd: 0.0042,
        errorCode: null,
        chatId: 'chat-1',
        decisionId: null,
      },
    ]);
    expect(await cache.stats()).toMatchObject({ entries: 1, hits: 1, savedUsd: 0.0042 });
  });

  test('a different prompt is a miss', async () => {
    const { model, guarded } = await setup();
    await collect(guarded, { messages: [{ role: 'user', text: 'one' }] });
    await collect(guarded, { messages: [{ role: 'user', text: 'two' }] });
    expect(model.calls).toBe(2);
  });

  test('above temperature 0.7 answers are not cached unless cacheHighTemperature', async () => {
    const hot: GenerateRequest = { messages: [{ role: 'user', text: 'Hi' }], temperature: 0.9 };
    const off = await setup();
    await collect(off.guarded, hot);
    await collect(off.guarded, hot);
    expect(off.model.calls).toBe(2);
    expect((await off.cache.stats()).entries).toBe(0);

    const on = await setup({ cacheHighTemperature: true });
    await collect(on.guarded, hot);
    expect((await collect(on.guarded, hot))[0]?.type).toBe('cache-hit');
    expect(on.model.calls).toBe(1);
  });

  test('the cache switched off neither reads nor writes', async () => {
    const { model, guarded, cache } = await setup({ enabled: false });
    await collect(guarded);
    await collect(guarded);
    expect(model.calls).toBe(2);
    expect((await cache.stats()).entries).toBe(0);
  });

  test('failed and cancelled answers are never stored', async () => {
    for (const ending of [
      { type: 'error', code: 'SERVER', message: 'boom', retryable: true },
      { type: 'finish', reason: 'cancelled' },
      { type: 'finish', reason: 'content-filter' },
    ] as StreamPart[]) {
      const { cache } = await makeCache();
      const model = scripted([{ type: 'text-delta', text: 'part' }, ending]);
      const guarded = withCache(model, INFO, cache, () => SETTINGS, { record: () => undefined });
      await collect(guarded);
      await collect(guarded);
      expect(model.calls).toBe(2);
      expect((await cache.stats()).entries).toBe(0);
    }
  });

  test('tool-call answers are cached too', async () => {
    const { cache } = await makeCache();
    const model = scripted([{ type: 'tool-call', toolCallId: 'c1', toolName: 'lookup', args: {} }, { type: 'finish', reason: 'tool-calls' }]);
    const guarded = withCache(model, INFO, cache, () => SETTINGS, { record: () => undefined });
    const request: GenerateRequest = { messages: [{ role: 'user', text: 'look' }], tools: [{ name: 'lookup' }], toolChoice: 'required' };
    await collect(guarded, request);
    const second = await collect(guarded, request);
    expect(second.map((p) => p.type)).toEqual(['cache-hit', 'tool-call', 'finish']);
    expect(model.calls).toBe(1);
  });
});
