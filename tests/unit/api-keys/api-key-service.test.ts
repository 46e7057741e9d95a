import { appendFile, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { ApiKeyService } from '../../../electron/core/server/api-keys/api-key-service';
import type { ApiRequestRecord } from '../../../electron/core/server/api/api-gate';
import { TempDirs } from '../../support/temp-dir';
import { RecordingLogger } from '../../support/test-logger';

const temp = new TempDirs();
afterAll(() => temp.removeAll());

/** A service on a fresh data dir whose clock the test sets. */
async function service(dir?: string, clock = { now: Date.parse('2026-03-10T12:00:00.000Z') }) {
  const apiDir = dir ?? join(await temp.make('tandem-api-keys-'), 'api');
  const logger = new RecordingLogger();
  const keys = new ApiKeyService({ dir: apiDir, logger, now: () => clock.now });
  await keys.init();
  return { keys, apiDir, clock, logger };
}

function entry(at: number, overrides: Partial<ApiRequestRecord> = {}): ApiRequestRecord {
  return { at: new Date(at).toISOString(), endpoint: 'POST /v1/chat/completions', model: 'stories260K', inputTokens: 10, outputTokens: 5, costUsd: 0, status: 200, durationMs: 12, ...overrides };
}

describe('ApiKeyService', () => {
  test('a key is shown once, stored only as a hash in a 0600 file, and authenticates by its secret', async () => {
    const { keys, apiDir } = await service();
    const { key, secret } = await keys.add({ name: 'editor', requestsPerMinute: 30 });
    expect(secret).toMatch(/^tdm_[0-9A-Za-z]{32}$/);
    expect(key).toMatchObject({ name: 'editor', prefix: secret.slice(0, 8), requestsPerMinute: 30, dailyTokens: null, dailyCostUsd: null, lastUsedAt: null });
    const file = await readFile(join(apiDir, 'keys.json'), 'utf8');
    expect(file).not.toContain(secret);
    expect(file).not.toContain(secret.slice(8));
    expect((await stat(join(apiDir, 'keys.json'))).mode & 0o777).toBe(0o600);
    expect(keys.authenticate(secret)).toEqual({ keyId: key.id, keyName: 'editor' });
    expect(keys.authenticate(`${secret}x`)).toBeNull();
    expect(keys.authenticate(null)).toBeNull();
    expect(keys.authenticate('')).toBeNull();
    await expect(keys.add({ name: 'editor' })).rejects.toMatchObject({ code: 'CONFLICT' });
    // Another process (the app, `tandem api-keys list`) reads the same key without the secret.
    const other = new ApiKeyService({ dir: apiDir });
    await other.init();
    expect(other.list().map((k) => [k.name, k.prefix])).toEqual([['editor', key.prefix]]);
    expect(other.authenticate(secret)?.keyName).toBe('editor');
  });

  test('rotate: the old secret stops at once, the new one works, name and limits stay; revoke: it stops at once', async () => {
    const { keys, apiDir } = await service();
    const first = await keys.add({ name: 'ci', dailyTokens: 500 });
    const rotated = await keys.rotate('ci');
    expect(keys.authenticate(first.secret)).toBeNull();
    expect(keys.authenticate(rotated.secret)).toEqual({ keyId: first.key.id, keyName: 'ci' });
    expect(rotated.key).toMatchObject({ id: first.key.id, name: 'ci', dailyTokens: 500 });
    expect(rotated.key.prefix).toBe(rotated.secret.slice(0, 8));

    // A server process sees a revoke made by another process (`tandem api-keys revoke`) on its next request.
    const server = new ApiKeyService({ dir: apiDir });
    await server.init();
    expect(server.authenticate(rotated.secret)?.keyName).toBe('ci');
    await keys.revoke(first.key.id);
    expect(keys.authenticate(rotated.secret)).toBeNull();
    expect(server.authenticate(rotated.secret)).toBeNull();
    expect(keys.list()).toEqual([]);
    await expect(keys.revoke('ci')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(keys.rotate('nobody')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  test('update changes limits (null clears one, absent keeps it)', async () => {
    const { keys } = await service();
    await keys.add({ name: 'ci', requestsPerMinute: 10, dailyTokens: 100 });
    const updated = await keys.update('ci', { requestsPerMinute: null, dailyCostUsd: 2 });
    expect(updated).toMatchObject({ requestsPerMinute: null, dailyTokens: 100, dailyCostUsd: 2 });
  });

  test('limits: requests per minute, then daily tokens with Retry-After until the next UTC day', async () => {
    const { keys, clock } = await service();
    const { secret } = await keys.add({ name: 'ci', requestsPerMinute: 2, dailyTokens: 40 });
    const caller = keys.authenticate(secret)!;
    expect(keys.admit(caller)).toBeNull();
    keys.record(caller, entry(clock.now));
    expect(keys.admit(caller)).toBeNull();
    keys.record(caller, entry(clock.now));
    expect(keys.admit(caller)).toMatchObject({ kind: 'rate_limit', retryAfterSeconds: 60 });
    clock.now += 61_000;
    expect(keys.admit(caller)).toBeNull();
    keys.record(caller, entry(clock.now, { inputTokens: 20, outputTokens: 0 }));
    // 15 + 15 + 20 = 50 tokens ≥ 40
    expect(keys.list()[0]?.today).toEqual({ requests: 3, tokens: 50, costUsd: 0 });
    const refusal = keys.admit(caller);
    expect(refusal?.kind).toBe('quota');
    expect(refusal?.retryAfterSeconds).toBe(12 * 3600 - 61);
    // The next UTC day the quota is fresh.
    clock.now = Date.parse('2026-03-11T00:00:01.000Z');
    expect(keys.admit(caller)).toBeNull();
    expect(keys.list()[0]?.today).toEqual({ requests: 0, tokens: 0, costUsd: 0 });
  });

  test('daily cost quota', async () => {
    const { keys, clock } = await service();
    const { secret } = await keys.add({ name: 'paid', dailyCostUsd: 0.01 });
    const caller = keys.authenticate(secret)!;
    keys.record(caller, entry(clock.now, { model: 'fake/gpt', costUsd: 0.006 }));
    expect(keys.admit(caller)).toBeNull();
    keys.record(caller, entry(clock.now, { model: 'fake/gpt', costUsd: 0.006 }));
    expect(keys.admit(caller)).toMatchObject({ kind: 'quota', retryAfterSeconds: 12 * 3600 });
  });

  test('the request log rebuilds today\'s use and last-used times at start, skipping a torn last line, and lists newest first', async () => {
    const { keys, apiDir, clock } = await service();
    const a = await keys.add({ name: 'a', dailyTokens: 100 });
    const b = await keys.add({ name: 'b' });
    const callerA = keys.authenticate(a.secret)!;
    const callerB = keys.authenticate(b.secret)!;
    const yesterday = clock.now - 86_400_000;
    keys.record(callerA, entry(yesterday, { inputTokens: 1000 }));
    keys.record(callerA, entry(clock.now - 5000, { inputTokens: 40, outputTokens: 20, costUsd: 0.25 }));
    keys.record(callerB, entry(clock.now - 4000));
    keys.record(null, entry(clock.now - 3000, { status: 401, model: null, inputTokens: 0, outputTokens: 0 }));
    keys.record(callerA, entry(clock.now - 2000, { inputTokens: 30, outputTokens: 10 }));
    await keys.dispose();
    // A crash mid-write leaves half a line.
    await appendFile(join(apiDir, 'requests.jsonl'), '{"at":"2026-03-10T11:59:59.000Z","keyName":"a","keyId":"' + callerA.keyId + '","endpo');

    const { keys: again, logger } = await service(apiDir, clock);
    const listed = Object.fromEntries(again.list().map((k) => [k.name, k]));
    expect(listed.a?.today).toEqual({ requests: 2, tokens: 100, costUsd: 0.25 });
    expect(listed.a?.lastUsedAt).toBe(new Date(clock.now - 2000).toISOString());
    expect(listed.b?.today).toEqual({ requests: 1, tokens: 15, costUsd: 0 });
    expect(logger.lines.some((line) => line.message.includes('damaged'))).toBe(true);
    // 100 tokens used of 100: refused after the restart too.
    expect(again.admit(again.authenticate(a.secret)!)).toMatchObject({ kind: 'quota' });
    const recent = again.requests(10);
    expect(recent.map((r) => [r.keyName, r.status])).toEqual([
      ['a', 200],
      [null, 401],
      ['b', 200],
      ['a', 200],
      ['a', 200],
    ]);
    expect(recent[0]).not.toHaveProperty('keyId');
    // The torn line does not spread: the next entry is on a line of its own and is read back.
    again.record(again.authenticate(b.secret), entry(clock.now));
    await again.dispose();
    const third = (await service(apiDir, clock)).keys;
    expect(third.list().find((k) => k.name === 'b')?.today.requests).toBe(2);
  });

  test('the command-line key works without limits, is never stored or listed', async () => {
    const { keys, apiDir } = await service();
    keys.setCommandLineKey('my-own-key-123');
    expect(keys.authenticate('my-own-key-123')).toEqual({ keyId: 'command-line', keyName: 'command line' });
    expect(keys.admit(keys.authenticate('my-own-key-123')!)).toBeNull();
    expect(keys.list()).toEqual([]);
    await keys.add({ name: 'x' });
    expect(await readFile(join(apiDir, 'keys.json'), 'utf8')).not.toContain('command');
    keys.setCommandLineKey(null);
    expect(keys.authenticate('my-own-key-123')).toBeNull();
  });

  test('a damaged keys.json is kept aside and no key works until one is added', async () => {
    const dir = join(await temp.make('tandem-api-keys-'), 'api');
    const { keys: first } = await service(dir);
    const { secret } = await first.add({ name: 'x' });
    await first.dispose();
    await writeFile(join(dir, 'keys.json'), '{"version": 1, "keys": [{"id": ');
    const { keys, logger } = await service(dir);
    expect(keys.authenticate(secret)).toBeNull();
    expect(keys.list()).toEqual([]);
    expect(logger.lines.some((line) => line.message.includes('kept as'))).toBe(true);
  });

  test('requests in flight hold the daily token quota: the second of two concurrent requests is clamped, a third is refused, and the holds are settled on record', async () => {
    const { keys } = await service();
    const { secret } = await keys.add({ name: 'quota', dailyTokens: 100 });
    const caller = keys.authenticate(secret)!;
    const want = (maxTokens: number) => ({ maxTokens, promptTokens: 10, estimateCostUsd: async () => null });
    expect(keys.admit(caller)).toBeNull();
    const first = await keys.reserve(caller, want(60));
    expect(first).toMatchObject({ maxTokens: 60 });
    expect(keys.inFlight(caller.keyId)).toBe(1);
    // 70 held (10 prompt + 60 answer): 30 left, 10 of them for the prompt.
    const second = await keys.reserve(caller, want(60));
    expect(second).toMatchObject({ maxTokens: 20 });
    const third = await keys.reserve(caller, want(60));
    expect(third).toMatchObject({ kind: 'quota', retryAfterSeconds: 5 });
    // The door sees what is held too.
    expect(keys.admit(caller)).toMatchObject({ kind: 'quota' });
    // Settled: the holds end and the real use counts.
    (first as { release(): void }).release();
    (first as { release(): void }).release();
    keys.record(caller, entry(Date.parse('2026-03-10T12:00:01.000Z'), { inputTokens: 10, outputTokens: 40 }));
    (second as { release(): void }).release();
    keys.record(caller, entry(Date.parse('2026-03-10T12:00:02.000Z'), { inputTokens: 10, outputTokens: 20 }));
    expect(keys.inFlight(caller.keyId)).toBe(0);
    expect(keys.find('quota')?.today.tokens).toBe(80);
    expect(await keys.reserve(caller, want(60))).toMatchObject({ maxTokens: 10 });
  });

  test('a cost quota holds each request\'s estimated cost while it runs', async () => {
    const { keys } = await service();
    const { secret } = await keys.add({ name: 'dollars', dailyCostUsd: 0.01 });
    const caller = keys.authenticate(secret)!;
    const want = { maxTokens: 100, promptTokens: 10, estimateCostUsd: async () => 0.006 };
    const first = await keys.reserve(caller, want);
    expect(first).toMatchObject({ maxTokens: 100 });
    expect(await keys.reserve(caller, want)).toMatchObject({ kind: 'quota' });
    (first as { release(): void }).release();
    expect(await keys.reserve(caller, want)).toMatchObject({ maxTokens: 100 });
  });

  test('requests refused at the door are listed but never written to requests.jsonl', async () => {
    const { keys, apiDir } = await service();
    const at = Date.parse('2026-03-10T12:00:00.000Z');
    for (let i = 0; i < 50; i++) keys.record(null, entry(at, { status: 401, model: null, inputTokens: 0, outputTokens: 0 }), { persist: false });
    const { secret } = await keys.add({ name: 'ok' });
    keys.record(keys.authenticate(secret), entry(at));
    await keys.flush();
    const lines = (await readFile(join(apiDir, 'requests.jsonl'), 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ keyName: 'ok', status: 200 });
    const recent = keys.requests(100);
    expect(recent).toHaveLength(51);
    expect(recent[1]).toMatchObject({ keyName: null, status: 401 });
  });
});
