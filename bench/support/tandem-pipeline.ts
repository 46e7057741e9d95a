/**
 * Tandem's documents pipeline for the benchmarks, on a fresh data dir: the
 * real runtime, embedding service, embedder resolver, collection store,
 * index store and index job.
 */
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createLogger } from '../../electron/core/app/logger';
import { CollectionStore, type CollectionRecord } from '../../electron/core/documents/collection-store';
import { EmbedderResolver, type Embedder } from '../../electron/core/documents/document-embedder';
import { runIndexJob } from '../../electron/core/documents/index-pipeline';
import { IndexStore } from '../../electron/core/documents/index-store';
import { EmbeddingService } from '../../electron/core/models/embedding-service';
import { LocalRuntime } from '../../electron/core/models/local-runtime';
import { ModelLibrary } from '../../electron/core/models/model-library';
import type { BenchModel } from './bench-embedder';

export interface JobOutcome {
  files: number;
  chunks: number;
  failed: number;
  seconds: number;
  unchanged: number;
  changed: boolean;
}

export class TandemPipeline {
  readonly runtime: LocalRuntime;
  readonly embeddings: EmbeddingService;
  readonly store: CollectionStore;
  readonly index: IndexStore;
  private readonly resolver: EmbedderResolver;

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
    this.store = new CollectionStore(join(dataDir, 'documents'));
    this.index = new IndexStore(() => join(dataDir, 'lancedb'));
    this.resolver = new EmbedderResolver({
      library: new ModelLibrary(() => [dirname(model.path)]),
      runtime: this.runtime,
      embeddings: this.embeddings,
      modelId: () => model.path,
    });
  }

  async open(): Promise<void> {
    await mkdir(this.dataDir, { recursive: true });
    await this.store.load();
  }

  embedder(): Promise<Embedder> {
    return this.resolver.resolve().then((e) => {
      if (!e) throw new Error('no embedder');
      return e;
    });
  }

  async addCollection(id: string, folder: string): Promise<CollectionRecord> {
    const record: CollectionRecord = {
      id,
      name: id,
      sources: [{ path: folder, kind: 'folder', localOnly: false }],
      createdAt: new Date().toISOString(),
      lastIndexedAt: null,
    };
    await this.store.put(record);
    return record;
  }

  /** Runs one index job (first index or rescan) and waits for it. */
  async index_(collectionId: string): Promise<JobOutcome> {
    const record = this.store.get(collectionId);
    if (!record) throw new Error(`no collection ${collectionId}`);
    const started = performance.now();
    const embedder = await this.embedder();
    const result = await runIndexJob(record, {
      store: this.store,
      index: this.index,
      embedder,
      ignore: [],
      maxFileBytes: 64 * 1024 * 1024,
      logger: createLogger('warn'),
      onProgress: () => undefined,
      signal: new AbortController().signal,
    });
    const seconds = (performance.now() - started) / 1000;
    if (result.progress.state !== 'done') throw new Error(`index job ${result.progress.state}: ${result.progress.error?.message ?? ''}`);
    return {
      files: result.progress.filesDone,
      chunks: result.progress.chunks,
      failed: result.progress.failures.length,
      seconds,
      unchanged: result.unchanged,
      changed: result.changed,
    };
  }

  async dispose(): Promise<void> {
    this.index.dispose();
    await this.runtime.dispose();
  }
}
