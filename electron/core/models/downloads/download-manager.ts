import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { CatalogEntry, DownloadStatus } from '../../../../shared/ipc/routes/downloads';
import { CodedError, toTandemError } from '../../../../shared/ipc/errors';
import { fsyncDir } from '../../fs/atomic-write';
import { inspectGguf } from '../gguf-inspect';
import { resolveModelSource } from './hf-resolver';
import { JournalStore, type Journal } from './download-journal';

export interface DownloadManagerOptions {
  /** The models folder finished files are renamed into; parts live in its hidden `.partial`. */
  modelsDir: string;
  /** Called at most every `progressIntervalMs` while bytes flow, and on every state change. */
  onProgress?: (status: DownloadStatus) => void;
  /** Called once a file is in the models folder; answers the model id the library gives it. */
  onCompleted?: (path: string) => Promise<string | null>;
  progressIntervalMs?: number;
  fetch?: typeof fetch;
}

interface Entry {
  journal: Journal;
  state: DownloadStatus['state'];
  bytesPerSecond: number;
  modelId: string | null;
  error: DownloadStatus['error'];
  controller: AbortController | null;
  intent: 'pause' | 'cancel' | null;
  running: Promise<void> | null;
  samples: { at: number; bytes: number }[];
  lastEmit: number;
}

const SPEED_WINDOW_MS = 3000;
const JOURNAL_EVERY_MS = 1000;

/**
 * Downloads GGUF files into the models folder: resumable (HTTP Range with
 * If-Range, a journal beside the part file so a restart picks up where it
 * stopped), pausable, cancellable, and verified (size, checksum when known,
 * GGUF header) before the file appears where the library looks.
 */
export class DownloadManager {
  private readonly entries = new Map<string, Entry>();
  private readonly journals: JournalStore;
  private readonly fetchImpl: typeof fetch;
  private disposed = false;

  constructor(private readonly options: DownloadManagerOptions) {
    this.journals = new JournalStore(join(options.modelsDir, '.partial'));
    this.fetchImpl = options.fetch ?? fetch;
  }

  /** Unfinished downloads from earlier runs come back paused. */
  async init(): Promise<void> {
    for (const journal of await this.journals.loadAll()) {
      if (!this.entries.has(journal.id)) this.entries.set(journal.id, this.newEntry(journal, 'paused'));
    }
  }

  list(): DownloadStatus[] {
    return [...this.entries.values()].map((entry) => this.statusOf(entry));
  }

  get(id: string): DownloadStatus {
    return this.statusOf(this.entry(id));
  }

  /**
   * Starts a download (or resumes the unfinished one for the same source).
   * Answers once it is under way; `done(id)` waits for the end.
   */
  async start(source: { uri: string; sha256?: string | null }): Promise<DownloadStatus> {
    this.assertOpen();
    const resolved = await resolveModelSource(source.uri, this.fetchImpl);
    const id = downloadId(resolved.fileName, resolved.url);
    const existing = this.entries.get(id);
    if (existing && (existing.running || existing.state === 'paused' || existing.state === 'failed')) {
      if (!existing.running) {
        if (source.sha256) existing.journal.sha256 = source.sha256.toLowerCase();
        this.launch(existing);
      }
      return this.statusOf(existing);
    }
    const journal: Journal = {
      version: 1,
      id,
      uri: source.uri,
      url: resolved.url,
      fileName: resolved.fileName,
      totalBytes: null,
      validator: null,
      sha256: source.sha256?.toLowerCase() ?? null,
      bytesDone: 0,
    };
    await this.journals.remove(id);
    const entry = this.newEntry(journal, 'queued');
    this.entries.set(id, entry);
    this.launch(entry);
    return this.statusOf(entry);
  }

  /** Starts a catalog entry, with its checksum when the catalog has one. */
  startCatalog(entry: CatalogEntry): Promise<DownloadStatus> {
    return this.start({ uri: entry.uri, sha256: entry.sha256 ?? null });
  }

  /** Waits until the download stops (finished, failed, paused or cancelled). */
  async done(id: string): Promise<DownloadStatus> {
    const entry = this.entry(id);
    await entry.running;
    return this.statusOf(entry);
  }

