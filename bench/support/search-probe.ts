/**
 * Where hybrid search time goes at 100k chunks (the probe behind the search
 * notes in bench/RESULTS-documents.md): IndexStore's keyword/vector calls
 * against LanceDB queries that read only ids/row ids and scores, late
 * materialization (fuse on row ids, then takeRowIds for the top 10), search
 * depth, and IVF_PQ refine/nprobes with recall@10 against exact search.
 *
 *   node bin/run-ts.mjs bench/support/search-probe.ts [dir]
 *
 * Builds the table once in `dir` (default: /tmp/tandem-search-probe, ~2 min
 * on 2 cores) and reuses it on later runs. Recall on random vectors is a worst
 * case (no clusters); real embeddings do much better.
 */
import './quiet-lance';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { IndexStore } from '../../electron/core/documents/index-store';
import { syntheticQueries, syntheticRows, Vocabulary, randomUnitVector, mulberry32 } from './synthetic-chunks';
import { percentile } from './search-bench';
const dir = process.argv[2] ?? '/tmp/tandem-search-probe';
const store = new IndexStore(() => dir);
const vocabulary = new Vocabulary(20_000);
const id = 'probe';
if (!existsSync(join(dir, `chunks_${id}.lance`))) {
  await store.create(id, 128);
  for (let from = 0; from < 100_000; from += 5000) await store.replace(id, [], syntheticRows(vocabulary, from, 5000, 128));
  const s = performance.now();
  await store.optimize(id);
  await store.ensureVectorIndex(id);
  console.log('optimize+ann', ((performance.now() - s) / 1000).toFixed(1));
}
await store.ensureVectorIndex(id);
const table = (await store.table(id))!;
console.log((await table.listIndices()).map((i) => i.indexType), await table.countRows());
const queries = syntheticQueries(vocabulary, 150, 5);
const random = mulberry32(9);
const vectors = queries.map(() => randomUnitVector(random, 128));
const HIT = ['id', 'path', 'type', 'page', 'headingPath', 'ordinal', 'text', 'charStart', 'charEnd', 'contentHash', 'fileHash', 'localOnly'];
const late = async (i: number, depth: number) => {
  const [kw, vec] = await Promise.all([
    table.query().fullTextSearch(queries[i]!).select(['_score']).withRowId().limit(depth).toArray(),
    table.vectorSearch(vectors[i]!).distanceType('cosine').refineFactor(4).select(['_distance']).withRowId().limit(depth).toArray(),
  ]);
  const score = new Map<bigint, number>();
  kw.forEach((r, rank) => score.set(r._rowid, (score.get(r._rowid) ?? 0) + 1 / (61 + rank)));
  vec.forEach((r, rank) => score.set(r._rowid, (score.get(r._rowid) ?? 0) + 1 / (61 + rank)));
  const top = [...score].sort((a, b) => b[1] - a[1]).slice(0, 10).map(([id]) => id);
  return table.takeRowIds(top).select(HIT).toArray();
};
const vq = (i: number, refine: number, nprobes: number | null) => {
  let q = table.vectorSearch(vectors[i]!).distanceType('cosine').refineFactor(refine).select(['id', '_distance']).limit(10);
  if (nprobes) q = q.nprobes(nprobes);
  return q.toArray();
};
const exact = await Promise.all(vectors.map((v) => table.vectorSearch(v).distanceType('cosine').bypassVectorIndex().select(['id']).limit(10).toArray()));
for (const [refine, nprobes] of [[1, null], [2, null], [4, null], [4, 10], [2, 10], [4, 40]] as const) {
  let hit = 0;
  const xs: number[] = [];
  for (let i = 0; i < vectors.length; i++) {
    const s0 = performance.now();
    const got = await vq(i, refine, nprobes);
    xs.push(performance.now() - s0);
    const want = new Set(exact[i]!.map((r) => r.id));
    hit += got.filter((r) => want.has(r.id)).length;
  }
  console.log(`ids top10 refine ${refine} nprobes ${nprobes ?? 'default'}: recall@10 ${(hit / (vectors.length * 10)).toFixed(3)} p50 ${percentile(xs, 50).toFixed(1)} p95 ${percentile(xs, 95).toFixed(1)}`);
}
const cases: [string, (i: number) => Promise<unknown>][] = [
  ['late-mat hybrid 20+20', (i) => late(i, 20)],
  ['hybrid parallel 40+40', (i) => Promise.all([store.keyword(id, queries[i]!, 40, {}), store.vector(id, vectors[i]!, 40, {})])],
];
for (const [, fn] of cases) for (let i = 0; i < 10; i++) await fn(i);
const results = new Map<string, number[]>(cases.map(([n]) => [n, []]));
for (let i = 0; i < queries.length; i++) for (const [name, fn] of cases) { const s = performance.now(); await fn(i); results.get(name)!.push(performance.now() - s); }
for (const [name, xs] of results) console.log(name.padEnd(26), 'p50', percentile(xs, 50).toFixed(1), 'p95', percentile(xs, 95).toFixed(1));
store.dispose();
