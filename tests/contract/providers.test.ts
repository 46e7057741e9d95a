import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createCore, type Core } from '../../electron/core/app/create-core';
import { routeNames } from '../../shared/ipc/contract';
import { FAKE_REPLY, startFakeOpenAI, type FakeOpenAIServer } from '../fixtures/fake-openai-server';
import { CollectingClient } from '../support/collecting-client';
import { TempDirs } from '../support/temp-dir';
import { RecordingLogger } from '../support/test-logger';
import { waitUntil } from '../support/wait';

/** The providers.* routes and chat.send with a cloud model, through the router as a window uses them. */

const KEY = 'sk-fake-live-9f8e7d6c5b4a3210ZZZZ';
const temp = new TempDirs();
const logger = new RecordingLogger();
let server: FakeOpenAIServer;
let core: Core;
let client: CollectingClient;
let dataDir: string;
const outputs: { route: string; result: unknown }[] = [];

async function call<K extends Parameters<CollectingClient['call']>[0]>(route: K, input: Parameters<CollectingClient['call']>[1]) {
  const result = await client.request(route, input);
  outputs.push({ route, result });
  if (!result.ok) throw new Error(`${route}: ${result.error.code}: ${result.error.message}`);
  return result.data as Awaited<ReturnType<CollectingClient['call']>>;
}

beforeAll(async () => {
  server = await startFakeOpenAI({ apiKey: KEY });
  dataDir = await temp.make('tandem-providers-');
  // the user's copy of the pricing table, laid over the bundled one
  await writeFile(join(dataDir, 'pricing.json'), JSON.stringify({ models: { 'fake/gpt-test': { input: 3, output: 15 } } }));
  core = await createCore({ dataDir, mode: 'serve', version: '0.0.0-test', logger, gpu: false, providerRetry: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 20 } });
  client = new CollectingClient(core.rpc);
});

afterAll(async () => {
  client?.close();
  await core?.dispose();
  await server?.close();
  await temp.removeAll();
});

describe('providers routes', () => {
  test('add with a key answers it masked; the file on disk holds no key; the key file is 0600', async () => {
    const added = (await call('providers.add', { name: 'fake', preset: 'custom', baseUrl: server.baseUrl, apiKey: KEY })) as { maskedKey: string; keySource: string };
    expect(added).toMatchObject({ maskedKey: 'sk-…ZZZZ', keySource: 'stored' });
    const onDisk = await readFile(join(dataDir, 'providers.json'), 'utf8');
    expect(onDisk).toContain('"fake"');
    expect(onDisk).not.toContain(KEY);
    expect(onDisk).not.toContain(KEY.slice(3, 20));
    expect((await stat(join(dataDir, 'secret.key'))).mode & 0o777).toBe(0o600);
  });

  test('presets cover the issue list; list, update, models, test and health answer without the key', async () => {
    const presets = (await call('providers.presets', {})) as { id: string; apiKeyEnv: string | null }[];
    expect(presets.map((p) => p.id)).toEqual(expect.arrayContaining(['openai', 'anthropic', 'gemini', 'xai', 'qwen', 'openrouter', 'ollama', 'custom']));
    expect(presets.find((p) => p.id === 'anthropic')?.apiKeyEnv).toBe('ANTHROPIC_API_KEY');
    expect(await call('providers.list', {})).toHaveLength(1);
    await call('providers.update', { name: 'fake', headers: { 'x-team': 'tandem' } });
    const tested = (await call('providers.test', { name: 'fake' })) as { models: { id: string; contextWindow: number | null; pricing: unknown }[] };
    expect(tested.models.find((m) => m.id === 'fake/gpt-test')).toMatchObject({ contextWindow: 8192, pricing: { inputPerMillion: 3, outputPerMillion: 15 } });
    expect(await call('providers.models', { name: 'fake' })).toHaveLength(2);
    await call('providers.health', {});
  });

  test('a wrong key fails providers.test with AUTH; the echoed key is redacted everywhere', async () => {
    await call('providers.add', { name: 'bad', preset: 'custom', baseUrl: server.baseUrl, apiKey: 'sk-bad-key-000011112222333344' });
    const result = await client.request('providers.test', { name: 'bad' });
    outputs.push({ route: 'providers.test', result });
    expect(result).toMatchObject({ ok: false, error: { code: 'AUTH' } });
    expect(JSON.stringify(result)).not.toContain('sk-bad-key-000011112222333344');
    await call('providers.setKey', { name: 'bad', apiKey: null });
    await call('providers.remove', { name: 'bad' });
  });
});