  async pause(id: string): Promise<DownloadStatus> {
    const entry = this.entry(id);
    if (entry.running) {
      entry.intent = 'pause';
      entry.controller?.abort();
      await entry.running;
    }
    return this.statusOf(entry);
  }

  async resume(id: string): Promise<DownloadStatus> {
    this.assertOpen();
    const entry = this.entry(id);
    if (entry.state === 'completed' || entry.state === 'cancelled') {
      throw new CodedError('CONFLICT', `The download of ${entry.journal.fileName} has ${entry.state}; start it again instead.`);
    }
    if (!entry.running) this.launch(entry);
    return this.statusOf(entry);
  }

  /** Stops the download and deletes its partial file and journal. */
  async cancel(id: string): Promise<DownloadStatus> {
    const entry = this.entry(id);
    if (entry.running) {
      entry.intent = 'cancel';
      entry.controller?.abort();
      await entry.running;
    }
    if (entry.state !== 'completed') {
      await this.journals.remove(id);
      this.setState(entry, 'cancelled');
    }
    return this.statusOf(entry);
  }

  /** Pauses everything in flight (their journals stay, so the next start resumes them). */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await Promise.all([...this.entries.values()].filter((e) => e.running).map((e) => this.pause(e.journal.id)));
  }

  private newEntry(journal: Journal, state: DownloadStatus['state']): Entry {
    return { journal, state, bytesPerSecond: 0, modelId: null, error: null, controller: null, intent: null, running: null, samples: [], lastEmit: 0 };
  }

  private entry(id: string): Entry {
    const entry = this.entries.get(id);
    if (!entry) throw new CodedError('NOT_FOUND', `No download "${id}"`);
    return entry;
  }

  private assertOpen(): void {
    if (this.disposed) throw new CodedError('CONFLICT', 'Downloads are shutting down');
  }

  private launch(entry: Entry): void {
    entry.intent = null;
    entry.error = null;
    entry.controller = new AbortController();
    this.setState(entry, 'downloading');
    entry.running = this.run(entry, entry.controller.signal).finally(() => {
      entry.running = null;
      entry.controller = null;
    });
  }

  private async run(entry: Entry, signal: AbortSignal): Promise<void> {
    try {
      await mkdir(this.journals.dir, { recursive: true });
      await this.transfer(entry, signal);
      this.setState(entry, 'verifying');
      const path = await this.verifyAndInstall(entry);
      entry.modelId = (await this.options.onCompleted?.(path).catch(() => null)) ?? entry.journal.fileName.replace(/\.gguf$/i, '');
      this.setState(entry, 'completed');
    } catch (error) {
      if (entry.intent === 'pause') {
        await this.journals.save({ ...entry.journal, bytesDone: await this.journals.partSize(entry.journal.id) }).catch(() => undefined);
        entry.journal.bytesDone = await this.journals.partSize(entry.journal.id);
        this.setState(entry, 'paused');
        return;
      }
      if (entry.intent === 'cancel') return; // cancel() deletes the files and reports
      const coded = classify(error, entry.journal);
      if (coded.code === 'NOT_GGUF' || coded.code === 'CHECKSUM_MISMATCH' || coded.code === 'DOWNLOAD_FAILED') {
        await this.journals.remove(entry.journal.id).catch(() => undefined);
        entry.journal.bytesDone = 0;
      } else {
        entry.journal.bytesDone = await this.journals.partSize(entry.journal.id);
        await this.journals.save(entry.journal).catch(() => undefined);
      }
      entry.error = { code: coded.code, message: coded.message };
      this.setState(entry, 'failed');
    }
  }

  /** Fetches the rest of the file into the part file, resuming with Range when there is a part. */
  private async transfer(entry: Entry, signal: AbortSignal): Promise<void> {
    const { journal } = entry;
    let offset = await this.journals.partSize(journal.id);
    if (journal.totalBytes !== null && offset === journal.totalBytes && offset > 0) return;
    if (journal.totalBytes !== null && offset > journal.totalBytes) offset = 0;
    const headers: Record<string, string> = { 'accept-encoding': 'identity' };
    if (offset > 0) {
      headers.range = `bytes=${offset}-`;
      if (journal.validator) headers['if-range'] = journal.validator;
    }
    let response: Response;
    try {
      response = await this.fetchImpl(journal.url, { headers, signal, redirect: 'follow' });
    } catch (error) {
      throw networkError(error, journal.url);
    }
    if (response.status === 416 && offset > 0) {
      // the part is as long as (or longer than) the file: start over rather than guess
      await response.body?.cancel();
      await this.journals.remove(journal.id);
      return this.transfer(entry, signal);
    }
    if (response.status === 404 || response.status === 410) {
      throw new CodedError('DOWNLOAD_FAILED', `Nothing to download at ${journal.url} (${response.status} Not Found). Check the model name or URL.`);
    }
    if (response.status === 401 || response.status === 403) {
      throw new CodedError('DOWNLOAD_FAILED', `The server refused the download (${response.status}); the model may be gated or private.`);
    }
    if (!response.ok) {
      const retryable = response.status >= 500 || response.status === 429;
      const error = new CodedError(retryable ? 'NETWORK' : 'DOWNLOAD_FAILED', `The server answered ${response.status} for ${journal.url}.`, { retryable });
      await response.body?.cancel();
      throw error;
    }
    let total: number | null;
    if (offset > 0 && response.status === 206) {
      const range = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(response.headers.get('content-range') ?? '');
      if (!range || Number(range[1]) !== offset) {
        await response.body?.cancel();
        throw new CodedError('DOWNLOAD_FAILED', `The server resumed at the wrong place (${response.headers.get('content-range') ?? 'no Content-Range'}).`, { retryable: true });
      }
      total = range[3] === '*' ? null : Number(range[3]);
    } else {
      // a 200 to a ranged request: the server ignored Range (or the file changed), so start over
      offset = 0;
      const length = response.headers.get('content-length');
      total = length === null ? null : Number(length);
    }
    if (journal.totalBytes !== null && total !== null && total !== journal.totalBytes && offset > 0) {
      await response.body?.cancel();
      await this.journals.remove(journal.id);
      journal.totalBytes = null;
      return this.transfer(entry, signal);
    }
    journal.totalBytes = total;
    const etag = response.headers.get('etag');
    journal.validator = etag && !etag.startsWith('W/') ? etag : response.headers.get('last-modified');
    journal.bytesDone = offset;
    entry.samples = [{ at: Date.now(), bytes: offset }];
    await this.journals.save(journal);
    if (!response.body) throw new CodedError('DOWNLOAD_FAILED', 'The server sent no data.');

    const handle: FileHandle = await open(this.journals.partPath(journal.id), offset > 0 ? 'r+' : 'w');
    let position = offset;
    let lastJournal = Date.now();
    try {
      try {
        for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
          if (position === 0 && chunk.length >= 4 && Buffer.from(chunk.subarray(0, 4)).toString('latin1') !== 'GGUF') {
            throw new CodedError('NOT_GGUF', `${journal.url} is not a GGUF model file (it starts with "${printable(chunk)}"). Check the URL.`);
          }
          await writeAll(handle, chunk, position);
          position += chunk.length;
          journal.bytesDone = position;
          const now = Date.now();
          this.tick(entry, now);
          if (now - lastJournal >= JOURNAL_EVERY_MS) {
            lastJournal = now;
            await this.journals.save(journal);
          }
        }
      } catch (error) {
        if (error instanceof CodedError || (error as NodeJS.ErrnoException).code === 'ENOSPC') throw error;
        throw networkError(error, journal.url);
      }
    } finally {
      await handle.close();
    }
    if (total !== null && position < total) {
      throw new CodedError('NETWORK', `The connection closed after ${position} of ${total} bytes; resume to continue.`, { retryable: true });
    }
    journal.totalBytes = position;
    await this.journals.save(journal);
  }

  private async verifyAndInstall(entry: Entry): Promise<string> {
    const { journal } = entry;
    const part = this.journals.partPath(journal.id);
    const size = (await stat(part)).size;
    if (journal.totalBytes !== null && size !== journal.totalBytes) {
      throw new CodedError('CHECKSUM_MISMATCH', `The downloaded file has ${size} bytes, the server announced ${journal.totalBytes}.`);
    }
    if (journal.sha256) {
      const actual = await sha256File(part);
      if (actual !== journal.sha256) {
        throw new CodedError('CHECKSUM_MISMATCH', `${journal.fileName} does not match its checksum (expected ${journal.sha256}, got ${actual}); it was deleted.`);
      }
    }
    const inspection = await inspectGguf(part, size);
    if (inspection.problem) throw new CodedError('NOT_GGUF', `${journal.fileName} is not a usable GGUF model: ${inspection.problem}`);
    const target = join(this.options.modelsDir, journal.fileName);
    await rename(part, target);
    await fsyncDir(this.options.modelsDir);
    await this.journals.remove(journal.id);
    return target;
  }

  private tick(entry: Entry, now: number): void {
    entry.samples.push({ at: now, bytes: entry.journal.bytesDone });
    while (entry.samples.length > 2 && now - entry.samples[0]!.at > SPEED_WINDOW_MS) entry.samples.shift();
    const first = entry.samples[0]!;
    const elapsed = (now - first.at) / 1000;
    if (elapsed > 0) entry.bytesPerSecond = (entry.journal.bytesDone - first.bytes) / elapsed;
    if (now - entry.lastEmit >= (this.options.progressIntervalMs ?? 250)) this.emit(entry, now);
  }

  private setState(entry: Entry, state: DownloadStatus['state']): void {
    entry.state = state;
    if (state !== 'downloading') entry.bytesPerSecond = 0;
    this.emit(entry, Date.now());
  }

  private emit(entry: Entry, now: number): void {
    entry.lastEmit = now;
    this.options.onProgress?.(this.statusOf(entry));
  }

  private statusOf(entry: Entry): DownloadStatus {
    const { journal } = entry;
    const left = journal.totalBytes === null ? null : Math.max(0, journal.totalBytes - journal.bytesDone);
    return {
      id: journal.id,
      uri: journal.uri,
      fileName: journal.fileName,
      state: entry.state,
      bytesDone: journal.bytesDone,
      totalBytes: journal.totalBytes,
      bytesPerSecond: Math.max(0, Math.round(entry.bytesPerSecond)),
      etaSeconds: left !== null && entry.bytesPerSecond > 0 ? left / entry.bytesPerSecond : null,
      modelId: entry.modelId,
      error: entry.error,
    };
  }
}

