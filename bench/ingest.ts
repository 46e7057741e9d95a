/**
 * Documents: ingest, rescan and search through Tandem against a naive pipeline.
 *
 *   npm run bench:ingest [-- --files N] [--rescan-files N] [--search-chunks N]
 *                        [--queries N] [--rounds N] [--width N] [--blocks N]
 *                        [--threads auto|N] [--only ingest,rescan,search,formats,ocr] [--keep]
 *                        [--format-files N] [--ocr-pages N]
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
 *            index job and the service do (FTS; ANN past its row threshold); --queries queries, each
 *            embedded by the real model; p50/p95 of keyword, semantic and
 *            hybrid (target p95 <= 30 ms).
 * 4. formats pptx, xlsx, ods, odt, epub, eml, mbox files/s (parse + chunk) against the
 *            same text as Markdown (bench/support/formats-bench.ts).
 * 5. ocr     OCR pages/s of a scanned PDF through Tandem against tesseract.js alone on the
 *            same page images; word recall; main-thread event-loop delay meanwhile.
 */
import './support/quiet-lance';
import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { chunkDocument } from '../electron/core/documents/chunker';
import type { Embedder } from '../electron/core/documents/document-embedder';
import { parseFile } from '../electron/core/documents/parsers/parse-file';
import { scanSource } from '../electron/core/documents/scanner';
import { cpuCount } from '../electron/core/models/threads';
import { msPerText, openRawEmbedder, writeBenchModel, type BenchModel } from './support/bench-embedder';
import { naiveIngest, type NaiveResult } from './support/naive-ingest';
import { touchSmallFile, writeSmallFiles } from './support/small-files';
import { runSearchBench } from './support/search-bench';
import { runFormatsBench, runOcrBench } from './support/formats-bench';
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
    only: { type: 'string', default: 'ingest,rescan,search,formats,ocr' },
    'format-files': { type: 'string', default: '100' },
    'ocr-pages': { type: 'string', default: '6' },
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
  if (sections.has('formats')) summary.push(...(await runFormatsBench({ root, files: Number(values['format-files']), rounds: Math.max(1, Number(values.rounds)) })));
  if (sections.has('ocr')) summary.push(...(await runOcrBench({ root, pages: Number(values['ocr-pages']) })));
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

