/**
 * Tandem's documents feature for the benchmarks, on a fresh data dir: the
 * real DocumentService (collections, background index jobs, rescans, search)
 * over the real local runtime, embedding service and embedder resolver, as
 * the app and `tandem index` wire it (no file watcher, like the CLI).
 *
 * The embedder and the index store are wrapped only to time their calls.
 */
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createLogger } from '../../electron/core/app/logger';
import { EmbedderResolver, type Embedder } from '../../electron/core/documents/document-embedder';
import { DocumentService, type SearchRequest } from '../../electron/core/documents/document-service';
import type { SearchOutcome } from '../../electron/core/documents/hybrid-search';
import { EmbeddingService } from '../../electron/core/models/embedding-service';
import { LocalRuntime } from '../../electron/core/models/local-runtime';
import { ModelLibrary } from '../../electron/core/models/model-library';
import { DEFAULT_SETTINGS } from '../../electron/core/settings/settings-store';
import type { BenchModel } from './bench-embedder';

export interface JobOutcome {
  files: number;
  chunks: number;
  failed: number;
  firstFailure: string | null;
  seconds: number;
  /** Seconds inside the embedder, IndexStore.replace and IndexStore.optimize during the job (parts of `seconds`). */
  embedSeconds: number;
  writeSeconds: number;
  optimizeSeconds: number;
  /** The job's own timings (DocumentService.lastTimings, ms): scan covers scanning and comparing with the registry. */
  jobTimings: { scan: number; parse: number; embed: number; write: number; optimize: number; total: number; unchanged: number } | null;
}

/** Wraps `object[method]` to add its wall time to `timer.ms`. */
function timed<T extends object, K extends keyof T>(object: T, method: K, timer: { ms: number }): void {
  const original = object[method] as unknown as (...args: unknown[]) => Promise<unknown>;
  (object as Record<K, unknown>)[method] = async (...args: unknown[]) => {
    const started = performance.now();
    try {
      return await original.apply(object, args);
    } finally {
      timer.ms += performance.now() - started;
    }
  };
}

export class TandemPipeline {
  readonly runtime: LocalRuntime;
  readonly embeddings: EmbeddingService;
  readonly service: DocumentService;
  private readonly resolver: EmbedderResolver;
  private readonly timers = { embed: { ms: 0 }, write: { ms: 0 }, optimize: { ms: 0 } };
  private wrapped: Promise<Embedder> | null = null;

  constructor(
    readonly dataDir: string,
    readonly model: BenchModel,
  ) {
    this.runtime = new LocalRuntime({
      logger: createLogger('warn'),
      gpu: false,
      threads: () => ({ generation: 'auto', batch: model.threadSetting }),
      contextSize: () => model.shape.context,
      memoryBudget: () => 'auto',
    });
    this.embeddings = new EmbeddingService(this.runtime);
    this.resolver = new EmbedderResolver({
      library: new ModelLibrary(() => [dirname(model.path)]),
      runtime: this.runtime,
      embeddings: this.embeddings,
      modelId: () => model.path,
    });
    this.service = new DocumentService({
      root: join(dataDir, 'documents'),
      databaseUri: () => join(dataDir, 'lancedb'),
      settings: () => ({ ...DEFAULT_SETTINGS.documents, embeddingModelId: model.path }),
      embedders: { resolve: () => this.embedder() },
      logger: createLogger('warn'),
      watch: false,
    });
    timed(this.service.index, 'replace', this.timers.write);
    timed(this.service.index, 'optimize', this.timers.optimize);
  }

  get index() {
    return this.service.index;
  }

  async open(): Promise<void> {
    await mkdir(this.dataDir, { recursive: true });
    await this.service.init();
  }

  /** Tandem's embedder (the resolver's), its embed calls timed. */
  embedder(): Promise<Embedder> {
    this.wrapped ??= this.resolver.resolve().then((resolved) => {
      if (!resolved) throw new Error('no embedder');
      const embedder = { ...resolved };
      timed(embedder, 'embed', this.timers.embed);
      return embedder;
    });
    return this.wrapped;
  }

  /** The untimed embedder, for embedding-only runs. */
  async plainEmbedder(): Promise<Embedder> {
    const resolved = await this.resolver.resolve();
    if (!resolved) throw new Error('no embedder');
    return resolved;
  }

  private async job(run: () => Promise<string>): Promise<{ collectionId: string; outcome: JobOutcome }> {
    for (const timer of Object.values(this.timers)) timer.ms = 0;
    const started = performance.now();
    const collectionId = await run();
    const progress = await this.service.waitForIdle(collectionId);
    const seconds = (performance.now() - started) / 1000;
    if (progress?.state !== 'done') throw new Error(`index job ${progress?.state}: ${progress?.error?.message ?? ''}`);
    const first = progress.failures[0];
    return {
      collectionId,
      outcome: {
        files: progress.filesDone,
        chunks: progress.chunks,
        failed: progress.failures.length,
        firstFailure: first ? `${first.path}: ${first.code} ${first.reason}` : null,
        seconds,
        embedSeconds: this.timers.embed.ms / 1000,
        writeSeconds: this.timers.write.ms / 1000,
        optimizeSeconds: this.timers.optimize.ms / 1000,
        jobTimings: this.service.lastTimings?.get(collectionId) ?? null,
      },
    };
  }

  /** Adds a collection of `folder` and waits for its first index job. */
  add(name: string, folder: string): Promise<{ collectionId: string; outcome: JobOutcome }> {
    return this.job(async () => (await this.service.add({ name, paths: [folder] })).id);
  }

  /** Rescans the collection (collections.reindex) and waits for the job. */
  async rescan(collectionId: string): Promise<JobOutcome> {
    return (
      await this.job(async () => {
        await this.service.reindex(collectionId);
        return collectionId;
      })
    ).outcome;
  }

  search(request: SearchRequest): Promise<SearchOutcome> {
    return this.service.search(request);
  }

  async dispose(): Promise<void> {
    await this.service.dispose();
    await this.runtime.dispose();
  }
}
