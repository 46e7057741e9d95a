import type { RouteCandidate } from '../../../shared/ipc/routes/routing';
import { formatCost } from './format';

/** 0.8234 → "82%". */
export function formatQuality(quality: number): string {
  return `${Math.round(quality * 100)}%`;
}

/** 850 → "850 ms", 2300 → "2.3 s"; null → "—". */
export function formatMs(ms: number | null): string {
  if (ms === null) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}

/** Tokens per second, or "—". */
export function formatRate(perSec: number | null): string {
  return perSec === null ? '—' : `${Math.round(perSec)}/s`;
}

/** What one request to a candidate costs: "local", "free" or dollars. */
export function formatCandidateCost(candidate: Pick<RouteCandidate, 'kind' | 'estimatedCostUsd'>): string {
  if (candidate.kind === 'local') return 'local';
  if (candidate.estimatedCostUsd === 0) return 'free';
  return formatCost(candidate.estimatedCostUsd);
}

/** Dollars for charts and cards: two decimals from a cent up, four below. */
export function formatUsd(usd: number): string {
  if (usd === 0) return '$0.00';
  return Math.abs(usd) >= 0.01 ? `$${usd.toFixed(2)}` : formatCost(usd);
}
