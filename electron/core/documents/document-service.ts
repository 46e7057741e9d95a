import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import type { Settings } from '../../../shared/ipc/domain';
import { CodedError } from '../../../shared/ipc/errors';
import type { Collection, DocumentType, IndexProgress, InventoryFile, SearchMode, Source } from '../../../shared/ipc/routes/documents';
import type { Logger } from '../app/logger';
import { CollectionStore, type CollectionRecord, type FileEntry } from './collection-store';
import type { ConfigFileProblem } from '../fs/config-file';
import { assertOpenableInViewer } from './viewer-policy';
import type { Embedder, EmbedderResolver } from './document-embedder';
import { DocumentWatcher } from './document-watcher';
import type { FusionMethod } from './fusion';
import { searchCollections, type SearchOutcome } from './hybrid-search';
import { IndexStore } from './index-store';
import { initialProgress, recoverCollection, runIndexJob, type IndexJobResult } from './index-pipeline';
import { exportInventory, inventoryRows } from './inventory-export';
import { OcrEngine, type OcrReader } from './ocr/ocr-engine';
import { parseFile } from './parsers/parse-file';
import { RERANK_CANDIDATES, rerankHits, type Rerankers } from './reranker';

export interface DocumentServiceOptions {
  /** `<dataDir>/documents`: the registries and journals. */
  root: string;
  /** `settings.documents.databaseUri` or `<dataDir>/lancedb`; read when the database is first opened. */
  databaseUri: () => string;
  settings: () => Settings['documents'];
  /** Finds the embedding model; `remember` (optional) learns vector widths from the registries so a start need not load it. */
  embedders: Pick<EmbedderResolver, 'resolve'> & Partial<Pick<EmbedderResolver, 'remember'>>;
  logger: Logger;
  /** Watch folder sources and catch up on start (desktop and serve; not the CLI). */
  watch: boolean;
  onProgress?: (progress: IndexProgress) => void;
  onChanged?: (collectionId: string | null) => void;
  /** Opens a file in the system viewer (Electron's shell.openPath); absent in serve and CLI mode. */
  openPath?: (path: string, page?: number) => Promise<void>;
  /** The system folder picker (Electron's dialog); absent in serve and CLI mode. Null or [] when cancelled. */
  pickFolder?: () => Promise<string[] | null>;
  /** Reads images and scanned pages; default: tesseract.js worker threads, started on the first scan. */
  ocr?: OcrReader & { dispose?: () => Promise<void> };
  /** Reranking models for collections that chose one (`setReranker`); without it reranking is off. */
  rerankers?: Rerankers;
}

export interface SearchRequest {
  collectionIds: readonly string[];
  query: string;
  k?: number;
  mode?: SearchMode;
  types?: readonly DocumentType[];
  pathPrefix?: string;
  /** Hybrid fusion; the default is `DEFAULT_FUSION`. */
  fusion?: FusionMethod;
  /** Let the collections' reranker reorder the top candidates (default true; the eval compares both). */
  rerank?: boolean;
}

/**
 * A job that changed fewer files than this leaves compaction and the FTS
 * update (`IndexStore.optimize`, 0.1–0.6 s even for one row) to an idle
 * timer; new rows are searched unindexed meanwhile.
 */
const OPTIMIZE_MIN_FILES = 50;
/** Idle time after a small job before its table is optimized. */
const IDLE_OPTIMIZE_MS = 30_000;
/** Small jobs in a row after which the next one optimizes anyway (fragments pile up). */
const MAX_DEFERRED_OPTIMIZES = 20;

/** Query vectors kept for repeated searches (the same question asked again, a benchmark's query set). */
const QUERY_CACHE_SIZE = 256;

interface Job {
  controller: AbortController;
  done: Promise<void>;
  progress: IndexProgress;
  rerun: boolean;
}

