/**
 * Search latency at N chunks: synthetic rows written through Tandem's
 * IndexStore (create → replace in batches → optimize → ensureVectorIndex, as
 * an index job and the service after it do),
 * then queries through DocumentService.search (keyword,
 * semantic, hybrid with RRF), each query embedded by the real model.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { SearchMode } from '../../shared/ipc/routes/documents';
import type { BenchModel } from './bench-embedder';
import { syntheticQueries, syntheticRows, Vocabulary } from './synthetic-chunks';
import { TandemPipeline } from './tandem-pipeline';

const TARGET_P95_MS = 30;
const WRITE_BATCH = 5_000;
const K = 10;

export function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

export async function runSearchBench(options: { root: string; model: BenchModel; chunks: number; queries: number }): Promise<string[]> {
  const { root, model, chunks } = options;
  console.log(`\n== 3. search: ${chunks} chunks, ${options.queries} queries per mode, k ${K}`);
  const pipeline = new TandemPipeline(join(root, 'tandem-search'), model);
  await pipeline.open();
  const embedder = await pipeline.embedder();
  const dimensions = embedder.identity.dimensions;
  const vocabulary = new Vocabulary(20_000);
  // A collection through the service (an empty folder: the job creates the table, its FTS index and the registry with the embedder)
  const empty = join(root, 'search-empty');
  await mkdir(empty, { recursive: true });
  const { collectionId } = await pipeline.add('search', empty);

  let started = performance.now();
  let genMs = 0;
  for (let from = 0; from < chunks; from += WRITE_BATCH) {
    const g = performance.now();
    const rows = syntheticRows(vocabulary, from, Math.min(WRITE_BATCH, chunks - from), dimensions);
    genMs += performance.now() - g;
    await pipeline.index.replace(collectionId, [], rows);
  }
  const writeS = (performance.now() - started - genMs) / 1000;
  // as after an index job: optimize (compaction, FTS brought up to date), then the service's ANN step
  started = performance.now();
  await pipeline.index.optimize(collectionId);
  const optimizeS = (performance.now() - started) / 1000;
  started = performance.now();
  const index = pipeline.index as typeof pipeline.index & { ensureVectorIndex?: (id: string) => Promise<boolean> };
  if (index.ensureVectorIndex) await index.ensureVectorIndex(collectionId);
  const annS = (performance.now() - started) / 1000;
  const table = await pipeline.index.table(collectionId);
  const indices = await table!.listIndices();
  console.log(
    `build       ${await pipeline.index.count(collectionId)} rows (${dimensions}-d random unit vectors, 80..200 Zipf words each): write ${writeS.toFixed(1)} s in batches of ${WRITE_BATCH}, optimize ${optimizeS.toFixed(1)} s, ANN index ${annS.toFixed(1)} s; indices: ${indices.map((i) => `${i.name} (${i.indexType})`).join(', ')}`,
  );

  const modes: SearchMode[] = ['keyword', 'semantic', 'hybrid'];
  // Each mode gets its own queries: DocumentService caches query vectors, and a first-time question is the case to measure.
  const queries = Object.fromEntries(modes.map((mode, i) => [mode, syntheticQueries(vocabulary, options.queries, 21 + i)])) as Record<SearchMode, string[]>;
  const warm = syntheticQueries(vocabulary, 20, 99);
  for (const mode of modes) for (const q of warm) await pipeline.search({ collectionIds: [collectionId], query: q, k: K, mode });

  // query embedding alone (part of semantic and hybrid)
  const embedMs: number[] = [];
  const plain = await pipeline.plainEmbedder();
  for (const q of syntheticQueries(vocabulary, options.queries, 31)) {
    const s = performance.now();
    await plain.embed([q]);
    embedMs.push(performance.now() - s);
  }
  const lines: string[] = [];
  const report = (label: string, xs: number[]) => `${label.padEnd(26)} p50 ${percentile(xs, 50).toFixed(1).padStart(6)} ms   p95 ${percentile(xs, 95).toFixed(1).padStart(6)} ms`;
  console.log(report('query embedding', embedMs));
  const results: Record<string, number[]> = { keyword: [], semantic: [], hybrid: [] };
  let noHits = 0;
  // modes interleaved query by query, so load from other processes hits them alike
  for (let i = 0; i < options.queries; i++) {
    for (const mode of modes) {
      const s = performance.now();
      const out = await pipeline.search({ collectionIds: [collectionId], query: queries[mode][i]!, k: K, mode });
      results[mode]!.push(performance.now() - s);
      if (out.hits.length === 0) noHits++;
      if (out.mode !== mode || out.notice) throw new Error(`search ran ${out.mode} instead of ${mode}: ${out.notice}`);
    }
  }
  for (const mode of ['keyword', 'semantic', 'hybrid']) {
    const xs = results[mode]!;
    const p95 = percentile(xs, 95);
    const line = `${report(`${mode} (end to end)`, xs)}   target p95 <= ${TARGET_P95_MS} ms ${p95 <= TARGET_P95_MS ? 'MET' : 'MISSED'}`;
    console.log(line);
    lines.push(`search      ${chunks} chunks ${line}`);
  }
  console.log(`            ${noHits} of ${options.queries * 3} searches returned no hits`);
  lines.push(`search      ${chunks} chunks ${report('query embedding alone', embedMs)} (included above in semantic and hybrid)`);
  await pipeline.dispose();
  return lines;
}
