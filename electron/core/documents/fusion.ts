/** A ranked list from one retriever: best first, with its own score scale. */
export interface Ranked<T> {
  key: string;
  item: T;
  score: number;
}

export type FusionMethod = 'rrf' | 'minmax';

/** The constant of reciprocal rank fusion (Cormack et al. 2009). */
export const RRF_K = 60;

/**
 * Reciprocal rank fusion: each list adds 1 / (k + rank) for an item, so only
 * ranks matter and the scales of BM25 and cosine never meet.
 */
export function reciprocalRankFusion<T>(lists: readonly Ranked<T>[][], k = RRF_K): Ranked<T>[] {
  const fused = new Map<string, Fused<T>>();
  for (const list of lists) {
    list.forEach((entry, rank) => {
      const score = 1 / (k + rank + 1);
      const seen = fused.get(entry.key);
      if (seen) {
        seen.score += score;
        seen.lists++;
      } else fused.set(entry.key, { key: entry.key, item: entry.item, score, lists: 1 });
    });
  }
  return sortByScore([...fused.values()]);
}

/**
 * Normalized-score fusion: each list's scores are scaled to 0..1 (min-max)
 * and summed, so a clear winner in one list keeps its margin.
 */
export function minMaxFusion<T>(lists: readonly Ranked<T>[][]): Ranked<T>[] {
  const fused = new Map<string, Fused<T>>();
  for (const list of lists) {
    if (list.length === 0) continue;
    const scores = list.map((e) => e.score);
    const min = Math.min(...scores);
    const range = Math.max(...scores) - min;
    for (const entry of list) {
      const score = range > 0 ? (entry.score - min) / range : 1;
      const seen = fused.get(entry.key);
      if (seen) {
        seen.score += score;
        seen.lists++;
      } else fused.set(entry.key, { key: entry.key, item: entry.item, score, lists: 1 });
    }
  }
  return sortByScore([...fused.values()]);
}

export function fuse<T>(method: FusionMethod, lists: readonly Ranked<T>[][]): Ranked<T>[] {
  return method === 'rrf' ? reciprocalRankFusion(lists) : minMaxFusion(lists);
}

interface Fused<T> extends Ranked<T> {
  /** How many lists found the item: on equal scores, what both retrievers found goes first. */
  lists: number;
}

function sortByScore<T>(entries: Fused<T>[]): Ranked<T>[] {
  return entries
    .sort((a, b) => b.score - a.score || b.lists - a.lists || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map(({ key, item, score }) => ({ key, item, score }));
}
