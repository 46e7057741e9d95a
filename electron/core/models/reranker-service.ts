import type { Llama, LlamaModel, LlamaRankingContext } from 'node-llama-cpp';
import type { LocalModel } from '../../../shared/ipc/domain';
import { CodedError } from '../../../shared/ipc/errors';

/** A reranker left unused this long is unloaded (it is only needed while someone searches). */
const IDLE_UNLOAD_MS = 5 * 60_000;
/** Context of the ranking model: a query plus one chunk (~256 tokens) fits with room. */
const RANKING_CONTEXT_TOKENS = 1024;

interface Loaded {
  path: string;
  model: LlamaModel;
  context: LlamaRankingContext;
}

/**
 * Scores (query, document) pairs with a local GGUF reranking model
 * (bge-reranker and the like: a cross-encoder with a ranking head) through
 * node-llama-cpp's ranking context. One reranker is loaded at a time, on the
 * runtime's llama backend, and unloaded after a while unused; calls run one
 * at a time.
 */
export class RerankerService {
  private loaded: Promise<Loaded> | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private idleTimer: NodeJS.Timeout | null = null;
  private disposed = false;

  constructor(private readonly backend: () => Promise<Llama>) {}

  /** A relevance score from 0 to 1 for each document, in order. */
  rank(model: LocalModel, query: string, documents: readonly string[], signal?: AbortSignal): Promise<number[]> {
    const run = this.queue.then(async () => {
      if (this.disposed) throw new CodedError('CANCELLED', 'The reranker was closed');
      signal?.throwIfAborted();
      const { context } = await this.load(model);
      this.armIdleUnload();
      return context.rankAll(query, [...documents]);
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async load(model: LocalModel): Promise<Loaded> {
    const current = this.loaded ? await this.loaded.catch(() => null) : null;
    if (current && current.path === model.path) return current;
    if (current) await this.release(current);
    this.loaded = (async () => {
      const llama = await this.backend();
      let loadedModel: LlamaModel;
      try {
        loadedModel = await llama.loadModel({ modelPath: model.path });
      } catch (error) {
        throw new CodedError('MODEL_LOAD_FAILED', `The reranker ${model.name} could not be loaded: ${(error as Error).message}`, { cause: error });
      }
      try {
        const context = await loadedModel.createRankingContext({ contextSize: { max: RANKING_CONTEXT_TOKENS } });
        return { path: model.path, model: loadedModel, context };
      } catch (error) {
        await loadedModel.dispose().catch(() => undefined);
        throw new CodedError(
          'MODEL_LOAD_FAILED',
          `${model.name} is not a reranking model (it has no ranking head; choose a reranker such as bge-reranker): ${(error as Error).message}`,
          { cause: error },
        );
      }
    })();
    this.loaded.catch(() => {
      this.loaded = null;
    });
    return this.loaded;
  }

  private armIdleUnload(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      this.queue = this.queue.then(async () => {
        const current = this.loaded ? await this.loaded.catch(() => null) : null;
        if (current) await this.release(current);
      });
    }, IDLE_UNLOAD_MS);
    this.idleTimer.unref?.();
  }

  private async release(loaded: Loaded): Promise<void> {
    this.loaded = null;
    await loaded.context.dispose().catch(() => undefined);
    await loaded.model.dispose().catch(() => undefined);
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    await this.queue.catch(() => undefined);
    const current = this.loaded ? await this.loaded.catch(() => null) : null;
    if (current) await this.release(current);
  }
}
