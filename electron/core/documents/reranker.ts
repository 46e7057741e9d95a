import type { SearchHit } from '../../../shared/ipc/routes/documents';

/** Candidates the reranker reorders: the first stage's top 30 (a cross-encoder reads each one with the query). */
export const RERANK_CANDIDATES = 30;

/** Scores documents against a query (0..1, higher is more relevant), one per document in order. */
export type RankFunction = (query: string, documents: readonly string[], signal?: AbortSignal) => Promise<number[]>;

/**
 * Reorders the first `RERANK_CANDIDATES` hits by the reranker's score (the
 * rest keep their order after them) and keeps `k`. A hit's score becomes the
 * reranker's; ties keep the first stage's order.
 */
export async function rerankHits(hits: readonly SearchHit[], query: string, rank: RankFunction, k: number, signal?: AbortSignal): Promise<SearchHit[]> {
  const head = hits.slice(0, RERANK_CANDIDATES);
  if (head.length <= 1) return hits.slice(0, k);
  const scores = await rank(query, head.map((h) => h.text), signal);
  if (scores.length !== head.length) throw new Error(`The reranker gave ${scores.length} scores for ${head.length} documents`);
  const reordered = head
    .map((hit, i) => ({ hit: { ...hit, score: scores[i]! }, i }))
    .sort((a, b) => b.hit.score - a.hit.score || a.i - b.i)
    .map((e) => e.hit);
  return [...reordered, ...hits.slice(RERANK_CANDIDATES)].slice(0, k);
}

/** The reranking models a DocumentService can use (the composition root wires the model library and the RerankerService). */
export interface Rerankers {
  /** The model by id; NOT_FOUND when the models folders have no such model. */
  resolve(modelId: string): Promise<{ id: string }>;
  rank(modelId: string, query: string, documents: readonly string[], signal?: AbortSignal): Promise<number[]>;
}
