/**
 * The embedding model both ingest pipelines share: a generated BERT encoder
 * (random F32 weights, tests/fixtures/gguf-writer.ts) big enough that
 * embedding costs about what a small real embedder does next to parsing.
 */
import { join } from 'node:path';
import { getLlama, LlamaLogLevel, type Llama, type LlamaEmbeddingContext, type LlamaModel } from 'node-llama-cpp';
import { cpuCount, resolveThreads } from '../../electron/core/models/threads';
import { writeTinyBertGguf } from '../../tests/fixtures/gguf-writer';

export interface BenchModelShape {
  width: number;
  blocks: number;
  /** Trained context (tokens); the tiny vocabulary spells most words letter by letter, so chunks run long in tokens. */
  context: number;
}

/** 'auto' is Tandem's choice (resolveThreads: one thread for a model under 64 MB, else every core); a number pins both pipelines. */
export type ThreadsOption = 'auto' | number;

export interface BenchModel {
  path: string;
  bytes: number;
  shape: BenchModelShape;
  threads: number;
  /** What Tandem's runtime is told for its batch (embedding) threads. */
  threadSetting: ThreadsOption;
  describe: string;
}

export async function writeBenchModel(dir: string, shape: BenchModelShape, threadSetting: ThreadsOption = 'auto'): Promise<BenchModel> {
  const path = join(dir, 'bench-embed-bert.gguf');
  const bytes = await writeTinyBertGguf(path, {
    embeddingLength: shape.width,
    feedForwardLength: shape.width * 4,
    blockCount: shape.blocks,
    headCount: Math.max(1, Math.round(shape.width / 64)),
    contextLength: shape.context,
    seed: 7,
  });
  const threads = resolveThreads({ generation: 'auto', batch: threadSetting }, bytes, cpuCount()).batch;
  return {
    path,
    bytes,
    shape,
    threads,
    threadSetting,
    describe: `generated BERT (random weights), width ${shape.width}, ${shape.blocks} blocks, FFN ${shape.width * 4}, context ${shape.context}, F32 ${(bytes / 1024 / 1024).toFixed(1)} MB; ${threads} embedding threads (${threadSetting === 'auto' ? "Tandem's auto" : 'pinned by --threads'}) in both pipelines`,
  };
}

/** A plain node-llama-cpp embedding context on the model, as a user would make one. */
export async function openRawEmbedder(model: BenchModel): Promise<{ llama: Llama; model: LlamaModel; context: LlamaEmbeddingContext; dispose: () => Promise<void> }> {
  const llama = await getLlama({ build: 'never', gpu: false, skipDownload: true, progressLogs: false, logLevel: LlamaLogLevel.error });
  const loaded = await llama.loadModel({ modelPath: model.path, gpuLayers: 0 });
  const context = await loaded.createEmbeddingContext({ contextSize: model.shape.context, threads: model.threads });
  return {
    llama,
    model: loaded,
    context,
    dispose: async () => {
      await context.dispose();
      await loaded.dispose();
      await llama.dispose();
    },
  };
}

/**
 * Milliseconds per text for `texts` on a fresh embedding context of the raw
 * model, with `threads` or (undefined) node-llama-cpp's default, which is what
 * a user who writes `model.createEmbeddingContext()` gets.
 */
export async function msPerText(model: LlamaModel, texts: readonly string[], threads: number | undefined): Promise<number> {
  const context = await model.createEmbeddingContext({ contextSize: Math.min(1024, model.trainContextSize), ...(threads === undefined ? {} : { threads }) });
  try {
    await context.getEmbeddingFor(texts[0]!);
    const started = performance.now();
    for (const text of texts) await context.getEmbeddingFor(text);
    return (performance.now() - started) / texts.length;
  } finally {
    await context.dispose();
  }
}
