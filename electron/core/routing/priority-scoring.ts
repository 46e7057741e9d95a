import type { RoutingPriority } from '../../../shared/ipc/routes/routing';

/** What scoring needs of a candidate that passed the hard rules. */
export interface ScoringInput {
  modelId: string;
  /** Predicted quality 0–1. */
  quality: number;
  /** Estimated dollars for this request (0: local or free). */
  costUsd: number;
  /** Expected seconds to a full answer (time to first token + output / tokens per second); null when unknown. */
  expectedSeconds: number | null;
  local: boolean;
}

/** Dollars at which the cost penalty starts to bite: a tenth of a cent per request. */
const COST_UNIT_USD = 0.001;
/** With the cost priority: the cheapest model whose predicted quality is at least this share of the best one's. */
export const COST_QUALITY_BAR = 0.9;

function costPenalty(costUsd: number): number {
  return Math.log2(1 + costUsd / COST_UNIT_USD);
}

function timePenalty(seconds: number | null): number {
  return Math.log2(1 + (seconds ?? 10));
}

/**
 * The score of each candidate at a priority (higher is better):
 *   quality   q − 0.001·cost  (cost breaks ties)
 *   balanced  q − 0.04·log2(1 + cost/$0.001) − 0.01·log2(1 + seconds)
 *   speed     q − 0.1·log2(1 + seconds)
 *   cost      models clearing the bar (90% of the best predicted quality) first, cheapest first; then the rest by quality
 *   privacy   as balanced (the hard rule already kept only local models)
 */
export function scoreCandidates(priority: RoutingPriority, candidates: readonly ScoringInput[]): Map<string, number> {
  const scores = new Map<string, number>();
  const best = Math.max(0, ...candidates.map((c) => c.quality));
  for (const c of candidates) {
    let score: number;
    switch (priority) {
      case 'quality':
        score = c.quality - 0.001 * costPenalty(c.costUsd);
        break;
      case 'speed':
        score = c.quality - 0.1 * timePenalty(c.expectedSeconds);
        break;
      case 'cost':
        // Above the bar, cheaper always wins (score 2 − penalty/100 > any quality); below it, quality decides.
        score = c.quality >= COST_QUALITY_BAR * best ? 2 - costPenalty(c.costUsd) / 100 - 0.0001 * timePenalty(c.expectedSeconds) : c.quality;
        break;
      case 'balanced':
      case 'privacy':
        score = c.quality - 0.04 * costPenalty(c.costUsd) - 0.01 * timePenalty(c.expectedSeconds);
        break;
    }
    scores.set(c.modelId, score);
  }
  return scores;
}

/** Candidates best first at a priority. */
export function rankCandidates<T extends ScoringInput>(priority: RoutingPriority, candidates: readonly T[]): { candidate: T; score: number }[] {
  const scores = scoreCandidates(priority, candidates);
  return candidates
    .map((candidate) => ({ candidate, score: scores.get(candidate.modelId)! }))
    .sort((a, b) => b.score - a.score || a.candidate.costUsd - b.candidate.costUsd || a.candidate.modelId.localeCompare(b.candidate.modelId));
}
