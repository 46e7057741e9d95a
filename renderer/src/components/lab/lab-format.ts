import type { LabModelSummary, LabTaskResult } from '../../../../shared/ipc/routes/lab';
import type { LabRunView } from '../../store/lab-run-view';
import { formatCost } from '../../lib/format';

/** What each grader type is called on screen. */
export const GRADER_LABELS: Record<string, string> = {
  exact: 'exact',
  contains: 'contains',
  regex: 'regex',
  'json-schema': 'JSON schema',
  number: 'number',
  judge: 'judge',
};

/** `{ exact: 2, regex: 1 }` → "exact 2 · regex 1". */
export function describeGraders(graders: Record<string, number>): string {
  const parts = Object.entries(graders)
    .filter(([, count]) => count > 0)
    .map(([type, count]) => `${GRADER_LABELS[type] ?? type} ${count}`);
  return parts.length > 0 ? parts.join(' · ') : '—';
}

/** Dollars to four decimals, as the estimate shows them: 0 → "$0.0000". */
export function formatEstimateUsd(usd: number): string {
  return `$${usd.toFixed(4)}`;
}

/** 0.8234 → "82%"; null (the call failed) → "—". */
export function formatScore(score: number | null): string {
  return score === null ? '—' : `${Math.round(score * 100)}%`;
}

/** The first `max` characters of an answer on one line. */
export function excerpt(text: string, max = 160): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * One row per model of the run, in the order the models were chosen: the
 * saved table once the run has one, else worked out from the results so far
 * (peak memory is known only at the end).
 */
export function modelRows(run: LabRunView, kindOf: (modelId: string) => 'local' | 'cloud'): LabModelSummary[] {
  const saved = run.summary?.models ?? [];
  const ids = [...run.modelIds, ...saved.map((m) => m.modelId).filter((id) => !run.modelIds.includes(id))];
  return ids.map((modelId) => {
    const row = saved.find((m) => m.modelId === modelId);
    if (row) return row;
    const results = run.results.filter((r) => r.modelId === modelId);
    const answered = results.filter((r) => r.error === null);
    return {
      modelId,
      kind: kindOf(modelId),
      quality: results.length > 0 ? results.reduce((sum, r) => sum + (r.score ?? 0), 0) / results.length : 0,
      ttftMs: median(answered.flatMap((r) => (r.ttftMs === null ? [] : [r.ttftMs]))),
      tokensPerSecond: median(answered.flatMap((r) => (r.tokensPerSecond === null ? [] : [r.tokensPerSecond]))),
      totalMs: results.reduce((sum, r) => sum + r.totalMs, 0),
      peakMemoryBytes: null,
      costUsd: results.reduce((sum, r) => sum + (r.costUsd ?? 0), 0),
      unpricedCalls: results.filter((r) => r.costUsd === null).length,
      calls: results.length,
      errors: results.filter((r) => r.error !== null).length,
    };
  });
}

export interface TaskGroup {
  taskId: string;
  results: LabTaskResult[];
  errors: number;
  /** Mean score per model over its runs of this task (failed calls count as 0). */
  scores: { modelId: string; score: number }[];
}

/** Results grouped by task, in the order the tasks first appear. */
export function groupByTask(results: readonly LabTaskResult[], modelIds: readonly string[]): TaskGroup[] {
  const groups = new Map<string, LabTaskResult[]>();
  for (const result of results) {
    const list = groups.get(result.taskId);
    if (list) list.push(result);
    else groups.set(result.taskId, [result]);
  }
  return [...groups.entries()].map(([taskId, list]) => {
    const order = (id: string) => {
      const index = modelIds.indexOf(id);
      return index === -1 ? modelIds.length : index;
    };
    const sorted = [...list].sort((a, b) => order(a.modelId) - order(b.modelId) || a.modelId.localeCompare(b.modelId) || a.run - b.run);
    const models = [...new Set(sorted.map((r) => r.modelId))];
    return {
      taskId,
      results: sorted,
      errors: sorted.filter((r) => r.error !== null).length,
      scores: models.map((modelId) => {
        const mine = sorted.filter((r) => r.modelId === modelId);
        return { modelId, score: mine.reduce((sum, r) => sum + (r.score ?? 0), 0) / mine.length };
      }),
    };
  });
}

/** "free" for a local model; the known cost, plus how many calls had an unknown price ("$0.0012 + 3 unpriced"). */
export function costCell(row: Pick<LabModelSummary, 'kind' | 'costUsd' | 'unpricedCalls'>): string {
  const unpriced = row.unpricedCalls ?? 0;
  if (row.kind === 'local' && row.costUsd === 0 && unpriced === 0) return 'free';
  return unpriced > 0 ? `${formatCost(row.costUsd)} + ${unpriced} unpriced` : formatCost(row.costUsd);
}
