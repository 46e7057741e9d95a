import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ErrorCode } from '../../shared/ipc/errors';
import type { RoutingSettings } from '../../shared/ipc/routes/routing';
import type { StreamPart } from '../../shared/ipc/stream-parts';
import type { LanguageModel } from '../../electron/core/models/language-model';
import { ProviderService } from '../../electron/core/providers/provider-service';
import { CircuitBreaker } from '../../electron/core/routing/circuit-breaker';
import { withCircuit, withQueue } from '../../electron/core/routing/guarded-model';
import { ProviderQueue } from '../../electron/core/routing/provider-queue';
import { FAKE_REPLY, startFakeOpenAI, type FakeOpenAIServer } from '../fixtures/fake-openai-server';
import { TempDirs } from '../support/temp-dir';
import { RecordingLogger } from '../support/test-logger';
import { sleep, waitUntil } from '../support/wait';

/**
 * The circuit breaker and the provider queue around a real provider model,
 * through the real `openai` SDK, against the fake server misbehaving on purpose.
 */

const KEY = 'sk-test-routing-faults-0123456789';
const CIRCUIT: RoutingSettings['circuit'] = { failures: 2, windowMs: 60_000, cooldownMs: 300 };
const ATTEMPTS = 2;
const temp = new TempDirs();
let server: FakeOpenAIServer;
let service: ProviderService;
const queues: ProviderQueue[] = [];

beforeAll(async () => {
  server = await startFakeOpenAI({ apiKey: KEY });
  service = new ProviderService({ dataDir: await temp.make('tandem-routing-faults-'), logger: new RecordingLogger(), retry: { maxAttempts: ATTEMPTS, baseDelayMs: 5, maxDelayMs: 20 } });
  await service.init();
  await service.add({ name: 'fake', preset: 'custom', baseUrl: server.baseUrl, apiKey: KEY, requestTimeoutMs: 2_000, idleTimeoutMs: 2_000 });
});

afterAll(async () => {
  for (const queue of queues) queue.dispose();
  await service?.dispose();
  await server?.close();
  await temp.removeAll();
});

/** withCircuit(withQueue(provider model)), with a breaker and queue of its own. */
async function guarded(model: string) {
  const breaker = new CircuitBreaker({ settings: () => CIRCUIT });
  const queue = new ProviderQueue({ limits: () => ({ concurrency: 4, requestsPerMinute: 1000 }) });
  queues.push(queue);
  const inner = await service.languageModel(`fake/${model}`);
  return { breaker, queue, model: withCircuit(withQueue(inner, 'fake', queue), 'fake', breaker) };
}

async function collect(model: LanguageModel, signal = new AbortController().signal): Promise<StreamPart[]> {
  const parts: StreamPart[] = [];
  for await (const part of model.stream({ messages: [{ role: 'user', text: 'Say hello' }], maxTokens: 50 }, { signal })) parts.push(part);
  return parts;
}

const text = (parts: StreamPart[]) => parts.map((p) => (p.type === 'text-delta' ? p.text : '')).join('');
const refusal = { type: 'error', code: 'SERVER', message: expect.stringMatching(/^fake is failing \(circuit open\); retrying after /), retryable: true };

// [fault, the code its error part carries, server requests per failed request (retried ones take every attempt)]
const FAULTS: [fault: string, code: ErrorCode, hitsPerRequest: number][] = [
  ['fault-500', 'SERVER', ATTEMPTS],
  ['fault-429', 'RATE_LIMITED', ATTEMPTS],
  ['fault-reset-mid', 'NETWORK', 1], // text had arrived: never retried
];

describe('a provider failing for good opens its circuit', () => {
  test.each(FAULTS)('%s: errors open it, then requests are refused without reaching the server; a failed probe re-opens it', async (fault, code, hits) => {
    const { breaker, model } = await guarded(fault);
    const before = server.count(fault);
    for (let i = 0; i < CIRCUIT.failures; i += 1) {
      const parts = await collect(model);
      expect(parts.at(-1)).toMatchObject({ type: 'error', code });
      expect(parts.filter((p) => p.type === 'error')).toHaveLength(1);
    }
    expect(server.count(fault)).toBe(before + CIRCUIT.failures * hits);
    expect(breaker.state('fake')).toBe('open');

    expect(await collect(model)).toEqual([refusal]);
    expect(server.count(fault)).toBe(before + CIRCUIT.failures * hits);

    await sleep(CIRCUIT.cooldownMs + 20);
    // Two requests at once after the cool-down: one probe reaches the server, the other is refused at once.
    const [a, b] = await Promise.all([collect(model), collect(model)]);
    const probe = a.length === 1 && a[0]!.type === 'error' && a[0]!.message.includes('circuit open') ? b : a;
    const other = probe === a ? b : a;
    expect(other).toEqual([refusal]);
    expect(probe.at(-1)).toMatchObject({ type: 'error', code });
    expect(server.count(fault)).toBe(before + (CIRCUIT.failures + 1) * hits);
    expect(breaker.state('fake')).toBe('open');
    expect(await collect(model)).toEqual([refusal]);
    expect(server.count(fault)).toBe(before + (CIRCUIT.failures + 1) * hits);
  });
});

