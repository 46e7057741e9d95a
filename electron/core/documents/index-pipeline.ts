import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { IndexFailure, IndexProgress } from '../../../shared/ipc/routes/documents';
import { CodedError, toTandemError } from '../../../shared/ipc/errors';
import type { Logger } from '../app/logger';
import { BoundedChannel } from './bounded-channel';
import { chunkDocument, estimateTokens } from './chunker';
import type { CollectionRecord, CollectionStore, FileEntry, FileRegistry } from './collection-store';
import { sameIdentity, type Embedder } from './document-embedder';
import type { ChunkRow, IndexStore } from './index-store';
import { JobJournal } from './job-journal';
import type { OcrReader } from './ocr/ocr-engine';
import { parseFile } from './parsers/parse-file';
import { scanSource } from './scanner';
import { DocumentParseError, type Chunk, type ScannedFile } from './types';

/** Chunk size in tokens of the embedding model (bounded by its context) and the overlap between neighbours. */
export const CHUNK_TOKENS = 256;
export const CHUNK_OVERLAP_TOKENS = 32;
/** Files parsed ahead of the one being embedded. */
const PARSE_AHEAD = 3;
/** A write batch ends at whichever comes first. */
const BATCH_MAX_ROWS = 1024;
const BATCH_MAX_FILES = 256;
const BATCH_MAX_MS = 1000;
/** `collections.progress` at most this often (the last one always goes out). */
const PROGRESS_INTERVAL_MS = 200;

export interface IndexJobOptions {
  store: CollectionStore;
  index: IndexStore;
  embedder: Embedder | null;
  ignore: readonly string[];
  maxFileBytes: number;
  /** Reads images and scanned PDF pages; null when OCR is off. */
  ocr?: OcrReader | null;
  logger: Logger;
  onProgress: (progress: IndexProgress) => void;
  signal: AbortSignal;
  /**
   * Compact and re-index only when the job changed at least this many files
   * (or created the table); a smaller job leaves it to the caller
   * (`optimizeDeferred`). Default 0: always.
   */
  optimizeMinFiles?: number;
}

export interface IndexJobResult {
  progress: IndexProgress;
  /** Anything in the table changed (a rescan with nothing new changes nothing). */
  changed: boolean;
  unchanged: number;
  /** The table changed but the job did not optimize it (fewer than `optimizeMinFiles` files): LanceDB still searches the new rows, unindexed. */
  optimizeDeferred: boolean;
  /** Where the time went (ms): scan + compare, parse + chunk (main thread), embed (native), LanceDB + registry writes, optimize. */
  timings: { scan: number; parse: number; embed: number; write: number; optimize: number; total: number };
}

interface ScannedWithFlag extends ScannedFile {
  localOnly: boolean;
}

interface ParsedFile {
  file: ScannedWithFlag;
  hash: string;
  chunks: Chunk[];
  failure: IndexFailure | null;
}

/**
 * Drops whatever a crashed batch may have half-written: the journal names
 * the paths; their rows and registry entries go, and the next rescan
 * indexes those files again.
 */
export async function recoverCollection(store: CollectionStore, index: IndexStore, collectionId: string): Promise<string[]> {
  const journal = new JobJournal(store.dir(collectionId));
  const paths = await journal.incomplete();
  if (paths.length > 0) {
    if (await index.table(collectionId)) await index.replace(collectionId, paths, []);
    const registry = await store.registry(collectionId);
    const drop = new Set(paths);
    await store.saveRegistry(collectionId, { ...registry, files: registry.files.filter((f) => !drop.has(f.path)) });
  }
  await journal.reset();
  return paths;
}

/**
 * One indexing job over a collection: scan every source, compare with the
 * file registry (size + mtime first, the content hash only when those
 * differ), move renamed files' chunks, drop deleted files' chunks, then
 * parse → chunk → embed → write the changed files, parsing the next files
 * while the current one embeds, in journaled batches.
 */
