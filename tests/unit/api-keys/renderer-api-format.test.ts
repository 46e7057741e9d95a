import { expect, test } from 'vitest';
import { describeKeyLimits, describeToday, isOrigin, parseLimit } from '../../../renderer/src/components/api/api-format';

test('a key\'s limits and today\'s use as the keys table shows them', () => {
  expect(describeKeyLimits({ requestsPerMinute: null, dailyTokens: null, dailyCostUsd: null })).toBe('No limits');
  expect(describeKeyLimits({ requestsPerMinute: 60, dailyTokens: 100_000, dailyCostUsd: 2 })).toBe(`60/min · ${(100_000).toLocaleString()} tokens/day · $2.00/day`);
  expect(describeToday({ requests: 1, tokens: 0, costUsd: 0 })).toBe('1 request · 0 tokens · $0.00');
});

test('the Add key form: blank is no limit, anything else must be a positive (whole) number', () => {
  expect(parseLimit('', true)).toBeNull();
  expect(parseLimit('  ', false)).toBeNull();
  expect(parseLimit('30', true)).toBe(30);
  expect(parseLimit('2.5', false)).toBe(2.5);
  for (const bad of ['2.5', '0', '-1', 'ten']) expect(parseLimit(bad, true)).toBeNaN();
  expect(parseLimit('0', false)).toBeNaN();
});

test('CORS origins: scheme, host and port only', () => {
  for (const good of ['http://localhost:3000', 'https://app.example.com', 'http://localhost:3000/', '*']) expect(isOrigin(good)).toBe(true);
  for (const bad of ['localhost:3000', 'http://localhost:3000/path', 'ftp://x.org', 'not an origin', '']) expect(isOrigin(bad)).toBe(false);
});
