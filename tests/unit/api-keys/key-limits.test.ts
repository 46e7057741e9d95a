import { describe, expect, test } from 'vitest';
import { checkLimits, emptyDay, MinuteWindow, secondsToNextUtcDay, utcDayOf } from '../../../electron/core/server/api-keys/key-limits';

const NOON = Date.parse('2026-03-10T12:00:00.000Z');
const none = { requestsPerMinute: null, dailyTokens: null, dailyCostUsd: null };

describe('MinuteWindow', () => {
  test('is a sliding minute: the limit holds across a minute boundary, and the wait is until the oldest request leaves', () => {
    const window = new MinuteWindow();
    const start = Date.parse('2026-03-10T12:00:59.000Z');
    expect(window.take(start, 3)).toBeNull();
    expect(window.take(start + 100, 3)).toBeNull();
    expect(window.take(start + 200, 3)).toBeNull();
    // A new clock minute has begun, but the three requests were under a minute ago.
    expect(window.take(start + 1500, 3)).toBe(59);
    expect(window.take(start + 59_000, 3)).toBe(1);
    expect(window.take(start + 60_000, 3)).toBeNull();
    expect(window.take(start + 60_050, 3)).toBe(1);
    expect(window.take(start + 60_200, 3)).toBeNull();
  });

  test('a refused request does not count', () => {
    const window = new MinuteWindow();
    expect(window.take(NOON, 1)).toBeNull();
    for (let i = 1; i <= 10; i++) expect(window.take(NOON + i * 1000, 1)).not.toBeNull();
    expect(window.size).toBe(1);
    expect(window.take(NOON + 60_000, 1)).toBeNull();
  });
});

describe('checkLimits', () => {
  test('daily tokens: refused once used up, with Retry-After until 00:00 UTC', () => {
    const today = { ...emptyDay(utcDayOf(NOON)), tokens: 1000 };
    const refusal = checkLimits({ keyName: 'ci', limits: { ...none, dailyTokens: 1000 }, today, window: new MinuteWindow(), now: NOON });
    expect(refusal).toMatchObject({ kind: 'quota', retryAfterSeconds: 12 * 3600 });
    expect(refusal?.message).toContain('"ci"');
    expect(refusal?.message).toContain('1000 tokens');
    expect(checkLimits({ keyName: 'ci', limits: { ...none, dailyTokens: 1001 }, today, window: new MinuteWindow(), now: NOON })).toBeNull();
  });

  test('daily cost: refused once spent, with Retry-After until the next UTC day', () => {
    const now = Date.parse('2026-03-10T23:59:30.000Z');
    const today = { ...emptyDay(utcDayOf(now)), costUsd: 0.5 };
    expect(checkLimits({ keyName: 'ci', limits: { ...none, dailyCostUsd: 0.5 }, today, window: new MinuteWindow(), now })).toMatchObject({ kind: 'quota', retryAfterSeconds: 30 });
    expect(checkLimits({ keyName: 'ci', limits: { ...none, dailyCostUsd: 0.75 }, today, window: new MinuteWindow(), now })).toBeNull();
  });

  test('requests per minute: rate_limit with the seconds until a slot frees', () => {
    const window = new MinuteWindow();
    const limits = { ...none, requestsPerMinute: 2 };
    const today = emptyDay(utcDayOf(NOON));
    expect(checkLimits({ keyName: 'ci', limits, today, window, now: NOON })).toBeNull();
    expect(checkLimits({ keyName: 'ci', limits, today, window, now: NOON + 10_000 })).toBeNull();
    expect(checkLimits({ keyName: 'ci', limits, today, window, now: NOON + 20_000 })).toMatchObject({ kind: 'rate_limit', retryAfterSeconds: 40 });
  });

  test('no limits: always admitted', () => {
    const window = new MinuteWindow();
    const today = { ...emptyDay(utcDayOf(NOON)), tokens: 10 ** 9, costUsd: 10 ** 6 };
    for (let i = 0; i < 500; i++) expect(checkLimits({ keyName: 'ci', limits: none, today, window, now: NOON + i })).toBeNull();
  });
});

test('secondsToNextUtcDay', () => {
  expect(secondsToNextUtcDay(Date.parse('2026-03-10T00:00:00.000Z'))).toBe(86_400);
  expect(secondsToNextUtcDay(Date.parse('2026-03-10T23:59:59.500Z'))).toBe(1);
});
