import type { LocalModel } from '../../../shared/ipc/domain';
import { CodedError } from '../../../shared/ipc/errors';
import type { LocalRuntime } from './local-runtime';

/** Texts embedded per turn in the runtime's queue; a chat answer can run between two batches. */
const DEFAULT_BATCH_SIZE = 16;

export interface EmbedOptions {
  signal?: AbortSignal;
  batchSize?: number;
}

/**
 * Embeds texts with a local embedding-capable GGUF. The model is loaded
 * through the runtime, so it shares the memory budget and LRU with chat
 * models; texts go through in batches queued with generations. The
 * documents feature indexes through this one service.
 */
export class EmbeddingService {
  constructor(private readonly runtime: LocalRuntime) {}

  /** One vector per text, in order; identical texts give identical vectors. */
  async embed(model: LocalModel, texts: readonly string[], options: EmbedOptions = {}): Promise<number[][]> {
    const batchSize = Math.max(1, options.batchSize ?? DEFAULT_BATCH_SIZE);
    const vectors: number[][] = [];
    for (let start = 0; start < texts.length; start += batchSize) {
      if (options.signal?.aborted) throw new CodedError('CANCELLED', 'Embedding was cancelled');
      const batch = texts.slice(start, start + batchSize);
      const embedded = await this.runtime.withEmbeddingContext(
        model,
        async (context) => {
          const out: number[][] = [];
          for (const text of batch) out.push([...(await context.getEmbeddingFor(text)).vector]);
          return out;
        },
        options.signal,
      );
      vectors.push(...embedded);
    }
    return vectors;
  }
}
