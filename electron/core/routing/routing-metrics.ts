/**
 * RouteLLM's metrics for a router between a weak (cheap) and a strong
 * (accurate) model: sort prompts by how much the router thinks the strong
 * model helps, send the top share to it, and see how much of the quality gap
 * between always-weak and always-strong is recovered at each share.
 */
export interface PairOutcome {
  /** The router's belief that the strong model is worth calling (higher: call it). */
  gain: number;
  weakScore: number;
  strongScore: number;
}

export interface PairMetrics {
  /** Area under performance-gap-recovered over the share of strong calls (0–1); a router that knows nothing scores 0.5. */
  apgr: number;
  /** Share of strong calls needed to recover 50% / 80% of the gap (1 when never reached). */
  strongShareFor50: number;
  strongShareFor80: number;
  weakQuality: number;
  strongQuality: number;
  prompts: number;
  /** PGR at each share of strong calls 0, 0.05 … 1 (for plots). */
  curve: { strongShare: number; pgr: number }[];
}

/**
 * Quality recovered as strong calls are added in the router's order. Ties
 * (prompts the router cannot tell apart) are spread evenly over their group:
 * the expected curve of breaking them at random, so a constant router scores
 * exactly as a random one.
 */
export function pairMetrics(outcomes: readonly PairOutcome[]): PairMetrics {
  const n = outcomes.length;
  const sorted = [...outcomes].sort((a, b) => b.gain - a.gain);
  const weakQuality = n === 0 ? 0 : outcomes.reduce((sum, o) => sum + o.weakScore, 0) / n;
  const strongQuality = n === 0 ? 0 : outcomes.reduce((sum, o) => sum + o.strongScore, 0) / n;
  // cumulative[k]: total improvement over all-weak after k strong calls.
  const cumulative = new Float64Array(n + 1);
  for (let start = 0; start < n; ) {
    let end = start + 1;
    while (end < n && sorted[end]!.gain === sorted[start]!.gain) end++;
    let groupGain = 0;
    for (let i = start; i < end; i++) groupGain += sorted[i]!.strongScore - sorted[i]!.weakScore;
    const each = groupGain / (end - start);
    for (let i = start; i < end; i++) cumulative[i + 1] = cumulative[i]! + each;
    start = end;
  }
  const gap = (strongQuality - weakQuality) * n;
  const pgrAt = (k: number) => (gap === 0 ? 0 : cumulative[k]! / gap);
  let area = 0;
  for (let k = 0; k < n; k++) area += (pgrAt(k) + pgrAt(k + 1)) / 2;
  const apgr = n === 0 ? 0 : area / n;
  const shareFor = (target: number) => {
    for (let k = 1; k <= n; k++) {
      if (pgrAt(k) >= target) {
        const before = pgrAt(k - 1);
        const fraction = pgrAt(k) === before ? 1 : (target - before) / (pgrAt(k) - before);
        return (k - 1 + Math.max(0, Math.min(1, fraction))) / n;
      }
    }
    return 1;
  };
  const curve = Array.from({ length: 21 }, (_, i) => {
    const share = i / 20;
    return { strongShare: share, pgr: pgrAt(Math.round(share * n)) };
  });
  return { apgr, strongShareFor50: shareFor(0.5), strongShareFor80: shareFor(0.8), weakQuality, strongQuality, prompts: n, curve };
}