async function ingestSection(model: BenchModel): Promise<void> {
  const { CHUNK_TOKENS, CHUNK_OVERLAP_TOKENS } = await import('../electron/core/documents/index-pipeline');
  const files = Number(values.files);
  const rounds = Math.max(1, Number(values.rounds));
  console.log(`\n== 1. ingest: ${files} files, ${rounds} round(s) of naive / Tandem / embedding-only, order rotated each round`);
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

  // Tandem's chunk texts, made by its own scanner, parsers and chunker with the job's settings (the texts its job embeds).
  const embedPipe = await freshTandem();
  const embedder = await embedPipe.plainEmbedder();
  const groups = await tandemChunkTexts(corpus, embedder, CHUNK_TOKENS, CHUNK_OVERLAP_TOKENS);
  const tandemTexts = groups.flat();
  const tandemTokens = tandemTexts.reduce((n, t) => n + embedder.countTokens(t), 0);
  const cpt = tandemTexts.reduce((n, t) => n + t.length, 0) / tandemTokens;
  const chunkSize = Math.round(CHUNK_TOKENS * cpt);
  const chunkOverlap = Math.round(CHUNK_OVERLAP_TOKENS * cpt);
  console.log(
    `chunking    Tandem ${CHUNK_TOKENS} tokens / overlap ${CHUNK_OVERLAP_TOKENS} of the model's tokenizer; ${fmt(cpt)} chars/token in its chunks -> naive RecursiveCharacterTextSplitter chunkSize ${chunkSize}, chunkOverlap ${chunkOverlap} characters`,
  );

  // Event-loop delay during a run: embeddings are scheduled from the main thread, where parsing also runs.
  const loopDelay = async <T>(work: () => Promise<T>): Promise<{ result: T; delay: string }> => {
    const histogram = monitorEventLoopDelay({ resolution: 5 });
    histogram.enable();
    try {
      const result = await work();
      return { result, delay: `event-loop delay mean ${fmt(histogram.mean / 1e6, 1)} ms, p99 ${fmt(histogram.percentile(99) / 1e6, 1)} ms` };
    } finally {
      histogram.disable();
    }
  };
  const runTandem = async (folder: string): Promise<{ result: JobOutcome; delay: string }> => {
    const pipeline = await freshTandem();
    try {
      await pipeline.embedder(); // model load is not ingest (the naive side loads its model before timing too)
      return await loopDelay(async () => (await pipeline.add(`bench ${run}`, folder)).outcome);
    } finally {
      await pipeline.dispose();
    }
  };
  const naiveTexts: string[] = [];
  const runNaive = (folder: string): Promise<NaiveResult> => {
    naiveTexts.length = 0;
    return naiveIngest(folder, { chunkSize, chunkOverlap, embedder: raw.context, dbDir: join(root, `naive-${run++}`), texts: naiveTexts });
  };
  const runNaiveTimed = (folder: string) => loopDelay(() => runNaive(folder));
  const runEmbedOnly = async (): Promise<number> => {
    const s = performance.now();
    for (const texts of groups) await embedder.embed(texts); // per file, as the job calls it (batches of 32 inside)
    return (performance.now() - s) / 1000;
  };

  // warm-up: pdf.js, mammoth, LanceDB and both model copies
  await runTandem(warmCorpus);
  await runNaive(warmCorpus);
  await embedder.embed(groups[0]!);

  const tandemRuns: JobOutcome[] = [];
  const naiveRuns: NaiveResult[] = [];
  const embedRuns: number[] = [];
  const pairedSpeedup: number[] = [];
  const pairedOverhead: number[] = [];
  const orders = [
    ['naive', 'tandem', 'embed'],
    ['tandem', 'embed', 'naive'],
    ['embed', 'naive', 'tandem'],
  ];
  for (let round = 0; round < rounds; round++) {
    const got: { naive?: number; tandem?: number; embed?: number } = {};
    for (const which of orders[round % orders.length]!) {
      if (which === 'naive') {
        const { result: r, delay } = await runNaiveTimed(corpus);
        naiveRuns.push(r);
        got.naive = r.seconds;
        console.log(`naive   r${round + 1}  ${r.files} files, ${r.chunks} chunks, ${r.failed} failed, ${fmt(r.seconds)} s (load+split ${fmt(r.parseSeconds)}, getEmbeddingFor ${fmt(r.embedSeconds)}, table.add ${fmt(r.storeSeconds)}; ${delay})`);
        if (r.firstError) console.log(`            first failure: ${r.firstError}`);
      } else if (which === 'tandem') {
        const { result: o, delay } = await runTandem(corpus);
        tandemRuns.push(o);
        got.tandem = o.seconds;
        const t = o.jobTimings;
        console.log(
          `tandem  r${round + 1}  ${o.files} files, ${o.chunks} chunks, ${o.failed} failed, ${fmt(o.seconds)} s (embed ${fmt(o.embedSeconds)}, IndexStore.replace ${fmt(o.writeSeconds)}, optimize ${fmt(o.optimizeSeconds)}` +
            `${t ? `; job: scan+compare ${fmt(t.scan / 1000)}, parse+chunk ${fmt(t.parse / 1000)} (overlaps embedding)` : ''}; ${delay})`,
        );
        if (o.firstFailure) console.log(`            first failure: ${o.firstFailure}`);
      } else {
        const e = await runEmbedOnly();
        embedRuns.push(e);
        got.embed = e;
        console.log(`embed   r${round + 1}  ${tandemTexts.length} of Tandem's chunk texts, ${groups.length} per-file calls of its embedder: ${fmt(e)} s`);
      }
    }
    pairedSpeedup.push(got.naive! / got.tandem!);
    pairedOverhead.push(got.tandem! / got.embed!);
  }
  // What a user gets from `createEmbeddingContext()` with no options: node-llama-cpp's default threads.
  const probeTexts = tandemTexts.slice(0, 6);
  const defaultMs = await msPerText(raw.model, probeTexts, undefined);
  const pinnedMs = await msPerText(raw.model, probeTexts, model.threads);
  console.log(`threads     naive with node-llama-cpp's default threads (${raw.llama.maxThreads} here): ${fmt(defaultMs, 1)} ms per chunk vs ${fmt(pinnedMs, 1)} ms with the ${model.threads} used above (${probeTexts.length} chunks, ${fmt(defaultMs / pinnedMs, 1)}x)`);
  const naiveTokens = naiveTexts.reduce((n, t) => n + embedder.countTokens(t), 0);
  await embedPipe.dispose(); // after counting: the embedder counts with the model while it is loaded
  await raw.dispose();

  const tandemS = median(tandemRuns.map((r) => r.seconds));
  const naiveS = median(naiveRuns.map((r) => r.seconds));
  const embedS = median(embedRuns);
  const speedup = median(pairedSpeedup);
  const overhead = median(pairedOverhead);
  console.log(`tokens      embedded: naive ${naiveTexts.length} chunks / ${naiveTokens} tokens; Tandem ${tandemTexts.length} chunks / ${tandemTokens} tokens`);
  console.log(`per round   naive/Tandem ${pairedSpeedup.map((x) => fmt(x)).join(', ')}; Tandem/embedding-only ${pairedOverhead.map((x) => fmt(x)).join(', ')}`);
  summary.push(
    `ingest      ${files} files | naive ${naiveRuns[0]!.chunks} chunks, median ${fmt(naiveS)} s | Tandem ${tandemRuns[0]!.chunks} chunks, median ${fmt(tandemS)} s | naive/Tandem ${fmt(speedup)} (median of per-round ratios; target >= ${TARGET_SPEEDUP}) ${verdict(speedup >= TARGET_SPEEDUP)}`,
    `embed-only  ${tandemTexts.length} chunks, median ${fmt(embedS)} s | Tandem/embedding-only ${fmt(overhead)} (median of per-round ratios; target <= ${TARGET_EMBED_OVERHEAD}) ${verdict(overhead <= TARGET_EMBED_OVERHEAD)}`,
    `bound       naive/embedding-only ${fmt(naiveS / embedS)}: the most a pipeline that embeds Tandem's chunks one text at a time could reach; naive spends ${fmt(median(naiveRuns.map((r) => r.embedSeconds)))} s of ${fmt(naiveS)} s in getEmbeddingFor`,
    `threads     naive with node-llama-cpp's default context threads: ${fmt(defaultMs, 1)} ms/chunk vs ${fmt(pinnedMs, 1)} ms (${fmt(defaultMs / pinnedMs, 0)}x slower; not in the ratio above)`,
  );
}