/**
 * Everything "Documents" does, for the IPC handlers, the CLI and chat
 * retrieval: collections of folders and files, background indexing jobs
 * with progress, incremental rescans (also driven by file watchers),
 * keyword/semantic/hybrid search, the file registry, and the viewer.
 */
export class DocumentService {
  private readonly store: CollectionStore;
  readonly index: IndexStore;
  private readonly jobs = new Map<string, Job>();
  private readonly lastJobs = new Map<string, IndexProgress>();
  private readonly watchers = new Map<string, DocumentWatcher>();
  private readonly queryVectors = new Map<string, number[]>();
  private readonly progressListeners = new Set<(progress: IndexProgress) => void>();
  /** Timings of the last job per collection (benchmarks and tests read them). */
  readonly lastTimings = new Map<string, IndexJobResult['timings'] & { unchanged: number }>();
  private disposed = false;
  private readonly ocrEngine: OcrReader & { dispose?: () => Promise<void> };
  /** Collections with an optimize deferred by small jobs: the idle timer and how many jobs deferred it. */
  private readonly pendingOptimize = new Map<string, { timer: NodeJS.Timeout | null; jobs: number }>();

  constructor(private readonly options: DocumentServiceOptions) {
    this.store = new CollectionStore(options.root);
    this.index = new IndexStore(options.databaseUri);
    this.ocrEngine = options.ocr ?? new OcrEngine({ languages: () => options.settings().ocr.languages });
  }

  /** The OCR reader when `documents.ocr.enabled` is on, else null. */
  private ocr(): OcrReader | null {
    return this.options.settings().ocr.enabled ? this.ocrEngine : null;
  }

  /** Opens the system folder picker (desktop only): the chosen paths, [] when cancelled. */
  async pickFolder(): Promise<string[]> {
    if (!this.options.pickFolder) throw new CodedError('UNSUPPORTED', 'The folder picker works in the desktop app only; type the folder\'s path instead');
    return (await this.options.pickFolder()) ?? [];
  }

  /** Why `documents/collections.json` could not be used at start-up (it was kept aside), for the app notices. */
  get configProblem(): ConfigFileProblem | null {
    return this.store.configProblem;
  }

  /** Loads the registry and repairs what a crash left; in watch mode starts the watchers and a catch-up rescan of every collection. */
  async init(): Promise<void> {
    await this.store.load();
    for (const record of this.store.list()) {
      const repaired = await recoverCollection(this.store, this.index, record.id).catch((error: unknown) => {
        this.options.logger.warn(`repairing the index of ${record.name} failed: ${(error as Error).message}`);
        return [];
      });
      if (repaired.length > 0) this.options.logger.info(`${record.name}: ${repaired.length} file(s) from an interrupted job will be indexed again`);
      const { embedder } = await this.store.registry(record.id);
      if (embedder) this.options.embedders.remember?.(embedder);
    }
    if (this.options.watch) {
      for (const record of this.store.list()) {
        this.startWatcher(record);
        this.startJob(record.id);
      }
    }
  }

  /** Every collection with its counts and state. */
  async list(): Promise<Collection[]> {
    return Promise.all(this.store.list().map((record) => this.view(record)));
  }

  async get(collectionId: string): Promise<Collection> {
    return this.view(this.record(collectionId));
  }

  /** Whether any of these collections (by id or name) holds a local-only source; read from memory. */
  holdsLocalOnly(collectionIds: readonly string[]): boolean {
    return collectionIds.some((id) => this.find(id)?.sources.some((source) => source.localOnly) ?? false);
  }

  /** A collection by id or by name (case-insensitive), for the CLI. */
  find(nameOrId: string): CollectionRecord | undefined {
    return this.store.get(nameOrId) ?? this.store.byName(nameOrId);
  }

