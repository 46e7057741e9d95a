import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createCore, type Core } from '../../electron/core/app/create-core';
import { CollectingClient } from '../support/collecting-client';
import { requireStoriesModel, sharedModelsDir, storiesModelId } from '../support/paths';
import { TempDirs } from '../support/temp-dir';
import { RecordingLogger } from '../support/test-logger';
import { waitUntil } from '../support/wait';
import { freeLoopbackPort } from '../../electron/core/server/listen';

/**
 * The API's keys in a real core: the standalone server started from
 * settings, keys made over the contract, real HTTP requests through the API
 * handler, limits answered 429 with Retry-After, and the request log.
 */

const temp = new TempDirs();
let core: Core;
let client: CollectingClient;
let dataDir: string;

beforeAll(async () => {
  requireStoriesModel();
  dataDir = await temp.make('tandem-api-keys-');
  core = await createCore({ dataDir, modelsDirs: [sharedModelsDir], mode: 'desktop', version: '0.0.0-test', logger: new RecordingLogger(), gpu: false });
  await core.settings.update({ maxTokens: 16 });
  client = new CollectingClient(core.rpc);
});

afterAll(async () => {
  client?.close();
  await core?.dispose();
  await temp.removeAll();
});


/** Turns the API server on at `port` through settings, as the switch does, and waits until it runs. */
async function enable(port: number): Promise<string> {
  await client.call('settings.update', { api: { ...core.settings.get().api, enabled: true, port } });
  let url: string | null = null;
  await waitUntil(() => {
    const status = core.api.status();
    url = status.running ? status.url : null;
    return url !== null;
  }, 'the API server to start');
  return url as unknown as string;
}

const get = (url: string, secret: string | null) => fetch(`${url}/models`, { headers: secret ? { Authorization: `Bearer ${secret}` } : {} });
const events = () => client.messages.filter((m) => m.type === 'event' && m.event === 'api.changed').length;

