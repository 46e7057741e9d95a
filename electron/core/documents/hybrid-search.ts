import type { DocumentType, SearchHit, SearchMode } from '../../../shared/ipc/routes/documents';
import type { EmbedderIdentity } from './collection-store';
import { sameIdentity, type Embedder } from './document-embedder';
import { fuse, type FusionMethod, type Ranked } from './fusion';
import type { HitRow, IndexStore, RowRef } from './index-store';
import { compoundExpansions, lexicalRerank, type TermStats } from './lexical-rerank';
import { makeSnippet } from './snippet';

/** Keyword candidates re-scored by the lexical reranker (keyword mode); 20, 30, 50 and 100 measured the same. */
export const RERANK_DEPTH = 30;

/**
 * The fusion hybrid search uses unless told otherwise, chosen by measurement
 * (tests/integration/documents-search.test.ts prints it): on 10 questions
 * about the mixed fixture, with vectors from a random-weight BERT, min-max
 * scored MRR 1.00 (10/10 first) against RRF's 0.95 (9/10), and only min-max
 * keeps the page-3 fact first: RRF sees only ranks, so a chunk that is 2nd by
 * keyword and 1st by (noise) vectors beats a clear keyword winner, while
 * min-max keeps the winner's BM25 margin. RRF stays available (`fusion`).
 */
export const DEFAULT_FUSION: FusionMethod = 'minmax';

export interface SearchTarget {
  collectionId: string;
  /** The vectors in the collection's table; null when it was indexed text-only. */
  embedder: EmbedderIdentity | null;
}

export interface SearchQuery {
  query: string;
  k: number;
  mode: SearchMode;
  types?: readonly DocumentType[];
  pathPrefix?: string;
  fusion?: FusionMethod;
}

export interface SearchOutcome {
  mode: SearchMode;
  hits: SearchHit[];
  notice: string | null;
}

interface Candidate {
  collectionId: string;
  ref: RowRef;
  /** Read with the search (keyword or semantic mode); hybrid reads its winners' rows after fusing. */
  row?: HitRow;
}

/**
 * Keyword (BM25 over the full-text index), semantic (cosine over vectors) or
 * hybrid (both, fused) search over one or more collections. Semantic and
 * hybrid answer keyword results with a notice when no collection has vectors
 * from the current embedding model.
 */