  /**
   * Adds folders or files to the collection `name` (created when new) and
   * starts indexing in the background; answers at once. Paths must be
   * absolute; NOT_FOUND when one does not exist.
   */
  async add(input: { name: string; paths: readonly string[]; localOnly?: boolean }): Promise<Collection> {
    const name = input.name.trim();
    const sources: Source[] = [];
    for (const raw of input.paths) {
      // A relative path means nothing to a window or a remote client (the server's working folder is arbitrary).
      if (!isAbsolute(raw)) throw new CodedError('INVALID_INPUT', `Give the full path of the folder or file, not "${raw}"`);
      const path = resolve(raw);
      let kind: Source['kind'];
      try {
        kind = (await stat(path)).isDirectory() ? 'folder' : 'file';
      } catch {
        throw new CodedError('NOT_FOUND', `There is no file or folder at ${path}`);
      }
      sources.push({ path, kind, localOnly: input.localOnly ?? false });
    }
    const existing = this.store.byName(name);
    const record: CollectionRecord = existing
      ? { ...existing, sources: [...existing.sources] }
      : { id: newCollectionId(), name, sources: [], createdAt: new Date().toISOString(), lastIndexedAt: null };
    for (const source of sources) {
      const at = record.sources.findIndex((s) => s.path === source.path);
      if (at >= 0) record.sources[at] = source;
      else record.sources.push(source);
    }
    await this.store.put(record);
    if (this.options.watch) this.startWatcher(record);
    this.startJob(record.id);
    this.options.onChanged?.(record.id);
    return this.view(record);
  }

  /** Deletes the collection's index and registry (never the files). */
  async remove(collectionId: string): Promise<void> {
    this.record(collectionId);
    await this.stopJob(collectionId);
    await this.watchers.get(collectionId)?.dispose();
    this.watchers.delete(collectionId);
    this.clearPendingOptimize(collectionId);
    await this.index.drop(collectionId);
    await this.store.remove(collectionId);
    this.lastJobs.delete(collectionId);
    this.options.onChanged?.(collectionId);
  }

  /** Rescans the sources in the background: changed files are indexed again, deleted ones dropped. */
  async reindex(collectionId: string): Promise<Collection> {
    const record = this.record(collectionId);
    this.startJob(collectionId);
    return this.view(record);
  }

  async cancelIndex(collectionId: string): Promise<Collection> {
    const record = this.record(collectionId);
    await this.stopJob(collectionId);
    return this.view(record);
  }

  /** The running job, else the last one this process ran; null when none. */
  job(collectionId: string): IndexProgress | null {
    this.record(collectionId);
    return this.jobs.get(collectionId)?.progress ?? this.lastJobs.get(collectionId) ?? null;
  }

  /** Calls `listener` with every progress update of every job until the returned function is called. */
  onProgress(listener: (progress: IndexProgress) => void): () => void {
    this.progressListeners.add(listener);
    return () => this.progressListeners.delete(listener);
  }

  /** Waits until no job runs for the collection (including reruns) and answers the last job. */
  async waitForIdle(collectionId: string): Promise<IndexProgress | null> {
    for (;;) {
      const job = this.jobs.get(collectionId);
      if (!job) return this.lastJobs.get(collectionId) ?? null;
      await job.done;
    }
  }

  async inventory(collectionId: string): Promise<InventoryFile[]> {
    this.record(collectionId);
    return inventoryRows((await this.store.registry(collectionId)).files);
  }

  async export(collectionId: string, format: 'json' | 'markdown') {
    const collection = await this.get(collectionId);
    return exportInventory(collection, await this.inventory(collectionId), format);
  }