describe('API keys through the API server', () => {
  test('the switch starts the server; a key made over the contract works, a wrong one is 401, a revoked one is 401 at once, and the log lists them newest first', async () => {
    expect(await client.call('api.status', {})).toEqual({ running: false, url: null, error: null, mcpUrl: null });
    const port = await freeLoopbackPort();
    const before = events();
    const url = await enable(port);
    expect(url).toBe(`http://127.0.0.1:${port}/v1`);
    expect(await client.call('api.status', {})).toEqual({ running: true, url, error: null, mcpUrl: `http://127.0.0.1:${port}/mcp` });
    expect(events()).toBeGreaterThan(before);

    const { key, secret } = await client.call('apiKeys.add', { name: 'editor' });
    expect(secret).toMatch(/^tdm_[0-9A-Za-z]{32}$/);
    const ok = await get(url, secret);
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { data: { id: string }[] }).data.map((m) => m.id)).toContain(storiesModelId);
    expect((await get(url, `${secret.slice(0, -1)}x`)).status).toBe(401);

    // Rotate and update over the contract: the old secret stops at once, the new one works with the same name.
    const rotated = await client.call('apiKeys.rotate', { id: key.id });
    expect((await get(url, secret)).status).toBe(401);
    expect((await get(url, rotated.secret)).status).toBe(200);
    expect(await client.call('apiKeys.update', { id: key.id, dailyTokens: 5000 })).toMatchObject({ id: key.id, name: 'editor', dailyTokens: 5000, requestsPerMinute: null });
    const listed = await client.call('apiKeys.list', {});
    expect(listed).toHaveLength(1);
    expect(listed[0]?.today.requests).toBe(2);

    await client.call('apiKeys.revoke', { id: key.id });
    const revoked = await get(url, rotated.secret);
    expect(revoked.status).toBe(401);
    expect(((await revoked.json()) as { error: { code: string } }).error.code).toBe('invalid_api_key');

    await core.apiKeys.flush();
    const log = await client.call('api.requests', { limit: 5 });
    expect(log.map((r) => [r.keyName, r.endpoint, r.status])).toEqual([
      [null, 'GET /v1/models', 401],
      ['editor', 'GET /v1/models', 200],
      [null, 'GET /v1/models', 401],
      [null, 'GET /v1/models', 401],
      ['editor', 'GET /v1/models', 200],
    ]);
    expect(await client.call('apiKeys.list', {})).toEqual([]);
  });

  test('a key over its requests per minute gets 429 with Retry-After; a chat answer counts toward the daily token quota', async () => {
    const url = core.api.status().url ?? (await enable(await freeLoopbackPort()));
    const limited = await client.call('apiKeys.add', { name: 'rpm-2', requestsPerMinute: 2 });
    expect((await get(url, limited.secret)).status).toBe(200);
    expect((await get(url, limited.secret)).status).toBe(200);
    const refused = await get(url, limited.secret);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(55);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toContain('2 requests per minute');

    // A request whose prompt and answer cannot fit in what is left is refused before it runs (the quota is never overrun).
    const quota = await client.call('apiKeys.add', { name: 'tokens-5', dailyTokens: 5 });
    const tooBig = await fetch(`${url}/chat/completions`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${quota.secret}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ model: storiesModelId, messages: [{ role: 'user', content: 'Once upon a time, in a land far away, there lived a king' }], max_tokens: 8 }),
    });
    expect(tooBig.status).toBe(429);
    expect(((await tooBig.json()) as { error: { code: string } }).error.code).toBe('quota_exceeded');
    await client.call('apiKeys.update', { id: quota.key.id, dailyTokens: 200 });
    const answer = await fetch(`${url}/chat/completions`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${quota.secret}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ model: storiesModelId, messages: [{ role: 'user', content: 'Once upon a time' }], max_tokens: 8 }),
    });
    expect(answer.status).toBe(200);
    const body = (await answer.json()) as { usage: { total_tokens: number } };
    expect(body.usage.total_tokens).toBeGreaterThan(5);
    const listed = (await client.call('apiKeys.list', {})).find((k) => k.name === 'tokens-5');
    expect(listed?.today).toEqual({ requests: 2, tokens: body.usage.total_tokens, costUsd: 0 });
    expect(listed?.lastUsedAt).not.toBeNull();
    await client.call('apiKeys.update', { id: quota.key.id, dailyTokens: 5 });
    const over = await fetch(`${url}/models`, { headers: { Authorization: `Bearer ${quota.secret}` } });
    expect(over.status).toBe(429);
    const now = new Date();
    const toMidnight = Math.ceil((Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1) - now.getTime()) / 1000);
    expect(Math.abs(Number(over.headers.get('retry-after')) - toMidnight)).toBeLessThanOrEqual(5);

    await core.apiKeys.flush();
    const log = await client.call('api.requests', {});
    expect(log[0]).toMatchObject({ keyName: 'tokens-5', status: 429 });
    expect(log[1]).toMatchObject({ keyName: 'tokens-5', endpoint: 'POST /v1/chat/completions', model: storiesModelId, status: 200, outputTokens: expect.any(Number) });
    expect(log.find((r) => r.keyName === 'rpm-2' && r.status === 429)).toBeDefined();
  });

  test('another port in settings restarts the server there; a port in use is an error in the status; off stops it', async () => {
    const port = await freeLoopbackPort();
    const url = await enable(port);
    expect(url).toBe(`http://127.0.0.1:${port}/v1`);

    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const taken = (blocker.address() as { port: number }).port;
    try {
      await client.call('settings.update', { api: { ...core.settings.get().api, port: taken } });
      await waitUntil(() => core.api.status().error !== null, 'the port-in-use error');
      expect(await client.call('api.status', {})).toMatchObject({ running: false, url: null, error: expect.stringContaining(`Port ${taken} is in use`) });
      await expect(fetch(`${url}/models`)).rejects.toThrow();
    } finally {
      blocker.close();
    }

    await client.call('settings.update', { api: { ...core.settings.get().api, host: '0.0.0.0', port } });
    await waitUntil(() => core.api.status().error !== null && !core.api.status().error?.includes('in use'), 'the remote-host refusal');
    expect(core.api.status()).toMatchObject({ running: false, error: expect.stringContaining('Allow remote connections') });

    await client.call('settings.update', { api: { ...core.settings.get().api, host: '127.0.0.1', enabled: false } });
    await waitUntil(() => core.api.status().error === null, 'the server to settle');
    expect(await client.call('api.status', {})).toEqual({ running: false, url: null, error: null, mcpUrl: null });
  });
});