/** Stable per source, so pulling the same URI again resumes the same part file. */
export function downloadId(fileName: string, url: string): string {
  const stem = fileName.replace(/\.gguf$/i, '').replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 80);
  return `${stem}-${createHash('sha256').update(url).digest('hex').slice(0, 8)}`;
}

function classify(error: unknown, journal: Journal): CodedError {
  if (error instanceof CodedError) return error;
  if ((error as NodeJS.ErrnoException).code === 'ENOSPC') {
    return new CodedError('DISK_FULL', `The disk is full while downloading ${journal.fileName}. Free some space and resume.`);
  }
  const { message } = toTandemError(error);
  return new CodedError('STORAGE_FAILED', `Downloading ${journal.fileName} failed: ${message}`);
}

function networkError(error: unknown, url: string): Error {
  if ((error as Error).name === 'AbortError') return error as Error;
  if ((error as NodeJS.ErrnoException).code === 'ENOSPC') return error as Error;
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const detail = cause?.code ?? cause?.message ?? (error as Error).message;
  const host = (() => {
    try {
      return new URL(url).host;
    } catch {
      return url;
    }
  })();
  return new CodedError('NETWORK', `The connection to ${host} failed (${detail}). Check your network and resume.`, { retryable: true, cause: error });
}

async function writeAll(handle: FileHandle, chunk: Uint8Array, position: number): Promise<void> {
  let written = 0;
  while (written < chunk.length) {
    const { bytesWritten } = await handle.write(chunk, written, chunk.length - written, position + written);
    written += bytesWritten;
  }
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function printable(chunk: Uint8Array): string {
  return Buffer.from(chunk.subarray(0, 16)).toString('latin1').replace(/[^\x20-\x7e]/g, '.');
}
