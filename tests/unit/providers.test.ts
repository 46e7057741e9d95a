import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { retryAfterMs } from '../../electron/core/providers/error-classifier';
import { providerHealth } from '../../electron/core/providers/health';
import { retryDelayMs } from '../../electron/core/providers/retry';
import { FallbackCipher, FileKeyCipher, maskKey, redact } from '../../electron/core/providers/secret-store';
import { estimatePromptTokens } from '../../electron/core/providers/token-estimate';
import type { RequestRecord } from '../../electron/core/providers/usage-ledger';
import { TempDirs } from '../support/temp-dir';

const temp = new TempDirs();
afterAll(() => temp.removeAll());

describe('retry timing', () => {
  const policy = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1_000 };
  test('backoff grows exponentially with jitter and stays under the cap', () => {
    expect(retryDelayMs(1, policy, null, () => 0)).toBe(50);
    expect(retryDelayMs(1, policy, null, () => 1)).toBe(100);
    expect(retryDelayMs(3, policy, null, () => 1)).toBe(400);
    for (let attempt = 1; attempt < 20; attempt += 1) expect(retryDelayMs(attempt, policy, null)).toBeLessThanOrEqual(1_000);
  });
  test('Retry-After wins over backoff but is capped', () => {
    expect(retryDelayMs(1, policy, 700)).toBe(700);
    expect(retryDelayMs(1, policy, 60_000)).toBe(1_000);
  });
  test('retry-after-ms, Retry-After seconds and an HTTP date are read', () => {
    expect(retryAfterMs(new Headers({ 'retry-after-ms': '250', 'retry-after': '9' }))).toBe(250);
    expect(retryAfterMs(new Headers({ 'retry-after': '2' }))).toBe(2_000);
    expect(retryAfterMs(new Headers({ 'retry-after': new Date(10_000).toUTCString() }), 7_000)).toBe(3_000);
    expect(retryAfterMs(new Headers({}))).toBeNull();
  });
});

describe('secrets', () => {
  test('masking keeps only the prefix and the last four', () => {
    expect(maskKey('sk-proj-abcdefghijklmnop1234')).toBe('sk-…1234');
    expect(maskKey('AIzaSyabcdefghijklmnop9876')).toBe('AI…9876');
    expect(maskKey('short')).toBe('…');
  });
  test('redaction removes known secrets, bearer tokens and key-shaped strings', () => {
    const out = redact('key sk-live-1234567890abcdef and Bearer abc.def and my-token-value-xyz', ['my-token-value-xyz']);
    expect(out).not.toContain('1234567890abcdef');
    expect(out).not.toContain('abc.def');
    expect(out).not.toContain('my-token-value-xyz');
  });
  test('the file cipher round-trips, keeps its key 0600, and rejects tampering', async () => {
    const dir = await temp.make();
    const cipher = new FileKeyCipher(join(dir, 'secret.key'));
    const sealed = await cipher.encrypt('sk-very-secret-value-0000');
    expect(sealed).not.toContain('secret-value');
    expect(await new FileKeyCipher(join(dir, 'secret.key')).decrypt(sealed)).toBe('sk-very-secret-value-0000');
    expect((await readFile(join(dir, 'secret.key'), 'utf8')).length).toBeGreaterThan(40);
    const [head, tag, data] = sealed.split('.');
    const tampered = [head, `${tag![0] === 'A' ? 'B' : 'A'}${tag!.slice(1)}`, data].join('.');
    await expect(cipher.decrypt(tampered)).rejects.toMatchObject({ code: 'STORAGE_FAILED' });
  });
});

describe('health and estimates', () => {
  const record = (latencyMs: number, errorCode: RequestRecord['errorCode'] = null): RequestRecord => ({
    at: new Date().toISOString(),
    provider: 'p',
    model: 'm',
    latencyMs,
    ttftMs: null,
    inputTokens: null,
    outputTokens: null,
    estimatedInputTokens: 1,
    costUsd: null,
    attempts: 1,
    errorCode,
    errorMessage: errorCode,
    finishReason: null,
  });
  test('error rate, p50/p95 of successes and the last error, per provider', () => {
    const records = [...Array.from({ length: 19 }, (_, i) => record(i + 1)), record(999, 'SERVER')];
    const [p, q] = providerHealth(['p', 'q'], records);
    expect(p).toMatchObject({ requests: 20, errorRate: 0.05, latencyP50Ms: 10, latencyP95Ms: 19, lastError: { code: 'SERVER' } });
    expect(q).toMatchObject({ requests: 0, errorRate: 0, latencyP50Ms: null, lastError: null });
  });
  test('the token estimate grows with the prompt', () => {
    const small = estimatePromptTokens([{ role: 'user', text: 'hi' }]);
    expect(estimatePromptTokens([{ role: 'user', text: 'hello world '.repeat(100) }])).toBeGreaterThan(small + 100);
  });
});

describe('FallbackCipher (keychain in the app, key file in serve mode)', () => {
  test('opens keys sealed by either cipher and seals new ones with the primary', async () => {
    const prefixCipher = (tag: string) => ({
      encrypt: async (plain: string) => `${tag}:${plain}`,
      decrypt: async (sealed: string) => {
        if (!sealed.startsWith(`${tag}:`)) throw new Error(`not sealed by ${tag}`);
        return sealed.slice(tag.length + 1);
      },
    });
    const cipher = new FallbackCipher(prefixCipher('keychain'), prefixCipher('file'));
    expect(await cipher.encrypt('sk-1')).toBe('keychain:sk-1');
    expect(await cipher.decrypt('keychain:sk-1')).toBe('sk-1');
    expect(await cipher.decrypt('file:sk-2')).toBe('sk-2');
    await expect(cipher.decrypt('other:sk-3')).rejects.toThrow('not sealed by keychain');
  });
});