describe('chat with a cloud model', () => {
  test('chat.send with fake/gpt-test streams the answer and saves it with usage and cost', async () => {
    const chat = await client.call('chats.create', { title: 'cloud' });
    const started = await client.call('chat.send', { chatId: chat.id, text: 'Say hello', modelId: 'fake/gpt-test' });
    const view = await client.waitForEnd(started.streamId);
    expect(view.end?.status).toBe('completed');
    expect(view.parts.map((p) => (p.type === 'text-delta' ? p.text : '')).join('')).toBe(FAKE_REPLY.join(''));
    const saved = (await client.call('chats.get', { chatId: chat.id })).messages.at(-1)!;
    expect(saved).toMatchObject({ role: 'assistant', status: 'complete', modelId: 'fake/gpt-test', finishReason: 'stop', text: FAKE_REPLY.join('') });
    const usage = saved.usage!;
    expect(usage.outputTokens).toBe(FAKE_REPLY.length);
    expect(usage.costUsd).toBeCloseTo((usage.inputTokens * 3 + usage.outputTokens * 15) / 1e6, 12);
    const health = (await call('providers.health', {})) as { provider: string; requests: number }[];
    expect(health.find((h) => h.provider === 'fake')?.requests).toBe(1);
  });

  test('a provider error ends the turn with its code, saved on the message', async () => {
    const chat = await client.call('chats.create', { title: 'rate limited' });
    const started = await client.call('chat.send', { chatId: chat.id, text: 'Hi', modelId: 'fake/fault-429' });
    const view = await client.waitForEnd(started.streamId);
    expect(view.parts.at(-1)).toMatchObject({ type: 'error', code: 'RATE_LIMITED', retryable: true });
    expect(server.count('fault-429')).toBe(2);
    const saved = (await client.call('chats.get', { chatId: chat.id })).messages.at(-1)!;
    expect(saved).toMatchObject({ status: 'error', error: { code: 'RATE_LIMITED' } });
  });

  test('a 429 that clears reaches the client as a retry part before the text, and only the text is saved', async () => {
    const chat = await client.call('chats.create', { title: 'retried' });
    const started = await client.call('chat.send', { chatId: chat.id, text: 'Hi', modelId: 'fake/fault-429-x1' });
    const view = await client.waitForEnd(started.streamId);
    expect(view.end?.status).toBe('completed');
    expect(view.parts[0]).toEqual({ type: 'retry', attempt: 2, maxAttempts: 2, delayMs: 20, code: 'RATE_LIMITED', message: expect.stringContaining('rate limiting') });
    expect(view.parts.filter((p) => p.type === 'retry')).toHaveLength(1);
    expect(view.parts.map((p) => (p.type === 'text-delta' ? p.text : '')).join('')).toBe(FAKE_REPLY.join(''));
    const saved = (await client.call('chats.get', { chatId: chat.id })).messages.at(-1)!;
    expect(saved).toMatchObject({ status: 'complete', text: FAKE_REPLY.join(''), error: null });
  });

  test('stream.cancel stops the HTTP request: the server sees the connection closed', async () => {
    const chat = await client.call('chats.create', { title: 'stop' });
    const started = await client.call('chat.send', { chatId: chat.id, text: 'Go on', modelId: 'fake/slow-test' });
    await waitUntil(() => client.stream(started.streamId).parts.some((p) => p.type === 'text-delta'), 'the first delta', 5_000);
    expect(await client.call('stream.cancel', { streamId: started.streamId })).toEqual({ cancelled: true });
    const view = await client.waitForEnd(started.streamId);
    expect(view.end?.status).toBe('cancelled');
    await waitUntil(() => server.closedEarly.includes('slow-test'), 'the server to see the connection closed', 3_000);
  });

  test('no route output, stream message or log line ever carried a key', async () => {
    for (const route of routeNames.filter((r) => r.startsWith('providers.'))) {
      expect(outputs.some((o) => o.route === route), `${route} was called`).toBe(true);
    }
    const everything = JSON.stringify(outputs) + JSON.stringify(client.messages) + JSON.stringify(logger.lines);
    expect(everything).not.toContain(KEY);
    expect(everything).not.toContain('sk-bad-key-000011112222333344');
  });
});
