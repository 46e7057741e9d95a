import { describe, expect, test } from 'vitest';
import { AnswerStatsTracker } from '../../../electron/core/compare/answer-stats';
import { localColumnsFit, localWaitOf } from '../../../electron/core/compare/column-schedule';

const MiB = 1024 * 1024;

describe('scheduling compare columns', () => {
  test('local models fit side by side when their estimated memory together is within the budget', () => {
    const needs = new Map([
      ['a', 300 * MiB],
      ['b', 500 * MiB],
    ]);
    expect(localColumnsFit(needs, 800 * MiB)).toBe(true);
    expect(localColumnsFit(needs, 799 * MiB)).toBe(false);
    expect(localColumnsFit(new Map(), 0)).toBe(true);
  });

  test('a waiting local column waits for its turn when it fits beside the one before it, else for memory', () => {
    expect(localWaitOf(true)).toBe('queue');
    expect(localWaitOf(false)).toBe('memory');
  });
});

describe('answer stats', () => {
  test('time to first token, tokens per second after it, estimated tokens until usage, cost', () => {
    let now = 1000;
    const stats = new AnswerStatsTracker({ inputTokens: 12, local: () => false }, () => now);
    expect(stats.snapshot()).toEqual({ ttftMs: null, tokensPerSecond: null, inputTokens: 12, outputTokens: 0, costUsd: null, durationMs: 0, finishReason: null });
    now = 1200;
    stats.text('abcd');
    now = 1700;
    stats.text('efghijklmnop'); // 16 chars: about 4 tokens, 3 of them in the half second after the first
    expect(stats.snapshot()).toMatchObject({ ttftMs: 200, tokensPerSecond: 6, outputTokens: 4, durationMs: 700 });
    stats.setUsage({ inputTokens: 20, outputTokens: 11, costUsd: 0.002 });
    now = 2000;
    stats.finished('stop');
    // After the end the rate stays the streaming rate (up to the last token), the counts are the usage's.
    expect(stats.snapshot()).toEqual({ ttftMs: 200, tokensPerSecond: 20, inputTokens: 20, outputTokens: 11, costUsd: 0.002, durationMs: 1000, finishReason: 'stop' });
  });

  test('a local model costs nothing', () => {
    const stats = new AnswerStatsTracker({ inputTokens: 1, local: () => true }, () => 0);
    expect(stats.snapshot().costUsd).toBe(0);
  });
});
