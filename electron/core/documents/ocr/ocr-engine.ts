import { copyFile, mkdtemp, rm, stat, symlink } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { availableParallelism, tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type TesseractModule from 'tesseract.js';
import { DocumentParseError } from '../types';

type Tesseract = typeof TesseractModule;
type Scheduler = ReturnType<Tesseract['createScheduler']>;

/** Reads text off images. The document parsers take this interface, so a test can hand them another. */
export interface OcrReader {
  /** The image's text (png, jpg, tiff, bmp, webp bytes); rejects with a DocumentParseError when OCR cannot run. */
  recognize(image: Uint8Array, signal?: AbortSignal): Promise<{ text: string; confidence: number }>;
}

export interface OcrEngineOptions {
  /** Tesseract language codes ("eng", "deu"...), read at each start: each needs its `@tesseract.js-data/<code>` package installed. */
  languages: () => readonly string[];
  /** OCR worker threads; default: half the cores, 1 to 2 (each holds its language data, ~40 MB for English). */
  workers?: number;
  /** The workers end after this long without work (default 60 s) and start again on the next image. */
  idleMs?: number;
}

const require = createRequire(import.meta.url);
const OEM_LSTM_ONLY = 1;

/** One started scheduler: its languages, its temporary language folder (if any), and the jobs it has in flight. */
interface Running {
  scheduler: Scheduler;
  key: string;
  linkFolder: string | null;
  /** Jobs added and not yet settled; a retired scheduler ends when this reaches 0. */
  jobs: number;
  retired: boolean;
  /** Rejects the jobs still waiting when the scheduler is ended under them (tesseract.js drops them silently). */
  waiting: Set<(error: Error) => void>;
  ended: Promise<void> | null;
}

/**
 * OCR with tesseract.js: its own worker threads do the recognition, so the
 * calling thread only waits. One scheduler, created on the first image (never
 * for a collection without scans), replaced when the languages change (the old
 * one finishes its images first), ended after a minute idle and on `dispose`.
 * Language data comes from the `@tesseract.js-data/<code>` packages on disk:
 * nothing is ever downloaded.
 */
export class OcrEngine implements OcrReader {
  private current: Promise<Running> | null = null;
  private readonly live = new Set<Running>();
  private idleTimer: NodeJS.Timeout | null = null;
  private active = 0;
  private disposed = false;

  constructor(private readonly options: OcrEngineOptions) {}

  /** Whether any OCR worker threads are running (or starting, or ending). */
  get running(): boolean {
    return this.live.size > 0 || this.current !== null;
  }

  async recognize(image: Uint8Array, signal?: AbortSignal): Promise<{ text: string; confidence: number }> {
    if (this.disposed) throw stopped();
    signal?.throwIfAborted();
    this.active++;
    this.clearIdle();
    let running: Running | null = null;
    try {
      running = await this.start();
      signal?.throwIfAborted();
      const { waiting } = running;
      let reject: (error: Error) => void = () => undefined;
      const ended = new Promise<never>((_, fail) => {
        reject = fail;
        waiting.add(fail);
      });
      // tesseract.js jobs cannot be taken back; an abort stops waiting and lets the job finish in its thread.
      const job = running.scheduler.addJob('recognize', Buffer.from(image.buffer, image.byteOffset, image.byteLength));
      try {
        const result = await abortable(Promise.race([job, ended]), signal);
        return { text: result.data.text, confidence: result.data.confidence };
      } finally {
        waiting.delete(reject);
        job.catch(() => undefined);
      }
    } catch (error) {
      if (signal?.aborted || error instanceof DocumentParseError) throw error;
      throw new DocumentParseError('PARSE_FAILED', `OCR could not read the image (${shortMessage(error)})`);
    } finally {
      if (running) {
        running.jobs--;
        if (running.retired && running.jobs === 0) void this.end(running);
      }
      this.active--;
      this.armIdle();
    }
  }

  /** Ends the worker threads (images still waiting reject); idempotent. */
  async dispose(): Promise<void> {
    this.disposed = true;
    this.clearIdle();
    const pending = this.current;
    this.current = null;
    const started = pending ? await pending.catch(() => null) : null;
    if (started) started.retired = true;
    await Promise.all([...this.live].map((running) => this.end(running)));
  }

  /**
   * The scheduler for the current languages, with one job counted on it. A
   * change of languages retires the old scheduler: it ends once its jobs have
   * settled (ending it under them would leave them waiting forever).
   */
  private async start(): Promise<Running> {
    let mine: Promise<Running> | null = null;
    for (;;) {
      const pending = this.current;
      const running = pending ? await pending.catch(() => null) : null;
      if (this.disposed) throw stopped();
      // The scheduler this call started failed: its error.
      if (!running && pending && pending === mine) return pending;
      // Another call replaced the scheduler meanwhile: look again.
      if (pending !== this.current && this.current !== null) continue;
      const languages = [...new Set(this.options.languages())];
      if (languages.length === 0) languages.push('eng');
      const key = languages.join('+');
      if (running && pending === this.current && running.key === key) {
        running.jobs++;
        return running;
      }
      if (running && pending === this.current) this.retire(running);
      const created = this.create(languages, key);
      mine = created;
      this.current = created;
      created.catch(() => {
        if (this.current === created) this.current = null;
      });
    }
  }

  /** The caller has already taken it out of `current`: it ends now when idle, else when its last job settles. */
  private retire(running: Running): void {
    running.retired = true;
    if (running.jobs === 0) void this.end(running);
  }

  private async create(languages: string[], key: string): Promise<Running> {
    const files = await Promise.all(languages.map((code) => languageFile(code)));
    const linkFolder = await linkedFolder(files);
    const langPath = linkFolder ?? dirname(files[0] ?? '.');
    const removeFolder = async () => {
      if (linkFolder) await rm(linkFolder, { recursive: true, force: true }).catch(() => undefined);
    };
    let scheduler: Scheduler;
    try {
      const imported = (await import('tesseract.js')) as Tesseract & { default?: Tesseract };
      const tesseract = imported.default ?? imported;
      scheduler = tesseract.createScheduler();
      const count = this.options.workers ?? Math.max(1, Math.min(2, Math.floor(availableParallelism() / 2)));
      try {
        for (let i = 0; i < count; i++) {
          // A local folder as langPath: tesseract.js reads `<langPath>/<code>.traineddata.gz` from disk ({code, data}
          // objects would avoid the folder, but tesseract.js 7 names such a language by its data, and fails).
          const worker = await tesseract.createWorker(languages, OEM_LSTM_ONLY, {
            langPath,
            cacheMethod: 'none',
            gzip: true,
            // A worker's own failure rejects its job (handled above) instead of being thrown in a thread.
            errorHandler: () => undefined,
          });
          scheduler.addWorker(worker);
        }
      } catch (error) {
        await scheduler.terminate().catch(() => undefined);
        throw new DocumentParseError('PARSE_FAILED', `OCR could not start (${shortMessage(error)})`);
      }
    } catch (error) {
      await removeFolder();
      throw error;
    }
    const running: Running = { scheduler, key, linkFolder, jobs: 0, retired: false, waiting: new Set(), ended: null };
    this.live.add(running);
    if (this.disposed) {
      running.retired = true;
      void this.end(running);
    }
    return running;
  }

  /** Ends one scheduler and removes its own language folder (never another scheduler's); idempotent. */
  private end(running: Running): Promise<void> {
    running.ended ??= (async () => {
      const error = stopped();
      for (const reject of running.waiting) reject(error);
      running.waiting.clear();
      await running.scheduler.terminate().catch(() => undefined);
      if (running.linkFolder) await rm(running.linkFolder, { recursive: true, force: true }).catch(() => undefined);
      this.live.delete(running);
    })();
    return running.ended;
  }

  private armIdle(): void {
    if (this.active > 0 || this.disposed || !this.current) return;
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      const pending = this.current;
      if (this.active > 0 || !pending) return;
      void pending.then(
        (running) => {
          if (this.active === 0 && this.current === pending) {
            this.current = null;
            this.retire(running);
          }
        },
        () => undefined,
      );
    }, this.options.idleMs ?? 60_000);
    this.idleTimer.unref();
  }

  private clearIdle(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }
}