  /** Search over collections; semantic/hybrid fall back to keyword with a notice when there are no vectors. */
  async search(request: SearchRequest): Promise<SearchOutcome> {
    const settings = this.options.settings();
    const targets = await Promise.all(
      request.collectionIds.map(async (id) => {
        this.record(id);
        return { collectionId: id, embedder: (await this.store.registry(id)).embedder };
      }),
    );
    const mode = request.mode ?? settings.searchMode;
    let embedder: Embedder | null = null;
    if (mode !== 'keyword') {
      embedder = await this.options.embedders.resolve().catch((error: unknown) => {
        this.options.logger.warn(`no embedder for search: ${(error as Error).message}`);
        return null;
      });
    }
    const k = request.k ?? 10;
    const reranker = request.rerank === false ? null : this.rerankerFor(request.collectionIds);
    const outcome = await searchCollections(this.index, embedder && this.cachingQueries(embedder), targets, {
      query: request.query,
      k: reranker ? Math.max(k, RERANK_CANDIDATES) : k,
      mode,
      types: request.types,
      pathPrefix: request.pathPrefix ? resolve(request.pathPrefix) : undefined,
      fusion: request.fusion,
    });
    if (reranker) {
      try {
        outcome.hits = await rerankHits(outcome.hits, request.query, (query, documents, signal) => this.options.rerankers!.rank(reranker, query, documents, signal), k);
      } catch (error) {
        this.options.logger.warn(`reranking with ${reranker} failed: ${(error as Error).message}`);
        outcome.hits = outcome.hits.slice(0, k);
        outcome.notice ??= `The reranker ${reranker} could not be used (${(error as Error).message}); showing results in their first order.`;
      }
    }
    if (!outcome.notice && request.collectionIds.some((id) => this.jobs.has(id))) {
      outcome.notice = 'The collection is still being indexed; results may be incomplete.';
    }
    return outcome;
  }

  /**
   * Chooses the reranker of a collection (null: none). The model must be in the models
   * folders (NOT_FOUND otherwise); it is loaded on the next search.
   */
  async setReranker(collectionId: string, modelId: string | null): Promise<Collection> {
    const record = this.record(collectionId);
    let reranker: { modelId: string } | null = null;
    if (modelId !== null) {
      if (!this.options.rerankers) throw new CodedError('UNSUPPORTED', 'Reranking is not available in this build');
      reranker = { modelId: (await this.options.rerankers.resolve(modelId)).id };
    }
    const next = { ...record, reranker };
    await this.store.put(next);
    this.options.onChanged?.(collectionId);
    return this.view(next);
  }

  /** The reranker all these collections chose (the same one), else null. */
  private rerankerFor(collectionIds: readonly string[]): string | null {
    if (!this.options.rerankers) return null;
    const chosen = new Set(collectionIds.map((id) => this.store.get(id)?.reranker?.modelId ?? null));
    const [only] = chosen;
    return chosen.size === 1 && only ? only : null;
  }

  /** The parsed text of a file of the collection, by section (parsed again on demand). */
  async viewDocument(collectionId: string, path: string) {
    const entry = await this.entry(collectionId, path);
    if (!entry.type) throw new CodedError('UNSUPPORTED', 'Tandem cannot show this kind of file');
    const info = await stat(entry.path).catch(() => {
      throw new CodedError('NOT_FOUND', `${entry.path} is no longer there`);
    });
    const doc = await parseFile({ path: entry.path, sizeBytes: info.size, mtimeMs: info.mtimeMs, type: entry.type }, { ocr: this.ocr() });
    return {
      path: entry.path,
      type: doc.type,
      sections: doc.sections.map((s) => ({
        page: s.page,
        headingPath: s.headingPath,
        text: s.text,
        charStart: s.charStart,
        ...(s.location ? { location: s.location } : {}),
        ...(s.ocr ? { ocr: true } : {}),
      })),
    };
  }

  async openExternal(collectionId: string, path: string, page?: number): Promise<void> {
    const entry = await this.entry(collectionId, path);
    if (!this.options.openPath) throw new CodedError('UNSUPPORTED', 'Opening files in another app works in the desktop app only');
    assertOpenableInViewer(entry.path); // issue 15: documents only, never scripts or executables
    await this.options.openPath(entry.path, page);
  }

