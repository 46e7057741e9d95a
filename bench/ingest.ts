/**
 * Documents: ingest, rescan and search through Tandem against a naive pipeline.
 *
 *   npm run bench:ingest [-- --files N] [--rescan-files N] [--search-chunks N]
 *                        [--queries N] [--rounds N] [--width N] [--blocks N]
 *                        [--threads auto|N] [--only ingest,rescan,search] [--keep]
 *
 * One embedder for everything: a generated BERT encoder (random F32 weights,
 * tests/fixtures/gguf-writer.ts), width 128, 2 blocks unless told otherwise.
 *
 * 1. ingest  A generated corpus (tests/fixtures/documents/corpus.ts: ~70%
 *            Markdown, 15% PDF, 15% docx) indexed by Tandem (collection +
 *            index job: scan, parse, chunk, embed, LanceDB, FTS/ANN index)
 *            and by the naive pipeline (bench/support/naive-ingest.ts:
 *            LangChain-style loaders, RecursiveCharacterTextSplitter with the
 *            same chunk size in characters, getEmbeddingFor one text at a time,
 *            LanceDB table.add per file), fresh data dirs, order alternating
 *            by round. Then embedding-only: Tandem's own chunk texts embedded
 *            again through the same embedder and batch path, nothing else.
 *            Targets: naive/Tandem >= 2; Tandem/embedding-only <= 1.25.
 * 2. rescan  --rescan-files small Markdown files indexed once, then rescans
 *            with nothing changed (target <= 2 s) and with one file changed
 *            (target <= 1 s).
 * 3. search  --search-chunks synthetic rows (Zipf text, random unit vectors
 *            of the embedder's width; real embeddings for 100k chunks take
 *            too long) written through Tandem's IndexStore and indexed as its
 *            optimize() does (FTS; ANN over 50k rows); --queries queries, each
 *            embedded by the real model; p50/p95 of keyword, semantic and
 *            hybrid (target p95 <= 30 ms).
 */
import './support/quiet-lance';
import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { scanSource } from '../electron/core/documents/scanner';
import { cpuCount } from '../electron/core/models/threads';
import { openRawEmbedder, writeBenchModel, type BenchModel } from './support/bench-embedder';
import { naiveIngest, type NaiveResult } from './support/naive-ingest';
import { touchSmallFile, writeSmallFiles } from './support/small-files';
import { runSearchBench } from './support/search-bench';
import { TandemPipeline, type JobOutcome } from './support/tandem-pipeline';

const TARGET_SPEEDUP = 2;
const TARGET_EMBED_OVERHEAD = 1.25;
const TARGET_RESCAN_S = 2;
const TARGET_ONE_CHANGE_S = 1;

const { values } = parseArgs({
  options: {
    files: { type: 'string', default: '1000' },
    'rescan-files': { type: 'string', default: '10000' },
    'search-chunks': { type: 'string', default: '100000' },
    queries: { type: 'string', default: '200' },
    rounds: { type: 'string', default: '1' },
    width: { type: 'string', default: '128' },
    blocks: { type: 'string', default: '2' },
    threads: { type: 'string', default: 'auto' },
    only: { type: 'string', default: 'ingest,rescan,search' },
    keep: { type: 'boolean', default: false },
  },
});
const sections = new Set(values.only.split(',').map((s) => s.trim()));
const fmt = (x: number, digits = 2) => x.toFixed(digits);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const verdict = (ok: boolean) => (ok ? 'MET' : 'MISSED');

const root = await mkdtemp(join(tmpdir(), 'tandem-bench-ingest-'));
const model = await writeBenchModel(root, { width: Number(values.width), blocks: Number(values.blocks), context: 1024 }, values.threads === 'auto' ? 'auto' : Number(values.threads));
console.log(`date        ${new Date().toISOString()}`);
console.log(`machine     ${cpuCount()} cores (os reports), node ${process.version}`);
console.log(`model       ${model.describe}`);
const summary: string[] = [];

try {
  if (sections.has('ingest')) await ingestSection(model);
  if (sections.has('rescan')) await rescanSection(model);
  if (sections.has('search')) summary.push(...(await runSearchBench({ root, model, chunks: Number(values['search-chunks']), queries: Number(values.queries) })));
} finally {
  if (!values.keep) await rm(root, { recursive: true, force: true });
  else console.log(`kept        ${root}`);
}
console.log('\n== summary');
for (const line of summary) console.log(line);

// ---------------------------------------------------------------- ingest

async function writeBenchCorpus(dir: string, files: number): Promise<void> {
  const { writeCorpus } = (await import('../tests/fixtures/documents/corpus')) as {
    writeCorpus: (dir: string, options: { files: number }) => Promise<unknown>;
  };
  await writeCorpus(dir, { files });
}