/** A job's progress before its scan has found anything. */
export function initialProgress(collectionId: string): IndexProgress {
  return {
    collectionId,
    state: 'scanning',
    filesTotal: 0,
    filesDone: 0,
    currentFile: null,
    chunks: 0,
    etaSeconds: null,
    failures: [],
    error: null,
    startedAt: new Date().toISOString(),
    detail: null,
  };
}

export async function runIndexJob(collection: CollectionRecord, options: IndexJobOptions): Promise<IndexJobResult> {
  const { store, index, embedder, signal } = options;
  const progress = initialProgress(collection.id);
  let lastEmit = 0;
  const report = (force = false) => {
    const now = Date.now();
    if (!force && now - lastEmit < PROGRESS_INTERVAL_MS) return;
    lastEmit = now;
    options.onProgress(structuredClone(progress));
  };
  report(true);

  const journal = new JobJournal(store.dir(collection.id));
  let changed = false;
  let created = false;
  let optimizeDeferred = false;
  let unchanged = 0;
  const timings = { scan: 0, parse: 0, embed: 0, write: 0, optimize: 0, total: 0 };
  const jobStart = performance.now();
  try {
    await recoverCollection(store, index, collection.id);
    let registry = await store.registry(collection.id);
    const identity = embedder?.identity ?? null;
    if (!registry.tableReady || !sameIdentity(registry.embedder, identity) || !(await index.table(collection.id))) {
      // A new embedder (or none any more) means new vectors for everything: start the table over.
      await index.create(collection.id, identity?.dimensions ?? null);
      registry = { version: 1, embedder: identity, tableReady: true, files: [] };
      await store.saveRegistry(collection.id, registry);
      changed = true;
      created = true;
    }
    const entries = new Map(registry.files.map((f) => [f.path, f]));

    // Scan every source; a file in two sources is local-only when either says so.
    const scanned = new Map<string, ScannedWithFlag>();
    const scanFailures = new Map<string, IndexFailure>();
    for (const source of collection.sources) {
      const result = await scanSource(source, { ignore: options.ignore, maxFileBytes: options.maxFileBytes, images: Boolean(options.ocr), signal });
      for (const file of result.files) {
        const seen = scanned.get(file.path);
        scanned.set(file.path, { ...file, localOnly: source.localOnly || (seen?.localOnly ?? false) });
      }
      for (const failure of result.failures) scanFailures.set(failure.path, failure);
    }
    for (const path of scanFailures.keys()) scanned.delete(path);

    // Compare with the registry.
    const candidates: ScannedWithFlag[] = [];
    const touchedOnly: FileEntry[] = [];
    for (const file of scanned.values()) {
      const entry = entries.get(file.path);
      if (entry && entry.sizeBytes === file.sizeBytes && entry.mtimeMs === file.mtimeMs && entry.localOnly === file.localOnly) {
        unchanged++;
        continue;
      }
      candidates.push(file);
    }
    // Gone: neither found nor reported by this scan (a file that now fails the scan keeps its entry, with the new reason).
    const gone = [...entries.values()].filter((e) => !scanned.has(e.path) && !scanFailures.has(e.path));
    const hashes = new Map<string, string>();
    const toIndex: ScannedWithFlag[] = [];
    const renames: { from: FileEntry; to: ScannedWithFlag }[] = [];
    const goneByHash = new Map<string, FileEntry[]>();
    for (const entry of gone) if (entry.hash && !entry.error && !scanFailures.has(entry.path)) goneByHash.set(entry.hash, [...(goneByHash.get(entry.hash) ?? []), entry]);
    for (const file of candidates) {
      signal.throwIfAborted();
      let hash: string;
      try {
        hash = await hashFile(file.path);
      } catch {
        toIndex.push(file); // the parser reports why it cannot be read
        continue;
      }
      hashes.set(file.path, hash);
      const entry = entries.get(file.path);
      if (entry && entry.hash === hash && entry.localOnly === file.localOnly && (!entry.error || entry.error.code !== 'UNREADABLE')) {
        touchedOnly.push({ ...entry, sizeBytes: file.sizeBytes, mtimeMs: file.mtimeMs });
        unchanged++;
        continue;
      }
      const renamedFrom = !entry ? goneByHash.get(hash)?.shift() : undefined;
      if (renamedFrom) renames.push({ from: renamedFrom, to: file });
      else toIndex.push(file);
    }
    const renamedAway = new Set(renames.map((r) => r.from.path));
    const deleted = gone.filter((e) => !renamedAway.has(e.path));

    // Failures known now: the scan's, and unchanged files that failed to parse before.
    for (const failure of scanFailures.values()) progress.failures.push(failure);
    const retried = new Set(toIndex.map((f) => f.path));
    for (const entry of entries.values()) {
      if (entry.error && scanned.has(entry.path) && !retried.has(entry.path)) progress.failures.push(entry.error);
    }

    timings.scan = performance.now() - jobStart;
    progress.state = 'indexing';
    progress.filesTotal = toIndex.length + renames.length;
    report(true);

    const now = () => new Date().toISOString();
    const write = async (paths: string[], rows: ChunkRow[], apply: (files: Map<string, FileEntry>) => void, sync = false) => {
      const started = performance.now();
      const seq = await journal.begin(paths);
      await index.replace(collection.id, paths, rows);
      apply(entries);
      registry = { ...registry, files: [...entries.values()] };
      await store.saveRegistry(collection.id, registry, { sync });
      await journal.commit(seq);
      if (paths.length > 0) changed = true;
      timings.write += performance.now() - started;
    };

    // Deleted files, scan failures that had chunks, renames and metadata-only changes: one batch.
    {
      const paths: string[] = [];
      const rows: ChunkRow[] = [];
      const updates: FileEntry[] = [...touchedOnly];
      const removals: string[] = deleted.map((e) => e.path);
      for (const entry of deleted) if (entry.chunks > 0) paths.push(entry.path);
      for (const failure of scanFailures.values()) {
        const entry = entries.get(failure.path);
        if (entry && entry.chunks > 0) paths.push(failure.path);
        if (entry?.error && entry.chunks === 0 && entry.error.code === failure.code && entry.error.reason === failure.reason) continue;
        updates.push({
          path: failure.path,
          type: entry?.type ?? null,
          sizeBytes: 0,
          mtimeMs: 0,
          hash: '',
          chunks: 0,
          indexedAt: null,
          localOnly: entry?.localOnly ?? false,
          error: failure,
        });
      }
      for (const { from, to } of renames) {
        const moved = await index.rowsFor(collection.id, from.path);
        if (moved.length !== from.chunks) {
          // The old rows are not all there (an interrupted write): index the file afresh.
          toIndex.push(to);
          removals.push(from.path);
          paths.push(from.path);
          continue;
        }
        paths.push(from.path, to.path);
        removals.push(from.path);
        rows.push(...moved.map((row) => ({ ...row, id: chunkId(to.path, row.ordinal, row.contentHash), path: to.path, localOnly: to.localOnly })));
        updates.push({ ...from, path: to.path, sizeBytes: to.sizeBytes, mtimeMs: to.mtimeMs, localOnly: to.localOnly, indexedAt: now() });
        progress.filesDone++;
      }
      if (paths.length > 0 || updates.length > 0 || removals.length > 0) {
        await write(paths, rows, (files) => {
          for (const path of removals) files.delete(path);
          for (const entry of updates) files.set(entry.path, entry);
        });
      }
      report();
    }

    // Changed and new files: parse ahead while embedding and writing.
    const channel = new BoundedChannel<ParsedFile>(PARSE_AHEAD);
    const contextTokens = embedder && toIndex.length > 0 ? (await embedder.prepare()).contextTokens : null;
    const maxTokens = contextTokens ? Math.max(16, Math.min(CHUNK_TOKENS, contextTokens - 8)) : CHUNK_TOKENS;
    const countTokens = embedder ? (text: string) => embedder.countTokens(text) : estimateTokens;
    const producer = (async () => {
      try {
        for (const file of toIndex) {
          if (signal.aborted) break;
          const started = performance.now();
          const parsed = await parseOne(file, hashes.get(file.path), {
            maxTokens,
            countTokens,
            signal,
            ocr: options.ocr ?? null,
            // The producer runs ahead of the file being embedded: it names its own file while OCR is slow.
            // Each OCR page takes seconds: its "OCR page N of M" is always shown, never throttled away.
            onDetail: (detail) => {
              progress.currentFile = file.path;
              progress.detail = detail;
              report(true);
            },
          });
          timings.parse += performance.now() - started;
          await channel.push(parsed);
        }
      } finally {
        channel.close();
      }
    })();
    // Handled at once: a cancel makes the producer reject while the consumer is still embedding, and an
    // unhandled rejection would end the process. The error still surfaces through `await producer` below.
    producer.catch(() => undefined);

    const indexingStarted = Date.now();
    let batch: { paths: string[]; rows: ChunkRow[]; entries: FileEntry[]; startedAt: number } | null = null;
    const flush = async () => {
      if (!batch) return;
      const { paths, rows, entries: updates } = batch;
      batch = null;
      await write(paths, rows, (files) => {
        for (const entry of updates) files.set(entry.path, entry);
      });
    };
    try {
      for await (const parsed of channel) {
        if (signal.aborted) break;
        const { file } = parsed;
        progress.currentFile = file.path;
        progress.detail = null;
        report();
        let failure = parsed.failure;
        let rows: ChunkRow[] = [];
        if (!failure) {
          try {
            const started = performance.now();
            const vectors = embedder ? await embedder.embed(parsed.chunks.map((c) => c.text), signal) : null;
            timings.embed += performance.now() - started;
            rows = parsed.chunks.map((chunk, i) => toRow(file, parsed.hash, chunk, vectors?.[i]));
          } catch (error) {
            if (signal.aborted) break;
            failure = { path: file.path, code: 'PARSE_FAILED', reason: `The text could not be embedded: ${toTandemError(error).message}` };
          }
        }
        if (failure) progress.failures.push(failure);
        batch ??= { paths: [], rows: [], entries: [], startedAt: Date.now() };
        batch.paths.push(file.path);
        batch.rows.push(...rows);
        batch.entries.push({
          path: file.path,
          type: file.type,
          sizeBytes: file.sizeBytes,
          mtimeMs: file.mtimeMs,
          hash: parsed.hash,
          chunks: rows.length,
          indexedAt: failure ? null : now(),
          localOnly: file.localOnly,
          error: failure,
        });
        progress.chunks += rows.length;
        progress.filesDone++;
        const elapsed = (Date.now() - indexingStarted) / 1000;
        progress.etaSeconds = Math.round((elapsed / progress.filesDone) * (progress.filesTotal - progress.filesDone) * 10) / 10;
        if (batch.rows.length >= BATCH_MAX_ROWS || batch.paths.length >= BATCH_MAX_FILES || Date.now() - batch.startedAt >= BATCH_MAX_MS) await flush();
        report();
      }
      await flush();
    } finally {
      channel.close();
      await producer.catch(() => undefined);
    }
    await producer;

    progress.currentFile = null;
    progress.detail = null;
    progress.etaSeconds = 0;
    progress.state = signal.aborted ? 'cancelled' : 'done';
    await store.saveRegistry(collection.id, registry, { sync: true });
    await journal.reset();
    const optimizeStart = performance.now();
    const changedFiles = progress.filesDone + deleted.length + scanFailures.size;
    optimizeDeferred = changed && !created && changedFiles < (options.optimizeMinFiles ?? 0);
    if (changed && !optimizeDeferred) await index.optimize(collection.id).catch((error: unknown) => options.logger.warn(`optimizing the index of ${collection.name} failed: ${(error as Error).message}`));
    timings.optimize = performance.now() - optimizeStart;
  } catch (error) {
    await journal.close().catch(() => undefined);
    const cancelled = signal.aborted || (error instanceof CodedError && error.code === 'CANCELLED') || (error as Error)?.name === 'AbortError';
    progress.currentFile = null;
    progress.detail = null;
    progress.etaSeconds = null;
    if (cancelled) progress.state = 'cancelled';
    else {
      const coded = toTandemError(error);
      progress.state = 'failed';
      progress.error = { code: coded.code === 'INTERNAL' ? 'INDEX_FAILED' : coded.code, message: coded.message };
      options.logger.error(`indexing ${collection.name} failed`, error);
    }
  }
  timings.total = performance.now() - jobStart;
  const ms = (n: number) => Math.round(n);
  options.logger.info(
    `indexed ${collection.name}: ${progress.filesDone} file(s), ${unchanged} unchanged, ${progress.chunks} chunks in ${ms(timings.total)} ms ` +
      `(scan ${ms(timings.scan)}, parse ${ms(timings.parse)}, embed ${ms(timings.embed)}, write ${ms(timings.write)}, optimize ${ms(timings.optimize)})`,
  );
  report(true);
  return { progress, changed, unchanged, optimizeDeferred, timings };
}