function stopped(): DocumentParseError {
  return new DocumentParseError('PARSE_FAILED', 'OCR has stopped (the app is closing)');
}

/** Null when the languages share one folder (one package), else a new temporary folder of links to their files. */
async function linkedFolder(files: string[]): Promise<string | null> {
  const folders = new Set(files.map((file) => dirname(file)));
  if (folders.size <= 1) return null;
  const folder = await mkdtemp(join(tmpdir(), 'tandem-ocr-'));
  await Promise.all(files.map((file) => symlink(file, join(folder, basename(file))).catch(() => copyFile(file, join(folder, basename(file))))));
  return folder;
}

/**
 * A language's trained data file (gzipped) in its npm package: the "best_int"
 * LSTM model when the package has it (smaller, what tesseract.js itself picks
 * for the LSTM engine), else the full one.
 */
export async function languageFile(code: string): Promise<string> {
  if (!/^[a-z_]{3,12}$/.test(code)) throw new DocumentParseError('PARSE_FAILED', `"${code}" is not a Tesseract language code (like "eng" or "deu")`);
  let dir: string;
  try {
    dir = dirname(require.resolve(`@tesseract.js-data/${code}/package.json`));
  } catch {
    throw new DocumentParseError(
      'PARSE_FAILED',
      `The OCR language "${code}" is not installed: add the npm package @tesseract.js-data/${code}, or remove it from the setting documents.ocr.languages`,
    );
  }
  for (const folder of ['4.0.0_best_int', '4.0.0']) {
    const file = join(dir, folder, `${code}.traineddata.gz`);
    if (await stat(file).then((s) => s.isFile(), () => false)) return file;
  }
  throw new DocumentParseError('PARSE_FAILED', `The OCR language package @tesseract.js-data/${code} holds no ${code}.traineddata.gz`);
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

function shortMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]?.slice(0, 160) ?? 'unknown error';
}