/** The chunk texts Tandem's index job embeds, per file: its scanner, parseFile and chunkDocument with the job's token limits. */
async function tandemChunkTexts(folder: string, embedder: Embedder, chunkTokens: number, overlapTokens: number): Promise<string[][]> {
  const scan = await scanSource({ path: folder, kind: 'folder' }, { ignore: [], maxFileBytes: 64 * 1024 * 1024 });
  const { contextTokens } = await embedder.prepare(); // loads the model, so countTokens uses its tokenizer (as the job does)
  const maxTokens = Math.max(16, Math.min(chunkTokens, contextTokens - 8));
  const groups: string[][] = [];
  for (const file of scan.files) {
    const doc = await parseFile(file);
    const chunks = chunkDocument(doc, { countTokens: (t) => embedder.countTokens(t), maxTokens, overlapTokens });
    if (chunks.length > 0) groups.push(chunks.map((c) => c.text));
  }
  return groups;
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
  const parts = (r: JobOutcome) =>
    `${r.jobTimings ? `job: scan+compare ${fmt(r.jobTimings.scan / 1000, 3)}, ` : ''}embed ${fmt(r.embedSeconds, 3)}, replace ${fmt(r.writeSeconds, 3)}, optimize ${fmt(r.optimizeSeconds, 3)}`;
  console.log(`unchanged   ${unchanged.map((r) => `${fmt(r.seconds, 3)} s (${r.files} re-indexed; ${parts(r)})`).join('; ')}`);
  console.log(`one changed ${oneChange.map((r) => `${fmt(r.seconds, 3)} s (${r.files} re-indexed, ${r.chunks} chunks; ${parts(r)})`).join('; ')}`);
  const u = median(unchanged.map((r) => r.seconds));
  const c = median(oneChange.map((r) => r.seconds));
  summary.push(
    `rescan      ${count} files unchanged: median ${fmt(u, 3)} s (target <= ${TARGET_RESCAN_S}) ${verdict(u <= TARGET_RESCAN_S)} | one changed: median ${fmt(c, 3)} s (target <= ${TARGET_ONE_CHANGE_S}) ${verdict(c <= TARGET_ONE_CHANGE_S)} | first index ${fmt(first.seconds, 1)} s`,
  );
}