async function parseOne(
  file: ScannedWithFlag,
  knownHash: string | undefined,
  options: { maxTokens: number; countTokens: (text: string) => number; signal: AbortSignal; ocr: OcrReader | null; onDetail: (detail: string) => void },
): Promise<ParsedFile> {
  let hash = knownHash ?? '';
  try {
    if (!hash) hash = await hashFile(file.path);
    const doc = await parseFile(file, { signal: options.signal, ocr: options.ocr, onDetail: options.onDetail });
    const chunks = chunkDocument(doc, { countTokens: options.countTokens, maxTokens: options.maxTokens, overlapTokens: CHUNK_OVERLAP_TOKENS });
    if (chunks.length === 0) return { file, hash, chunks, failure: { path: file.path, code: 'EMPTY', reason: 'The file has no text to index' } };
    return { file, hash, chunks, failure: null };
  } catch (error) {
    if (error instanceof DocumentParseError) return { file, hash, chunks: [], failure: { path: file.path, code: error.code, reason: error.message } };
    if (options.signal.aborted) throw error;
    const code = (error as NodeJS.ErrnoException)?.code;
    if (code === 'ENOENT' || code === 'EACCES' || code === 'EPERM' || code === 'EISDIR') {
      return { file, hash, chunks: [], failure: { path: file.path, code: 'UNREADABLE', reason: `The file could not be read (${code})` } };
    }
    return { file, hash, chunks: [], failure: { path: file.path, code: 'PARSE_FAILED', reason: `The file could not be parsed: ${(error as Error)?.message ?? String(error)}` } };
  }
}

function toRow(file: ScannedWithFlag, fileHash: string, chunk: Chunk, vector: number[] | undefined): ChunkRow {
  return {
    id: chunkId(file.path, chunk.ordinal, chunk.contentHash),
    path: file.path,
    type: file.type,
    page: chunk.page ?? 0,
    headingPath: chunk.headingPath,
    ordinal: chunk.ordinal,
    text: chunk.text,
    charStart: chunk.charStart,
    charEnd: chunk.charEnd,
    contentHash: chunk.contentHash,
    fileHash,
    localOnly: file.localOnly,
    location: chunk.location,
    ocr: chunk.ocr,
    ...(vector ? { vector } : {}),
  };
}

/** Stable across runs and machines: the same file content at the same path gives the same ids. */
export function chunkId(path: string, ordinal: number, contentHash: string): string {
  return createHash('sha256').update(`${path}\0${ordinal}\0${contentHash}`).digest('hex').slice(0, 32);
}

export async function hashFile(path: string): Promise<string> {
  return createHash('sha256').update(await readFile(path)).digest('hex');
}

export type { FileRegistry };