  /** Every chunk id and hash of a collection (tests and diagnostics). */
  chunkIds(collectionId: string) {
    this.record(collectionId);
    return this.index.chunkIds(collectionId);
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    for (const pending of this.pendingOptimize.values()) if (pending.timer) clearTimeout(pending.timer);
    this.pendingOptimize.clear();
    await Promise.all([...this.jobs.keys()].map((id) => this.stopJob(id)));
    await Promise.all([...this.watchers.values()].map((w) => w.dispose()));
    this.watchers.clear();
    this.index.dispose();
    await this.ocrEngine.dispose?.();
  }

  /** The embedder with its query vectors remembered (LRU), so a repeated query costs no model call. */
  private cachingQueries(embedder: Embedder): Embedder {
    return {
      ...embedder,
      embed: async (texts, signal) => {
        if (texts.length !== 1) return embedder.embed(texts, signal);
        const key = `${embedder.identity.fingerprint}\0${texts[0]}`;
        const cached = this.queryVectors.get(key);
        if (cached) {
          this.queryVectors.delete(key);
          this.queryVectors.set(key, cached);
          return [cached];
        }
        const [vector] = await embedder.embed(texts, signal);
        this.queryVectors.set(key, vector!);
        if (this.queryVectors.size > QUERY_CACHE_SIZE) this.queryVectors.delete(this.queryVectors.keys().next().value!);
        return [vector!];
      },
    };
  }

  private record(collectionId: string): CollectionRecord {
    const record = this.store.get(collectionId);
    if (!record) throw new CodedError('NOT_FOUND', 'There is no such collection');
    return record;
  }

  /** The registry entry of `path`: only files of the collection can be viewed or opened. */
  private async entry(collectionId: string, path: string): Promise<FileEntry> {
    this.record(collectionId);
    const registry = await this.store.registry(collectionId);
    const wanted = resolve(path);
    const entry = registry.files.find((f) => f.path === wanted);
    if (!entry) throw new CodedError('NOT_FOUND', 'That file is not part of this collection');
    return entry;
  }

  private async view(record: CollectionRecord): Promise<Collection> {
    const registry = await this.store.registry(record.id);
    let files = 0;
    let chunks = 0;
    let failed = 0;
    for (const entry of registry.files) {
      if (entry.error) failed++;
      else {
        files++;
        chunks += entry.chunks;
      }
    }
    const last = this.lastJobs.get(record.id);
    return {
      id: record.id,
      name: record.name,
      sources: record.sources,
      embedder: registry.embedder ? { modelId: registry.embedder.modelId, dimensions: registry.embedder.dimensions } : null,
      reranker: record.reranker ?? null,
      files,
      chunks,
      failed,
      state: this.jobs.has(record.id) ? 'indexing' : last?.state === 'failed' ? 'error' : 'idle',
      lastIndexedAt: record.lastIndexedAt,
      watching: this.watchers.has(record.id),
    };
  }

  private startWatcher(record: CollectionRecord): void {
    void this.watchers.get(record.id)?.dispose();
    this.watchers.set(
      record.id,
      new DocumentWatcher(record.sources, {
        ignore: this.options.settings().ignore,
        logger: this.options.logger,
        onChange: () => {
          if (this.store.get(record.id)) this.startJob(record.id);
        },
      }),
    );
  }

  /** Starts a job, or asks the running one to scan again when it ends (changes may have come in meanwhile). */
  private startJob(collectionId: string): void {
    if (this.disposed) return;
    const running = this.jobs.get(collectionId);
    if (running) {
      running.rerun = true;
      return;
    }
    const controller = new AbortController();
    const job: Job = { controller, rerun: true, progress: initialProgress(collectionId), done: Promise.resolve() };
    this.jobs.set(collectionId, job);
    job.done = (async () => {
      try {
        while (job.rerun && !controller.signal.aborted) {
          job.rerun = false;
          await this.runJob(collectionId, job);
        }
      } finally {
        this.jobs.delete(collectionId);
        this.lastJobs.set(collectionId, job.progress);
        this.options.onChanged?.(collectionId);
      }
    })();
    // A job that fails outside runIndexJob's own handling is logged, never an unhandled rejection.
    job.done.catch((error: unknown) => this.options.logger.error('an indexing job failed', error));
  }

