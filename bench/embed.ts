/**
 * Embedding throughput through Tandem against raw node-llama-cpp.
 *
 *   npm run bench:embed [-- --rounds N] [--texts N] [--width N] [--blocks N]
 *
 * On a generated BERT encoder wide enough that one embedding takes real work
 * (F32, written with tests/fixtures/gguf-writer.ts into a temp dir) it embeds
 * the same texts, `batch` texts per call, through:
 *   - Tandem: EmbeddingService.embed (LocalRuntime's queue, its embedding context)
 *   - raw:    LlamaModel.createEmbeddingContext + getEmbeddingFor, one text after another
 * with the same context size and threads, rounds interleaved a,b / b,a, at
 * batch sizes 1, 8 and 32; prints texts/s and tandem/raw ratios (target >= 0.98).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { getLlama, LlamaLogLevel } from 'node-llama-cpp';
import { createLogger } from '../electron/core/app/logger';
import { EmbeddingService } from '../electron/core/models/embedding-service';
import { LocalRuntime } from '../electron/core/models/local-runtime';
import { ModelLibrary } from '../electron/core/models/model-library';
import { cpuCount, resolveThreads } from '../electron/core/models/threads';
import { writeTinyBertGguf } from '../tests/fixtures/gguf-writer';

const TARGET_RATIO = 0.98;
const BATCH_SIZES = [1, 8, 32];

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    texts: { type: 'string', default: '64' },
    width: { type: 'string', default: '768' },
    blocks: { type: 'string', default: '2' },
  },
});
const rounds = Number(values.rounds);
const width = Number(values.width);
const CONTEXT = 512;

const WORDS = ['once', 'upon', 'a', 'time', 'there', 'was', 'the', 'cat', 'dog', 'sun', 'and', 'said', 'hello', 'story'];
let wordSeed = 1;
const nextWord = () => {
  wordSeed = (wordSeed * 1103515245 + 12345) % 2 ** 31;
  return WORDS[wordSeed % WORDS.length]!;
};
// 16..40 words each, a numbered first word so no two texts are the same
const texts = Array.from({ length: Number(values.texts) }, (_, i) => `${i} ${Array.from({ length: 16 + (i % 25) }, nextWord).join(' ')}`);

const dir = await mkdtemp(join(tmpdir(), 'tandem-bench-embed-'));
const modelPath = join(dir, 'bench-bert.gguf');
const modelBytes = await writeTinyBertGguf(modelPath, {
  embeddingLength: width,
  feedForwardLength: width * 4,
  blockCount: Number(values.blocks),
  headCount: Math.max(1, Math.round(width / 64)),
  contextLength: CONTEXT,
  seed: 5,
});
const cores = cpuCount();
const threads = resolveThreads({ generation: 'auto', batch: 'auto' }, modelBytes, cores).batch;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const chunks = (batch: number) => Array.from({ length: Math.ceil(texts.length / batch) }, (_, i) => texts.slice(i * batch, (i + 1) * batch));

// ---------- raw node-llama-cpp ----------
const llama = await getLlama({ build: 'never', gpu: false, skipDownload: true, progressLogs: false, logLevel: LlamaLogLevel.error });
const rawModel = await llama.loadModel({ modelPath, gpuLayers: 0 });
const rawContext = await rawModel.createEmbeddingContext({ contextSize: Math.min(CONTEXT, rawModel.trainContextSize), threads });

async function runRaw(batch: number): Promise<number> {
  const started = performance.now();
  let done = 0;
  for (const chunk of chunks(batch)) {
    const out: number[][] = [];
    for (const text of chunk) out.push([...(await rawContext.getEmbeddingFor(text)).vector]);
    done += out.length;
  }
  return done / ((performance.now() - started) / 1000);
}

// ---------- Tandem's embedding service ----------
const runtime = new LocalRuntime({
  logger: createLogger('warn'),
  gpu: false,
  threads: () => ({ generation: 'auto', batch: 'auto' }),
  contextSize: () => CONTEXT,
  memoryBudget: () => 'auto',
});
const service = new EmbeddingService(runtime);
const info = await new ModelLibrary(() => [dir]).resolve(modelPath);

async function runTandem(batch: number): Promise<number> {
  const started = performance.now();
  let done = 0;
  for (const chunk of chunks(batch)) done += (await service.embed(info, chunk, { batchSize: batch })).length;
  return done / ((performance.now() - started) / 1000);
}

console.log(`model       generated bert, width ${width}, ${values.blocks} blocks, F32, ${(modelBytes / 1024 / 1024).toFixed(1)} MB`);
console.log(`setup       ${cores} cores; batch threads ${threads}; context ${CONTEXT}; ${texts.length} texts of 17..41 words; ${rounds} rounds interleaved`);

// warm-up: loads Tandem's copy, touches both paths
const warmRaw = await runRaw(8);
const warmTandem = await runTandem(8);
const [a] = await service.embed(info, [texts[0]!]);
const b = [...(await rawContext.getEmbeddingFor(texts[0]!)).vector];
const same = a!.length === b.length && a!.every((x, i) => Math.abs(x - b[i]!) < 1e-4);
console.log(`warm-up     raw ${warmRaw.toFixed(1)} texts/s, tandem ${warmTandem.toFixed(1)} texts/s; dimension ${b.length}; same vectors: ${same}`);

const summary: string[] = [];
for (const batch of BATCH_SIZES) {
  const raw: number[] = [];
  const tandem: number[] = [];
  for (let round = 0; round < rounds; round++) {
    if (round % 2 === 0) {
      raw.push(await runRaw(batch));
      tandem.push(await runTandem(batch));
    } else {
      tandem.push(await runTandem(batch));
      raw.push(await runRaw(batch));
    }
  }
  const ratio = median(tandem) / median(raw);
  const bestRatio = Math.max(...tandem) / Math.max(...raw);
  console.log(`batch ${String(batch).padStart(2)}    raw ${raw.map((x) => x.toFixed(1)).join(', ')} | tandem ${tandem.map((x) => x.toFixed(1)).join(', ')} texts/s`);
  summary.push(
    `batch ${String(batch).padStart(2)}    raw ${median(raw).toFixed(1)} texts/s   tandem ${median(tandem).toFixed(1)} texts/s   ratio ${ratio.toFixed(3)} (best runs ${bestRatio.toFixed(3)})   target >= ${TARGET_RATIO}   ${ratio >= TARGET_RATIO ? 'MET' : 'MISSED'}`,
  );
}
console.log('');
for (const line of summary) console.log(line);

await runtime.dispose();
await rawContext.dispose();
await rawModel.dispose();
await llama.dispose();
await rm(dir, { recursive: true, force: true });
