/** One pairwise result: `a` against `b`, 1 when a won, 0 when b won, 0.5 a tie. */
export interface Game {
  a: string;
  b: string;
  scoreA: 0 | 0.5 | 1;
}

export interface Rating {
  modelId: string;
  wins: number;
  losses: number;
  ties: number;
  /** Elo scale: 1000 + 400·log10(strength), centred so the mean of all ratings is 1000. */
  rating: number;
  ratingLow: number;
  ratingHigh: number;
}

/**
 * Games against an imaginary average player (strength 1), each a tie, added
 * to every model: a weak prior toward "equal" that keeps a model that won or
 * lost everything finite and makes the information matrix invertible.
 */
const PRIOR_GAMES = 1;
const MAX_ITERATIONS = 10_000;
const TOLERANCE = 1e-10;
const ELO = 400 / Math.LN10;
const Z95 = 1.959964;

/**
 * Bradley–Terry ratings from pairwise games, fitted by the MM algorithm
 * (Hunter 2004): ties count as half a win for each side. The 95% interval
 * comes from the observed Fisher information of the log-strengths (inverted
 * whole, so models compared only through others get wider intervals), for
 * the rating relative to the mean (the scale's zero is arbitrary).
 * Rows are sorted best first.
 */
export function bradleyTerry(games: readonly Game[]): Rating[] {
  const ids = [...new Set(games.flatMap((g) => [g.a, g.b]))].sort();
  const n = ids.length;
  if (n === 0) return [];
  const index = new Map(ids.map((id, i) => [id, i]));
  const wins = new Float64Array(n); // with ties as halves, and the prior's halves
  const pairs = Array.from({ length: n }, () => new Float64Array(n)); // games between i and j
  const counts = ids.map(() => ({ wins: 0, losses: 0, ties: 0 }));
  for (const game of games) {
    const i = index.get(game.a)!;
    const j = index.get(game.b)!;
    if (i === j) continue;
    pairs[i]![j]! += 1;
    pairs[j]![i]! += 1;
    wins[i]! += game.scoreA;
    wins[j]! += 1 - game.scoreA;
    if (game.scoreA === 1) {
      counts[i]!.wins += 1;
      counts[j]!.losses += 1;
    } else if (game.scoreA === 0) {
      counts[j]!.wins += 1;
      counts[i]!.losses += 1;
    } else {
      counts[i]!.ties += 1;
      counts[j]!.ties += 1;
    }
  }
  for (let i = 0; i < n; i += 1) wins[i]! += PRIOR_GAMES / 2;

  let strength = new Float64Array(n).fill(1);
  for (let iteration = 0; iteration < MAX_ITERATIONS; iteration += 1) {
    const next = new Float64Array(n);
    let change = 0;
    for (let i = 0; i < n; i += 1) {
      let denominator = PRIOR_GAMES / (strength[i]! + 1);
      for (let j = 0; j < n; j += 1) if (pairs[i]![j]! > 0) denominator += pairs[i]![j]! / (strength[i]! + strength[j]!);
      next[i] = wins[i]! / denominator;
      change = Math.max(change, Math.abs(Math.log(next[i]!) - Math.log(strength[i]!)));
    }
    strength = next;
    if (change < TOLERANCE) break;
  }

  // Information of the log-strengths: the prior's games tie each model to the fixed average player.
  const information = Array.from({ length: n }, () => new Float64Array(n));
  for (let i = 0; i < n; i += 1) {
    const pi = strength[i]!;
    information[i]![i]! += (PRIOR_GAMES * pi) / (pi + 1) ** 2;
    for (let j = 0; j < n; j += 1) {
      if (i === j || pairs[i]![j]! === 0) continue;
      const pj = strength[j]!;
      const w = (pairs[i]![j]! * pi * pj) / (pi + pj) ** 2;
      information[i]![i]! += w;
      information[i]![j]! -= w;
    }
  }
  // Ratings are centred, so the uncertainty that matters is of θ_i − mean(θ): (C Σ C)_ii with C = I − 11ᵀ/n.
  const covariance = inverse(information);
  let total = 0;
  const rowSums = covariance.map((row) => {
    const sum = row.reduce((acc, x) => acc + x, 0);
    total += sum;
    return sum;
  });
  const variances = covariance.map((row, i) => row[i]! - (2 * rowSums[i]!) / n + total / (n * n));

  const logs = [...strength].map((p) => ELO * Math.log(p));
  const mean = logs.reduce((sum, x) => sum + x, 0) / n;
  return ids
    .map((modelId, i) => {
      const rating = 1000 + logs[i]! - mean;
      const half = Z95 * ELO * Math.sqrt(Math.max(variances[i]!, 0));
      return { modelId, ...counts[i]!, rating, ratingLow: rating - half, ratingHigh: rating + half };
    })
    .sort((x, y) => y.rating - x.rating || x.modelId.localeCompare(y.modelId));
}

/** The inverse of a symmetric positive-definite matrix (Gauss–Jordan; the matrices here are small). */
function inverse(matrix: Float64Array[]): number[][] {
  const n = matrix.length;
  const a = matrix.map((row, i) => {
    const augmented = new Float64Array(2 * n);
    augmented.set(row);
    augmented[n + i] = 1;
    return augmented;
  });
  for (let col = 0; col < n; col += 1) {
    let pivot = col;
    for (let r = col + 1; r < n; r += 1) if (Math.abs(a[r]![col]!) > Math.abs(a[pivot]![col]!)) pivot = r;
    [a[col], a[pivot]] = [a[pivot]!, a[col]!];
    const p = a[col]![col]!;
    if (Math.abs(p) < 1e-300) return matrix.map(() => new Array<number>(n).fill(Infinity));
    for (let k = 0; k < 2 * n; k += 1) a[col]![k]! /= p;
    for (let r = 0; r < n; r += 1) {
      if (r === col) continue;
      const factor = a[r]![col]!;
      if (factor === 0) continue;
      for (let k = 0; k < 2 * n; k += 1) a[r]![k]! -= factor * a[col]![k]!;
    }
  }
  return a.map((row) => [...row.subarray(n)]);
}

/**
 * The games in one outcome: every pair of models it scores (a compare vote,
 * a judge's scores, a lab task's grades); the higher score wins, equal ties.
 */
export function gamesOf(outcomes: Record<string, { score: number }>): Game[] {
  const entries = Object.entries(outcomes);
  const games: Game[] = [];
  for (let i = 0; i < entries.length; i += 1) {
    for (let j = i + 1; j < entries.length; j += 1) {
      const [a, sa] = entries[i]!;
      const [b, sb] = entries[j]!;
      games.push({ a, b, scoreA: sa.score > sb.score ? 1 : sa.score < sb.score ? 0 : 0.5 });
    }
  }
  return games;
}
