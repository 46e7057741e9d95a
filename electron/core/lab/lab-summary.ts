import type { LabModelSummary, LabTaskResult } from '../../../shared/ipc/routes/lab';

/**
 * The results table's row for each model, in the order the models were
 * chosen: mean quality (failed calls count as 0), median time to first token
 * and tokens/s over calls that produced text, summed time and cost, calls and
 * errors. Calls whose cloud price is unknown add nothing to `costUsd` and
 * are counted in `unpricedCalls`. `peakMemoryBytes` comes from sampling while the model ran (null for
 * cloud models or when nothing was seen).
 */
export function summariseModels(
  modelIds: readonly string[],
  results: readonly LabTaskResult[],
  kindOf: (modelId: string) => 'local' | 'cloud',
  peakMemoryBytes: (modelId: string) => number | null,
): LabModelSummary[] {
  return modelIds.map((modelId) => {
    const mine = results.filter((r) => r.modelId === modelId);
    const kind = kindOf(modelId);
    const quality = mine.length === 0 ? 0 : mine.reduce((sum, r) => sum + (r.score ?? 0), 0) / mine.length;
    return {
      modelId,
      kind,
      quality: clamp01(quality),
      ttftMs: median(mine.flatMap((r) => (r.ttftMs === null ? [] : [r.ttftMs]))),
      tokensPerSecond: median(mine.flatMap((r) => (r.tokensPerSecond === null ? [] : [r.tokensPerSecond]))),
      totalMs: mine.reduce((sum, r) => sum + r.totalMs, 0),
      peakMemoryBytes: kind === 'local' ? peakMemoryBytes(modelId) : null,
      costUsd: mine.reduce((sum, r) => sum + (r.costUsd ?? 0), 0),
      unpricedCalls: mine.filter((r) => r.costUsd === null).length,
      calls: mine.length,
      errors: mine.filter((r) => r.error !== null).length,
    };
  });
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function clamp01(value: number): number {
  return Math.min(1, Math.max(0, value));
}