  private async runJob(collectionId: string, job: Job): Promise<void> {
    const record = this.store.get(collectionId);
    if (!record) return;
    const settings = this.options.settings();
    let embedder: Embedder | null = null;
    try {
      embedder = await this.options.embedders.resolve();
    } catch (error) {
      this.options.logger.warn(`the embedding model could not be used, indexing text only: ${(error as Error).message}`);
    }
    const result = await runIndexJob(record, {
      store: this.store,
      index: this.index,
      embedder,
      ignore: settings.ignore,
      maxFileBytes: settings.maxFileBytes,
      ocr: this.ocr(),
      logger: this.options.logger,
      signal: job.controller.signal,
      optimizeMinFiles: (this.pendingOptimize.get(collectionId)?.jobs ?? 0) >= MAX_DEFERRED_OPTIMIZES ? 0 : OPTIMIZE_MIN_FILES,
      onProgress: (progress) => {
        job.progress = progress;
        this.options.onProgress?.(progress);
        for (const listener of this.progressListeners) listener(progress);
      },
    });
    job.progress = result.progress;
    this.lastTimings.set(collectionId, { ...result.timings, unchanged: result.unchanged });
    if (result.progress.state === 'done') {
      const current = this.store.get(collectionId);
      if (current) await this.store.put({ ...current, lastIndexedAt: new Date().toISOString() });
    }
    if (result.changed) {
      if (result.optimizeDeferred) this.deferOptimize(collectionId, record.name);
      else this.clearPendingOptimize(collectionId);
      this.options.onChanged?.(collectionId);
      // Count the term statistics keyword search uses now, not on the next search (seconds on a big table).
      void this.index.termStats(collectionId).catch(() => undefined);
      // After `done` went out: on a big table this takes a while, and the collection still shows as indexing meanwhile.
      await this.index.ensureVectorIndex(collectionId).catch((error: unknown) => this.options.logger.warn(`building the vector index of ${record.name} failed: ${(error as Error).message}`));
    }
  }

  /** (Re)starts the idle timer that optimizes the collection's table after small jobs. */
  private deferOptimize(collectionId: string, name: string): void {
    const pending = this.pendingOptimize.get(collectionId) ?? { timer: null, jobs: 0 };
    pending.jobs++;
    this.pendingOptimize.set(collectionId, pending);
    const arm = () => {
      if (pending.timer) clearTimeout(pending.timer);
      pending.timer = setTimeout(() => {
        pending.timer = null;
        if (this.disposed || this.pendingOptimize.get(collectionId) !== pending) return;
        if (this.jobs.has(collectionId)) return arm(); // not while a job writes; try again when idle
        this.pendingOptimize.delete(collectionId);
        void this.index.optimize(collectionId).catch((error: unknown) => this.options.logger.warn(`optimizing the index of ${name} failed: ${(error as Error).message}`));
      }, IDLE_OPTIMIZE_MS);
      pending.timer.unref?.();
    };
    arm();
  }

  private clearPendingOptimize(collectionId: string): void {
    const pending = this.pendingOptimize.get(collectionId);
    if (pending?.timer) clearTimeout(pending.timer);
    this.pendingOptimize.delete(collectionId);
  }

  private async stopJob(collectionId: string): Promise<void> {
    const job = this.jobs.get(collectionId);
    if (!job) return;
    job.rerun = false;
    job.controller.abort();
    await job.done;
  }
}

function newCollectionId(): string {
  return `col-${randomBytes(6).toString('hex')}`;
}


