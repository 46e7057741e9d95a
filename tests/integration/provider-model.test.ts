import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { StreamPart } from '../../shared/ipc/stream-parts';
import { ProviderService } from '../../electron/core/providers/provider-service';
import type { RequestRecord } from '../../electron/core/providers/usage-ledger';
import { FAKE_REPLY, startFakeOpenAI, type FakeOpenAIServer } from '../fixtures/fake-openai-server';
import { TempDirs } from '../support/temp-dir';
import { RecordingLogger } from '../support/test-logger';
import { waitUntil } from '../support/wait';

/** The provider model against the fake server, through the real `openai` SDK: parts, faults, retries, Stop. */

const KEY = 'sk-test-0123456789abcdefSECRET';
const temp = new TempDirs();
const logger = new RecordingLogger();
let server: FakeOpenAIServer;
let service: ProviderService;
let dataDir: string;

beforeAll(async () => {
  server = await startFakeOpenAI({ apiKey: KEY });
  dataDir = await temp.make('tandem-provider-');
  service = new ProviderService({ dataDir, logger, retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 50 } });
  await service.init();
  service.pricing.set('fake/gpt-test', { input: 2, output: 10 });
  await service.add({ name: 'fake', preset: 'custom', baseUrl: server.baseUrl, apiKey: KEY, requestTimeoutMs: 400, idleTimeoutMs: 400 });
  await service.add({ name: 'wrongkey', preset: 'custom', baseUrl: server.baseUrl, apiKey: 'sk-wrong-abcdefghijklmnopWRONGKEY' });
});

afterAll(async () => {
  await service?.dispose();
  await server?.close();
  await temp.removeAll();
});

async function collect(modelId: string, signal = new AbortController().signal, onPart?: (part: StreamPart) => void): Promise<StreamPart[]> {
  const model = await service.languageModel(modelId);
  const parts: StreamPart[] = [];
  for await (const part of model.stream({ messages: [{ role: 'user', text: 'Say hello' }], maxTokens: 50 }, { signal })) {
    parts.push(part);
    onPart?.(part);
  }
  return parts;
}

const text = (parts: StreamPart[]) => parts.map((p) => (p.type === 'text-delta' ? p.text : '')).join('');
const last = (parts: StreamPart[]) => parts.at(-1);

describe('streaming through the SDK', () => {
  test('text deltas, usage with cost from the price table, then finish; usage was asked for', async () => {
    const parts = await collect('fake/gpt-test');
    expect(text(parts)).toBe(FAKE_REPLY.join(''));
    const usage = parts.find((p) => p.type === 'usage');
    expect(usage).toMatchObject({ type: 'usage', usage: { outputTokens: FAKE_REPLY.length } });
    const { inputTokens, outputTokens, costUsd } = (usage as Extract<StreamPart, { type: 'usage' }>).usage;
    expect(costUsd).toBeCloseTo((inputTokens * 2 + outputTokens * 10) / 1e6, 12);
    expect(last(parts)).toEqual({ type: 'finish', reason: 'stop' });
    expect(server.bodies.at(-1)).toMatchObject({ stream: true, stream_options: { include_usage: true }, max_tokens: 50 });
  });

  test('tool call fragments are assembled into one tool-call part with parsed arguments', async () => {
    const parts = await collect('fake/tools-test');
    expect(parts.filter((p) => p.type === 'tool-call')).toEqual([
      { type: 'tool-call', toolCallId: 'call_fake_1', toolName: 'get_weather', args: { city: 'Paris', unit: 'c' } },
    ]);
    expect(last(parts)).toEqual({ type: 'finish', reason: 'tool-calls' });
  });

  test('reasoning_content deltas become reasoning parts, kept apart from the answer', async () => {
    const parts = await collect('fake/reasoning-test');
    expect(parts.filter((p) => p.type === 'reasoning-delta').map((p) => (p as { text: string }).text).join('')).toBe('Let me think.');
    expect(text(parts)).toBe(FAKE_REPLY.join(''));
  });
});