describe('a provider that recovers closes its circuit after one good probe', () => {
  test.each(FAULTS)('%s that clears: after the cool-down the probe succeeds and traffic flows again', async (fault, code, hits) => {
    const name = `${fault}-x${CIRCUIT.failures * hits}`;
    const { breaker, model } = await guarded(name);
    for (let i = 0; i < CIRCUIT.failures; i += 1) expect((await collect(model)).at(-1)).toMatchObject({ type: 'error', code });
    expect(breaker.state('fake')).toBe('open');
    expect(await collect(model)).toEqual([refusal]);
    expect(server.count(name)).toBe(CIRCUIT.failures * hits);

    await sleep(CIRCUIT.cooldownMs + 20);
    const probe = await collect(model);
    expect(text(probe)).toBe(FAKE_REPLY.join(''));
    expect(probe.at(-1)).toEqual({ type: 'finish', reason: 'stop' });
    expect(breaker.state('fake')).toBe('closed');
    expect(server.count(name)).toBe(CIRCUIT.failures * hits + 1);
    expect((await collect(model)).at(-1)).toEqual({ type: 'finish', reason: 'stop' });
    expect(server.count(name)).toBe(CIRCUIT.failures * hits + 2);
  });

  test('failures that say nothing about the provider (a prompt too long) never open it', async () => {
    const { breaker, model } = await guarded('fault-context');
    for (let i = 0; i < CIRCUIT.failures + 1; i += 1) expect((await collect(model)).at(-1)).toMatchObject({ type: 'error', code: 'CONTEXT_TOO_LONG' });
    expect(breaker.state('fake')).toBe('closed');
    expect(server.count('fault-context')).toBe(CIRCUIT.failures + 1);
  });
});

describe('the provider queue in front of a real stream', () => {
  test('with one slot, later requests show their place in line, Stop while queued ends one cancelled, and the next streams once the slot frees', async () => {
    const queue = new ProviderQueue({ limits: () => ({ concurrency: 1, requestsPerMinute: 1000 }) });
    queues.push(queue);
    const slow = withQueue(await service.languageModel('fake/slow-test'), 'fake', queue);
    const quick = withQueue(await service.languageModel('fake/gpt-test'), 'fake', queue);
    const quickBefore = server.count('gpt-test');
    const slowBefore = server.count('slow-test');

    const stopSlow = new AbortController();
    const slowParts: StreamPart[] = [];
    const slowDone = collectInto(slow, slowParts, stopSlow.signal);
    await waitUntil(() => slowParts.some((p) => p.type === 'text-delta'), 'the slow answer to start');

    const nextParts: StreamPart[] = [];
    const nextDone = collectInto(quick, nextParts);
    const stopLast = new AbortController();
    const lastParts: StreamPart[] = [];
    const lastDone = collectInto(quick, lastParts, stopLast.signal);
    await waitUntil(() => lastParts.length > 0, 'the last request to be queued');
    expect(nextParts).toEqual([{ type: 'queued', provider: 'fake', position: 1 }]);
    expect(lastParts).toEqual([{ type: 'queued', provider: 'fake', position: 2 }]);

    stopLast.abort();
    await lastDone;
    expect(lastParts).toEqual([{ type: 'queued', provider: 'fake', position: 2 }, { type: 'finish', reason: 'cancelled' }]);
    expect(server.count('gpt-test')).toBe(quickBefore);

    stopSlow.abort();
    await slowDone;
    expect(slowParts.at(-1)).toEqual({ type: 'finish', reason: 'cancelled' });
    await nextDone;
    expect(nextParts[0]).toEqual({ type: 'queued', provider: 'fake', position: 1 });
    expect(text(nextParts)).toBe(FAKE_REPLY.join(''));
    expect(nextParts.at(-1)).toEqual({ type: 'finish', reason: 'stop' });
    expect(server.count('gpt-test')).toBe(quickBefore + 1);
    expect(server.count('slow-test')).toBe(slowBefore + 1);
    expect(queue.stats()).toEqual({});
  });
});

async function collectInto(model: LanguageModel, into: StreamPart[], signal = new AbortController().signal): Promise<void> {
  for await (const part of model.stream({ messages: [{ role: 'user', text: 'Say hello' }], maxTokens: 50 }, { signal })) into.push(part);
}
