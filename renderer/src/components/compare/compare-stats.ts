import type { AnswerStats } from '../../../../shared/ipc/stream-parts';
import { formatCost, formatCount } from '../../lib/format';
import { formatMs } from '../../lib/route-format';

function formatTokensPerSecond(rate: number): string {
  return rate >= 10 ? String(Math.round(rate)) : rate.toFixed(1);
}

/** "TTFT 120 ms · 45 tok/s · 12 → 80 tokens · $0.0004 · stop": what one answer measured, so far. */
export function formatAnswerStats(stats: AnswerStats): string {
  const parts = [`TTFT ${stats.ttftMs === null ? '—' : formatMs(stats.ttftMs)}`];
  parts.push(`${stats.tokensPerSecond === null ? '—' : formatTokensPerSecond(stats.tokensPerSecond)} tok/s`);
  parts.push(`${formatCount(stats.inputTokens)} → ${formatCount(stats.outputTokens)} tokens`);
  parts.push(stats.costUsd === null ? 'cost unknown' : formatCost(stats.costUsd));
  if (stats.finishReason) parts.push(stats.finishReason);
  return parts.join(' · ');
}

/** The stats line's tooltip: the total time too. */
export function describeAnswerStats(stats: AnswerStats): string {
  return [
    `Time to first token: ${stats.ttftMs === null ? 'none yet' : formatMs(stats.ttftMs)}`,
    `Speed: ${stats.tokensPerSecond === null ? 'not measured yet' : `${formatTokensPerSecond(stats.tokensPerSecond)} tokens per second`}`,
    `Tokens: ${formatCount(stats.inputTokens)} in, ${formatCount(stats.outputTokens)} out`,
    `Cost: ${stats.costUsd === null ? 'unknown (no price for this model)' : formatCost(stats.costUsd)}`,
    `Total time: ${formatMs(stats.durationMs)}`,
    `Finished: ${stats.finishReason ?? 'still running'}`,
  ].join('\n');
}