describe('faults map to codes, and only retryable ones are retried', () => {
  const cases: [model: string, code: string, retried: boolean][] = [
    ['fault-401', 'AUTH', false],
    ['fault-404', 'MODEL_NOT_FOUND', false],
    ['fault-429', 'RATE_LIMITED', true],
    ['fault-500', 'SERVER', true],
    ['fault-503', 'SERVER', true],
    ['fault-context', 'CONTEXT_TOO_LONG', false],
    ['fault-content-filter', 'CONTENT_FILTERED', false],
    ['fault-stall-headers', 'TIMEOUT', true],
    ['fault-malformed', 'BAD_RESPONSE', false],
  ];
  test.each(cases)('%s → %s (retried: %s)', async (model, code, retried) => {
    const parts = await collect(`fake/${model}`);
    expect(last(parts)).toMatchObject({ type: 'error', code, retryable: retried });
    expect(parts.filter((p) => p.type === 'error')).toHaveLength(1);
    expect(server.count(model)).toBe(retried ? 3 : 1);
  });

  test('a 429 that clears is retried (honouring Retry-After) and the answer arrives', async () => {
    const parts = await collect('fake/fault-429-x2');
    expect(server.count('fault-429-x2')).toBe(3);
    expect(text(parts)).toBe(FAKE_REPLY.join(''));
    expect(last(parts)).toEqual({ type: 'finish', reason: 'stop' });
    // Each retry is announced by a retry part before its wait (attempt about to start, of how many, why), and text comes only after them.
    const retries = parts.filter((p) => p.type === 'retry');
    expect(retries.map((p) => [p.attempt, p.maxAttempts, p.code])).toEqual([
      [2, 3, 'RATE_LIMITED'],
      [3, 3, 'RATE_LIMITED'],
    ]);
    // retry-after-ms: 20 from the fake server, under the 50 ms cap of this service's policy.
    expect(retries.every((p) => p.delayMs === 20)).toBe(true);
    expect(retries.every((p) => p.message.includes('rate limiting'))).toBe(true);
    const firstText = parts.findIndex((p) => p.type === 'text-delta');
    expect(parts.findLastIndex((p) => p.type === 'retry')).toBeLessThan(firstText);
  });

  test('a whole-second Retry-After is the announced delay, and the wait really is that long', async () => {
    const patient = new ProviderService({ dataDir: await temp.make('tandem-provider-wait-'), logger, retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 8_000 } });
    await patient.init();
    try {
      await patient.add({ name: 'fake', preset: 'custom', baseUrl: server.baseUrl, apiKey: KEY });
      const model = await patient.languageModel('fake/fault-429-wait-x1');
      const seen: { part: StreamPart; at: number }[] = [];
      for await (const part of model.stream({ messages: [{ role: 'user', text: 'Say hello' }], maxTokens: 50 }, { signal: new AbortController().signal })) {
        seen.push({ part, at: Date.now() });
      }
      const retries = seen.filter((s) => s.part.type === 'retry');
      expect(retries.map((s) => s.part)).toEqual([
        { type: 'retry', attempt: 2, maxAttempts: 3, delayMs: 1000, code: 'RATE_LIMITED', message: expect.stringContaining('rate limiting') },
      ]);
      const firstText = seen.find((s) => s.part.type === 'text-delta')!;
      expect(firstText.at - retries[0]!.at).toBeGreaterThanOrEqual(950);
      expect(seen.map((s) => (s.part.type === 'text-delta' ? s.part.text : '')).join('')).toBe(FAKE_REPLY.join(''));
      expect(server.count('fault-429-wait-x1')).toBe(2);
    } finally {
      await patient.dispose();
    }
  });

  test('when every attempt is rate limited, the retries come first and one error ends it', async () => {
    const parts = await collect('fake/fault-429-wait');
    expect(parts.map((p) => p.type)).toEqual(['retry', 'retry', 'error']);
    expect(parts.filter((p) => p.type === 'retry').map((p) => p.delayMs)).toEqual([50, 50]); // Retry-After 1 s, capped by the policy
  });

  test('a stall mid-stream ends with a TIMEOUT error part after the idle limit, not a hang, and is not retried', async () => {
    const started = Date.now();
    const parts = await collect('fake/fault-stall-mid');
    expect(text(parts)).toBe(FAKE_REPLY.slice(0, 2).join(''));
    expect(last(parts)).toMatchObject({ type: 'error', code: 'TIMEOUT' });
    expect(server.count('fault-stall-mid')).toBe(1);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  test('a connection reset mid-stream ends with a NETWORK error part, keeping what came', async () => {
    const parts = await collect('fake/fault-reset-mid');
    expect(text(parts)).toBe(FAKE_REPLY.slice(0, 2).join(''));
    expect(last(parts)).toMatchObject({ type: 'error', code: 'NETWORK' });
    expect(server.count('fault-reset-mid')).toBe(1);
  });
});

describe('Stop', () => {
  test('aborting closes the HTTP connection and ends with finish: cancelled', async () => {
    const controller = new AbortController();
    let deltas = 0;
    const parts = await collect('fake/slow-test', controller.signal, (part) => {
      if (part.type === 'text-delta' && ++deltas === 3) controller.abort();
    });
    expect(last(parts)).toEqual({ type: 'finish', reason: 'cancelled' });
    await waitUntil(() => server.closedEarly.includes('slow-test'), 'the fake server to see the connection closed', 3_000);
  });
});

describe('keys and the ledger', () => {
  test('a wrong key is AUTH, and the key the server echoed is in no message and no log line', async () => {
    const parts = await collect('wrongkey/gpt-test');
    const error = last(parts);
    expect(error).toMatchObject({ type: 'error', code: 'AUTH' });
    expect(server.authorizations).toContain('Bearer sk-wrong-abcdefghijklmnopWRONGKEY'); // it was sent, and echoed back
    const everything = JSON.stringify(parts) + JSON.stringify(logger.lines);
    expect(logger.lines.some((l) => l.message.includes('wrongkey/gpt-test failed'))).toBe(true);
    expect(everything).not.toContain('sk-wrong-abcdefghijklmnopWRONGKEY');
    expect(everything).not.toContain(KEY);
  });

  test('every request lands in usage/requests.jsonl with latency, tokens, cost and error code; health sums it up', async () => {
    await service.ledger.flush();
    const lines = (await readFile(join(dataDir, 'usage', 'requests.jsonl'), 'utf8')).trim().split('\n');
    const records = lines.map((line) => JSON.parse(line) as RequestRecord);
    const ok = records.find((r) => r.model === 'gpt-test' && r.provider === 'fake')!;
    expect(ok).toMatchObject({ errorCode: null, finishReason: 'stop', outputTokens: FAKE_REPLY.length });
    expect(ok.costUsd).toBeGreaterThan(0);
    expect(ok.ttftMs).not.toBeNull();
    expect(ok.estimatedInputTokens).toBeGreaterThan(0);
    expect(records.find((r) => r.model === 'fault-429')).toMatchObject({ errorCode: 'RATE_LIMITED', attempts: 3 });
    const health = service.health().find((h) => h.provider === 'fake')!;
    expect(health.requests).toBeGreaterThan(5);
    expect(health.errorRate).toBeGreaterThan(0);
    expect(health.errorRate).toBeLessThan(1);
    expect(health.latencyP50Ms).toBeGreaterThan(0);
    expect(health.lastError?.code).toMatch(/^[A-Z_]+$/);
  });
});