export async function searchCollections(index: IndexStore, embedder: Embedder | null, targets: readonly SearchTarget[], request: SearchQuery): Promise<SearchOutcome> {
  const { k, query } = request;
  const filter = { types: request.types, pathPrefix: request.pathPrefix };
  let mode = request.mode;
  let notice: string | null = null;
  const vectorTargets = embedder ? targets.filter((t) => sameIdentity(t.embedder, embedder.identity)) : [];
  if (mode !== 'keyword' && vectorTargets.length === 0) {
    notice = embedder
      ? `${mode === 'semantic' ? 'Semantic' : 'Hybrid'} search needs the collection re-indexed with ${embedder.identity.modelId}; showing keyword results.`
      : `No embedding model is installed, so ${mode} search is not available; showing keyword results. Add an embedding model (such as a BERT GGUF) and re-index.`;
    mode = 'keyword';
  }
  // Hybrid fuses two lists, so each needs no deeper list than a single retriever to fill k; it was max(4k, 40).
  // Together with late materialization: hybrid p50 26 → 17 ms, p95 37 → 23 ms at 100k chunks (RESULTS-documents.md).
  const depth = Math.max(k * 2, 20);

  // One list (keyword, semantic): one query reads the hit columns. Hybrid: late materialization, the two
  // retrievers read only row ids, chunk ids and scores, and the hit columns are read for the fused winners only
  // (reading them for 2 × depth candidates to keep k was most of a hybrid search's time).
  const late = mode === 'hybrid';
  // Term statistics of the collections (counted once per table version): compounds of the query's words
  // that the collection writes ("logarithmic scaling" → "logscale") join the query at a lower weight.
  // A collection whose statistics cannot be read is searched without them (no expansions; its pairs weigh alike).
  const stats =
    mode === 'semantic' ? [] : (await Promise.all(targets.map((t) => index.termStats(t.collectionId).catch(() => null)))).filter((s): s is TermStats => s !== null);
  const expansions = compoundExpansions(query, stats);
  const keywordList = async (): Promise<Ranked<Candidate>[]> => {
    const lists = await Promise.all(
      targets.map(async (t) => (await keywordSafe(index, t.collectionId, query, depth, filter, late, expansions)).map((c) => ({ collectionId: t.collectionId, ...c }))),
    );
    return toRanked(lists.flat());
  };
  // Keyword mode reads a deeper list and reorders it by how much of the query's phrasing each chunk repeats
  // and whether the query names the chunk's file (lexical-rerank.ts).
  const rerankedKeywordList = async (): Promise<Ranked<Candidate>[]> => {
    const deep = Math.max(depth, RERANK_DEPTH);
    const lists = await Promise.all(
      targets.map(async (t) => (await keywordSafe(index, t.collectionId, query, deep, filter, false, expansions)).map((c) => ({ collectionId: t.collectionId, ...c }))),
    );
    const candidates = lists.flat().map((c) => ({ candidate: c, text: c.row!.text, path: c.row!.path, score: c.ref.score }));
    return lexicalRerank(query, candidates, stats).map(({ item, score }) => ({
      key: `${item.candidate.collectionId}:${item.candidate.ref.id}`,
      item: item.candidate,
      score,
    }));
  };
  const vectorList = async (): Promise<Ranked<Candidate>[]> => {
    const [vector] = await embedder!.embed([query]);
    const search = async (collectionId: string): Promise<{ ref: RowRef; row?: HitRow }[]> =>
      late ? (await index.vectorRefs(collectionId, vector!, depth, filter)).map((ref) => ({ ref })) : index.vectorHits(collectionId, vector!, depth, filter);
    const lists = await Promise.all(vectorTargets.map(async (t) => (await search(t.collectionId)).map((c) => ({ collectionId: t.collectionId, ...c }))));
    return toRanked(lists.flat());
  };

  let ranked: Ranked<Candidate>[];
  if (mode === 'keyword') ranked = await rerankedKeywordList();
  else if (mode === 'semantic') ranked = await vectorList();
  else {
    const [keyword, semantic] = await Promise.all([keywordList(), vectorList()]);
    ranked = fuse(request.fusion ?? DEFAULT_FUSION, [keyword, semantic]);
  }

  const seen = new Set<string>();
  const hits: SearchHit[] = [];
  // Read the best k candidates' rows; more only when duplicates (or rows deleted meanwhile) left fewer than k hits.
  for (let from = 0; from < ranked.length && hits.length < k; ) {
    const slice = ranked.slice(from, from + k - hits.length);
    from += slice.length;
    const rows = await materialize(index, slice);
    for (const { item, score } of slice) {
      const row = item.row ?? rows.get(`${item.collectionId}:${item.ref.id}`);
      if (!row) continue;
      const text = row.text.replace(/\s+/g, ' ').trim();
      // One hit per page: a second chunk of a page already shown adds no new place to look (measured on
      // tests/fixtures/docs-qa, keyword: hit@3 33 → 34 of 52, hit@10 42 → 45, MRR 0.615 → 0.625).
      const place = row.page > 0 ? `${item.collectionId}\0${row.path}\0${row.page}` : null;
      if (seen.has(text) || (place && seen.has(place))) continue;
      seen.add(text);
      if (place) seen.add(place);
      hits.push({
        chunkId: row.id,
        collectionId: item.collectionId,
        path: row.path,
        page: row.page > 0 ? row.page : null,
        headingPath: row.headingPath,
        ...(row.location ? { location: row.location } : {}),
        ...(row.ocr ? { ocr: true } : {}),
        type: row.type,
        snippet: makeSnippet(row.text, query),
        text: row.text,
        score,
        localOnly: row.localOnly,
        charStart: row.charStart,
        charEnd: row.charEnd,
      });
      if (hits.length >= k) break;
    }
  }
  return { mode, hits, notice };
}

function toRanked(candidates: Candidate[]): Ranked<Candidate>[] {
  return candidates
    .sort((a, b) => b.ref.score - a.ref.score)
    .map((c) => ({ key: `${c.collectionId}:${c.ref.id}`, item: c, score: c.ref.score }));
}

/** The rows of `candidates`, keyed `collectionId:chunkId`, read per collection in parallel. */
async function materialize(index: IndexStore, candidates: readonly Ranked<Candidate>[]): Promise<Map<string, HitRow>> {
  const byCollection = new Map<string, RowRef[]>();
  for (const { item } of candidates) if (!item.row) byCollection.set(item.collectionId, [...(byCollection.get(item.collectionId) ?? []), item.ref]);
  const out = new Map<string, HitRow>();
  await Promise.all(
    [...byCollection].map(async ([collectionId, refs]) => {
      for (const [id, row] of await index.rows(collectionId, refs)) out.set(`${collectionId}:${id}`, row);
    }),
  );
  return out;
}

/** Full-text search that never fails on query syntax: a query the parser rejects is retried as plain words. */
async function keywordSafe(
  index: IndexStore,
  collectionId: string,
  query: string,
  limit: number,
  filter: { types?: readonly DocumentType[]; pathPrefix?: string },
  refsOnly: boolean,
  expansions: readonly string[] = [],
): Promise<{ ref: RowRef; row?: HitRow }[]> {
  const search = async (q: string) =>
    refsOnly ? (await index.keywordRefs(collectionId, q, limit, filter, expansions)).map((ref) => ({ ref })) : index.keywordHits(collectionId, q, limit, filter, expansions);
  try {
    return await search(query);
  } catch (error) {
    const words = (query.match(/[\p{L}\p{N}]+/gu) ?? []).join(' ');
    if (!words || words === query) {
      if (!words) return [];
      throw error;
    }
    return search(words);
  }
}