async function describeCorpus(dir: string): Promise<string> {
  const counts = new Map<string, number>();
  let bytes = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const ext = extname(entry.name).toLowerCase() || '(none)';
    counts.set(ext, (counts.get(ext) ?? 0) + 1);
    bytes += (await stat(join(entry.parentPath, entry.name))).size;
  }
  return `${[...counts].map(([ext, n]) => `${n} ${ext}`).join(', ')}; ${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** Characters per token of the model on the corpus text, to give the naive splitter Tandem's chunk size in characters. */
async function charsPerToken(pipeline: TandemPipeline, sample: string[]): Promise<number> {
  const embedder = await pipeline.embedder();
  const text = sample.join('\n\n');
  return text.length / Math.max(1, embedder.countTokens(text));
}

async function ingestSection(model: BenchModel): Promise<void> {
  const { CHUNK_TOKENS, CHUNK_OVERLAP_TOKENS } = await import('../electron/core/documents/index-pipeline');
  const files = Number(values.files);
  const rounds = Math.max(1, Number(values.rounds));
  console.log(`\n== 1. ingest: ${files} files, ${rounds} round(s)`);
  const corpus = join(root, 'corpus');
  const started = performance.now();
  await writeBenchCorpus(corpus, files);
  console.log(`corpus      ${await describeCorpus(corpus)} (written in ${fmt((performance.now() - started) / 1000, 1)} s)`);
  const warmCorpus = join(root, 'warm-corpus');
  await writeBenchCorpus(warmCorpus, 20);

  const raw = await openRawEmbedder(model);
  let run = 0;
  const freshTandem = async () => {
    const pipeline = new TandemPipeline(join(root, `tandem-${run++}`), model);
    await pipeline.open();
    return pipeline;
  };

  // Tandem's chunk size in characters on this corpus, for the naive splitter.
  const probe = await freshTandem();
  const sampleTexts: string[] = [];
  for (const entry of (await readdir(corpus, { withFileTypes: true, recursive: true })).filter((e) => e.isFile() && e.name.endsWith('.md')).slice(0, 20)) {
    sampleTexts.push(await (await import('node:fs/promises')).readFile(join(entry.parentPath, entry.name), 'utf8'));
  }
  const cpt = await charsPerToken(probe, sampleTexts);
  await probe.dispose();
  const chunkSize = Math.round(CHUNK_TOKENS * cpt);
  const chunkOverlap = Math.round(CHUNK_OVERLAP_TOKENS * cpt);
  console.log(`chunking    Tandem ${CHUNK_TOKENS} tokens / overlap ${CHUNK_OVERLAP_TOKENS} (model tokenizer); ${fmt(cpt)} chars/token on the Markdown -> naive RecursiveCharacterTextSplitter chunkSize ${chunkSize}, overlap ${chunkOverlap} chars`);

  const runTandem = async (folder: string): Promise<{ outcome: JobOutcome; pipeline: TandemPipeline; collectionId: string }> => {
    const pipeline = await freshTandem();
    await pipeline.embedder(); // model load is not ingest (the naive side loads its model before timing too)
    const { collectionId, outcome } = await pipeline.add(`bench ${run}`, folder);
    return { outcome, pipeline, collectionId };
  };
  const runNaive = (folder: string): Promise<NaiveResult> => naiveIngest(folder, { chunkSize, chunkOverlap, embedder: raw.context, dbDir: join(root, `naive-${run++}`) });

  // warm-up: pdf.js, mammoth, LanceDB and both model copies
  {
    const t = await runTandem(warmCorpus);
    await t.pipeline.dispose();
    await runNaive(warmCorpus);
  }

  const tandemRuns: JobOutcome[] = [];
  const naiveRuns: NaiveResult[] = [];
  let last: { pipeline: TandemPipeline; collectionId: string } | null = null;
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? ['naive', 'tandem'] : ['tandem', 'naive'];
    for (const which of order) {
      if (which === 'naive') {
        const r = await runNaive(corpus);
        naiveRuns.push(r);
        console.log(`naive   r${round + 1} ${r.files} files, ${r.chunks} chunks, ${r.failed} failed, ${fmt(r.seconds)} s (load+split ${fmt(r.parseSeconds)}, embed ${fmt(r.embedSeconds)}, table.add ${fmt(r.storeSeconds)})`);
        if (r.firstError) console.log(`        first failure: ${r.firstError}`);
      } else {
        await last?.pipeline.dispose();
        const t = await runTandem(corpus);
        last = t;
        tandemRuns.push(t.outcome);
        const o = t.outcome;
        console.log(`tandem  r${round + 1} ${o.files} files, ${o.chunks} chunks, ${o.failed} failed, ${fmt(o.seconds)} s (in embed ${fmt(o.embedSeconds)}, IndexStore.replace ${fmt(o.writeSeconds)}, optimize ${fmt(o.optimizeSeconds)}, rest: scan/hash/parse/chunk/registry not overlapped with embedding ${fmt(o.seconds - o.embedSeconds - o.writeSeconds - o.optimizeSeconds)})`);
        if (o.firstFailure) console.log(`        first failure: ${o.firstFailure}`);
      }
    }
  }

  // embedding-only: Tandem's chunk texts, grouped per file as the job embeds them, same embedder and batch path
  const { pipeline, collectionId } = last!;
  const table = await pipeline.index.table(collectionId);
  const rows = (await table!.query().select(['path', 'ordinal', 'text']).toArray()) as { path: string; ordinal: number; text: string }[];
  const byFile = new Map<string, { ordinal: number; text: string }[]>();
  for (const r of rows) byFile.set(String(r.path), [...(byFile.get(String(r.path)) ?? []), { ordinal: Number(r.ordinal), text: String(r.text) }]);
  const groups = [...byFile.values()].map((g) => g.sort((a, b) => a.ordinal - b.ordinal).map((c) => c.text));
  const embedder = await pipeline.plainEmbedder();
  const embedStarted = performance.now();
  for (const texts of groups) await embedder.embed(texts);
  const embedOnly = (performance.now() - embedStarted) / 1000;
  await pipeline.dispose();
  await raw.dispose();

  const tandemS = median(tandemRuns.map((r) => r.seconds));
  const naiveS = median(naiveRuns.map((r) => r.seconds));
  const speedup = naiveS / tandemS;
  const overhead = tandemS / embedOnly;
  console.log(`embed-only ${rows.length} chunk texts of Tandem's, ${groups.length} files' batches: ${fmt(embedOnly)} s`);
  summary.push(
    `ingest      ${files} files | naive ${naiveRuns[0]!.chunks} chunks ${fmt(naiveS)} s | Tandem ${tandemRuns[0]!.chunks} chunks ${fmt(tandemS)} s | naive/Tandem ${fmt(speedup)} (target >= ${TARGET_SPEEDUP}) ${verdict(speedup >= TARGET_SPEEDUP)}`,
    `embed-only  ${rows.length} chunks ${fmt(embedOnly)} s | Tandem/embedding-only ${fmt(overhead)} (target <= ${TARGET_EMBED_OVERHEAD}) ${verdict(overhead <= TARGET_EMBED_OVERHEAD)}`,
  );
}

// ---------------------------------------------------------------- rescan

async function rescanSection(model: BenchModel): Promise<void> {
  const count = Number(values['rescan-files']);
  console.log(`\n== 2. rescan: ${count} small Markdown files`);
  const folder = join(root, 'rescan-corpus');
  await mkdir(folder, { recursive: true });
  await writeSmallFiles(folder, count);
  const pipeline = new TandemPipeline(join(root, 'tandem-rescan'), model);
  await pipeline.open();
  await pipeline.embedder();
  const { collectionId, outcome: first } = await pipeline.add('rescan', folder);
  console.log(`first index ${first.files} files, ${first.chunks} chunks, ${fmt(first.seconds, 1)} s`);

  const scanTimes: number[] = [];
  for (let i = 0; i < 3; i++) {
    const s = performance.now();
    await scanSource({ path: folder, kind: 'folder' }, { ignore: [], maxFileBytes: 64 * 1024 * 1024 });
    scanTimes.push((performance.now() - s) / 1000);
  }
  const unchanged: JobOutcome[] = [];
  for (let i = 0; i < 3; i++) unchanged.push(await pipeline.rescan(collectionId));
  const oneChange: JobOutcome[] = [];
  for (let i = 0; i < 3; i++) {
    await touchSmallFile(folder, Math.floor(count / 2) + i, i + 1);
    oneChange.push(await pipeline.rescan(collectionId));
  }
  await pipeline.dispose();
  console.log(`scan only   ${scanTimes.map((t) => fmt(t, 3)).join(', ')} s (scanner alone, same folder)`);
  const parts = (r: JobOutcome) => `embed ${fmt(r.embedSeconds, 3)}, replace ${fmt(r.writeSeconds, 3)}, optimize ${fmt(r.optimizeSeconds, 3)}`;
  console.log(`unchanged   ${unchanged.map((r) => `${fmt(r.seconds, 3)} s (${r.files} re-indexed; ${parts(r)})`).join('; ')}`);
  console.log(`one changed ${oneChange.map((r) => `${fmt(r.seconds, 3)} s (${r.files} re-indexed, ${r.chunks} chunks; ${parts(r)})`).join('; ')}`);
  const u = median(unchanged.map((r) => r.seconds));
  const c = median(oneChange.map((r) => r.seconds));
  summary.push(
    `rescan      ${count} files unchanged: median ${fmt(u, 3)} s (target <= ${TARGET_RESCAN_S}) ${verdict(u <= TARGET_RESCAN_S)} | one changed: median ${fmt(c, 3)} s (target <= ${TARGET_ONE_CHANGE_S}) ${verdict(c <= TARGET_ONE_CHANGE_S)} | first index ${fmt(first.seconds, 1)} s`,
  );
}
