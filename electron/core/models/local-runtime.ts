import { freemem } from 'node:os';
import {
  getLlama,
  LlamaLogLevel,
  type Llama,
  type LlamaContext,
  type LlamaContextOptions,
  type LlamaEmbeddingContext,
  type LlamaModel,
} from 'node-llama-cpp';
import type { LlamaLogger } from './runtime/load-llama';
import type { LocalModel } from '../../../shared/ipc/domain';
import { CodedError } from '../../../shared/ipc/errors';
import type { LoadedModelStatus, LoadOptions } from '../../../shared/ipc/routes/models';
import type { StreamPart } from '../../../shared/ipc/stream-parts';
import type { Logger } from '../app/logger';
import { AsyncQueue } from './async-queue';
import { GenerationScheduler } from './generation-scheduler';
import type { GenerateRequest, LanguageModel } from './language-model';
import { generateLocal } from './local-generation';
import { ModelInspector } from './model-inspector';
import { resolveThreads, type ThreadSetting } from './threads';

/** How long shutdown waits for node-llama-cpp to release its backend. */
const LLAMA_DISPOSE_TIMEOUT_MS = 3000;
/** 'auto' budget: this share of the memory free for models (free RAM and VRAM plus what loaded models hold). */
const AUTO_BUDGET_FRACTION = 0.8;
/**
 * Context sequences a chat model gets when memory allows: that many requests
 * on one model run at once, their tokens decoded together in one batch.
 */
export const DEFAULT_CHAT_SEQUENCES = 4;
/** Recent answers per model kept for measured speed. */
const SPEED_SAMPLES = 20;

/** Measured on a model's recent answers (medians). */
export interface MeasuredSpeed {
  /** From the request to its first token, waiting for the model included. */
  ttftMs: number;
  tokensPerSecond: number | null;
  samples: number;
}

export type MemoryBudget = 'auto' | number;

export interface LocalRuntimeOptions {
  logger: Logger;
  threads: () => { generation: ThreadSetting; batch: ThreadSetting };
  contextSize: () => 'auto' | number;
  /** Bytes all loaded models may hold together; 'auto' (the default) is a share of free RAM + VRAM. */
  memoryBudget?: () => MemoryBudget;
  /** 'auto' picks Metal/CUDA/Vulkan when a prebuilt binary works, else CPU. */
  gpu?: 'auto' | false;
  /** Load options saved for a model (settings.modelLoadOptions), used when it loads without explicit ones. */
  savedLoadOptions?: (info: LocalModel) => LoadOptions | undefined;
  /** Told whenever a model starts loading, loads, unloads or fails. */
  onStatus?: (status: LoadedModelStatus) => void;
  /** Makes the Llama backend (the runtime service picks prebuilt or the build for this computer); default: the prebuilt. */
  loadLlama?: (logger: LlamaLogger) => Promise<Llama>;
  /**
   * Threads measured for a chat model on the runtime in use (the first load
   * measures, later ones read it back); null: the rules in threads.ts. Asked
   * only when the `threads` setting and the model's load options are 'auto'.
   */
  measuredThreads?: (info: LocalModel, model: LlamaModel, signal: AbortSignal) => Promise<{ chat: number; batch: number } | null>;
}

/** A model loads for chat (a generation context) or for embeddings (an embedding context); each counts against the budget. */
export type LoadKind = 'chat' | 'embedding';

interface Entry {
  info: LocalModel;
  kind: LoadKind;
  state: 'loading' | 'loaded';
  model: LlamaModel | null;
  context: LlamaContext | null;
  embedding: LlamaEmbeddingContext | null;
  controller: AbortController;
  ready: Promise<Entry>;
  memoryBytes: number;
  threads: number | null;
  lastUsed: number;
  usedAt: number;
  /** Generations running on it; an entry in use is never evicted. */
  inUse: number;
  /** Context sequences: how many generations run on it at once. */
  sequences: number;
  /** Memory the sequences beyond the first hold (given back when room is short, see makeRoom). */
  batchingBytes: number;
  /** How its context was made, to make it again with one sequence. */
  contextOptions: LlamaContextOptions | null;
  /** Set while its context is being made again with one sequence. */
  shrinking: Promise<void> | null;
  /** Set once it is being unloaded: no new work starts on it, requests for the model wait and load it again. */
  unloading: Promise<void> | null;
  /** Woken when inUse drops to 0. */
  unusedWaiters: (() => void)[];
}

/**
 * Owns node-llama-cpp: the Llama instance and the loaded models. Several
 * models stay loaded while their estimated memory fits the budget; loading
 * one more unloads the least recently used idle ones first. Requests on one
 * chat model run together on the context's sequences (node-llama-cpp decodes
 * their tokens in one batch); different models take turns.
 */
export class LocalRuntime {
  private llama: Promise<Llama> | null = null;
  private readonly entries = new Map<string, Entry>();
  /** Options from the last explicit load of each model (by path), reused when a chat loads it. */
  private readonly preferred = new Map<string, LoadOptions>();
  private readonly generations = new GenerationScheduler((key) => this.entries.get(key)?.sequences ?? 1);
  private disposed = false;
  private clock = 0;
  private readonly speeds = new Map<string, { ttftMs: number; tokensPerSecond: number | null }[]>();
  readonly inspector: ModelInspector;

  constructor(private readonly options: LocalRuntimeOptions) {
    this.inspector = new ModelInspector(() => this.getLlama());
  }

  /** The threads the runtime would use for a model of this size. */
  threadsFor(modelBytes: number): { generation: number; batch: number } {
    return resolveThreads(this.options.threads(), modelBytes);
  }

  /** A LanguageModel view of a local GGUF file; the first generation loads it. */
  languageModel(info: LocalModel): LanguageModel {
    return { id: info.id, stream: (request, { signal }) => this.stream(info, request, signal) };
  }

  async backend(): Promise<Llama> {
    return this.getLlama();
  }

  /** The budget in bytes right now. */
  async memoryBudgetBytes(): Promise<number> {
    const setting = this.options.memoryBudget?.() ?? 'auto';
    if (setting !== 'auto') return setting;
    const llama = await this.getLlama();
    const vram = llama.gpu === false ? 0 : (await llama.getVramState()).free;
    return Math.floor((freemem() + vram + this.usedBytes()) * AUTO_BUDGET_FRACTION);
  }

  /** Time to first token and tokens/s of a model's recent answers; null before it answered. */
  measuredSpeed(modelId: string): MeasuredSpeed | null {
    const samples = this.speeds.get(modelId);
    if (!samples?.length) return null;
    const median = (values: number[]) => {
      const sorted = [...values].sort((a, b) => a - b);
      return sorted.length === 0 ? null : sorted[Math.floor((sorted.length - 1) / 2)]!;
    };
    return {
      ttftMs: median(samples.map((s) => s.ttftMs))!,
      tokensPerSecond: median(samples.flatMap((s) => (s.tokensPerSecond === null ? [] : [s.tokensPerSecond]))),
      samples: samples.length,
    };
  }

  /** Loaded and loading models, most recently used first. */
  loaded(): LoadedModelStatus[] {
    return [...this.entries.values()].sort((a, b) => b.lastUsed - a.lastUsed).map((entry) => this.statusOf(entry));
  }

  /**
   * Loads a model (or answers at once when it is loaded), making room in the
   * memory budget first. `signal` (or `cancelLoad`) stops a load in progress.
   */
  async load(info: LocalModel, options: LoadOptions = {}, signal?: AbortSignal): Promise<LoadedModelStatus> {
    if (Object.keys(options).length > 0) {
      const before = JSON.stringify(this.preferred.get(info.path) ?? {});
      this.preferred.set(info.path, options);
      // new options for a loaded model take effect by loading it again
      if (before !== JSON.stringify(options) && this.entries.has(info.path)) await this.unload(info.path);
    }
    const entry = await this.ensureLoaded(info, signal);
    return this.statusOf(entry);
  }

  /** Stops a load in progress; false when the model was not loading. */
  cancelLoad(path: string): boolean {
    let cancelled = false;
    for (const entry of this.entriesFor(path)) {
      if (entry.state !== 'loading') continue;
      entry.controller.abort();
      cancelled = true;
    }
    return cancelled;
  }

  /**
   * Runs `work` with the model's embedding context (loading it for embeddings
   * first); work is queued with generations so the two take turns.
   */
  async withEmbeddingContext<T>(info: LocalModel, work: (context: LlamaEmbeddingContext) => Promise<T>, signal?: AbortSignal): Promise<T> {
    return this.generations.run(entryKey(info.path, 'embedding'), async () => {
      const entry = await this.useEntry(info, signal, 'embedding');
      try {
        return await work(entry.embedding!);
      } finally {
        this.endUse(entry);
      }
    }, signal);
  }

  /**
   * Unloads a model; generations running on it finish first, and requests
   * for it that come meanwhile wait for the unload, then load it again (they
   * never keep it loaded). False when it was not loaded.
   */
  async unload(path: string): Promise<boolean> {
    const entries = this.entriesFor(path);
    for (const entry of entries) {
      if (entry.state === 'loading') {
        entry.controller.abort();
        await entry.ready.catch(() => undefined);
        continue;
      }
      await this.unloadEntry(entry);
    }
    return entries.length > 0;
  }

  private unloadEntry(entry: Entry): Promise<void> {
    entry.unloading ??= (async () => {
      await this.untilUnused(entry);
      await this.release(entry);
    })();
    return entry.unloading;
  }

  /** Resolves when no generation runs on the entry. */
  private untilUnused(entry: Entry): Promise<void> {
    if (entry.inUse === 0) return Promise.resolve();
    return new Promise((resolve) => entry.unusedWaiters.push(resolve));
  }

  /**
   * The loaded entry for a model, counted in use (call endUse after): loads
   * it when needed, waits out an unload or a shrink, and loads it again when
   * it was unloaded meanwhile.
   */
  private async useEntry(info: LocalModel, signal: AbortSignal | undefined, kind: LoadKind): Promise<Entry> {
    for (;;) {
      const entry = await this.ensureLoaded(info, signal, kind);
      if (entry.shrinking) await entry.shrinking;
      if (entry.unloading || this.entries.get(entryKey(info.path, kind)) !== entry) continue;
      if (kind === 'chat' ? !entry.context : !entry.embedding) {
        // never expected (a failed shrink releases the entry); unloading it makes sure this loop moves on
        await this.unloadEntry(entry);
        continue;
      }
      entry.inUse++;
      return entry;
    }
  }

  private endUse(entry: Entry): void {
    entry.inUse--;
    this.touch(entry);
    if (entry.inUse > 0) return;
    const waiters = entry.unusedWaiters.splice(0, entry.unusedWaiters.length);
    for (const wake of waiters) wake();
  }

  private entriesFor(path: string): Entry[] {
    return [...this.entries.values()].filter((entry) => entry.info.path === path);
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    for (const entry of this.entries.values()) if (entry.state === 'loading') entry.controller.abort();
    this.generations.cancelWaiting(new CodedError('CANCELLED', 'The app is shutting down'));
    await this.generations.idle();
    for (const entry of [...this.entries.values()]) {
      if (entry.state === 'loading') await entry.ready.catch(() => undefined);
      else await this.release(entry);
    }
    const llama = await this.llama?.catch(() => null);
    if (!llama) return;
    // After a failed loadModel, node-llama-cpp's half-made model keeps a hold on the backend that only
    // llama.dispose() itself releases, and only while that model is not yet garbage-collected; otherwise
    // dispose() waits forever. Quitting must not hang on it.
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timed out'>((resolve) => (timer = setTimeout(() => resolve('timed out'), LLAMA_DISPOSE_TIMEOUT_MS)));
    const outcome = await Promise.race([llama.dispose(), timedOut]);
    clearTimeout(timer);
    if (outcome === 'timed out') this.options.logger.warn('llama.cpp did not shut down in time (after a failed model load); going on without it');
  }

  private getLlama(): Promise<Llama> {
    const logger: LlamaLogger = (level, message) => {
      if (level === LlamaLogLevel.error || level === LlamaLogLevel.fatal) this.options.logger.warn(`llama.cpp: ${message.trim()}`);
    };
    if (this.llama) return this.llama;
    const made = this.options.loadLlama
      ? this.options.loadLlama(logger)
      : getLlama({ gpu: this.options.gpu ?? 'auto', build: 'never', skipDownload: true, progressLogs: false, logLevel: LlamaLogLevel.error, logger });
    this.llama = made;
    // a backend that failed to load is made again on the next try
    made.catch(() => {
      if (this.llama === made) this.llama = null;
    });
    return made;
  }

  /** The Llama backend is made (a model was loaded, or backend() was called). */
  backendLoaded(): boolean {
    return this.llama !== null;
  }

  /**
   * Unloads every model (generations on them finish first) and drops the
   * backend, so the next load makes it again: how a change of runtime
   * takes effect from the next model load.
   */
  async resetBackend(): Promise<void> {
    const current = this.llama;
    if (!current) return;
    for (const entry of [...this.entries.values()]) {
      if (entry.state === 'loading') {
        entry.controller.abort();
        await entry.ready.catch(() => undefined);
      } else await this.unloadEntry(entry);
    }
    if (this.llama !== current) return;
    this.llama = null;
    this.inspector.clear();
    const llama = await current.catch(() => null);
    if (!llama) return;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timed out'>((resolve) => (timer = setTimeout(() => resolve('timed out'), LLAMA_DISPOSE_TIMEOUT_MS)));
    await Promise.race([llama.dispose(), timedOut]);
    clearTimeout(timer);
  }

  private usedBytes(except?: Entry): number {
    let used = 0;
    for (const entry of this.entries.values()) if (entry !== except) used += entry.memoryBytes;
    return used;
  }

  private async ensureLoaded(info: LocalModel, signal?: AbortSignal, kind: LoadKind = 'chat'): Promise<Entry> {
    if (this.disposed) throw new CodedError('CANCELLED', 'The app is shutting down');
    const key = entryKey(info.path, kind);
    for (let existing = this.entries.get(key); existing; existing = this.entries.get(key)) {
      // being unloaded: wait, then load it afresh
      if (existing.unloading) {
        await existing.unloading.catch(() => undefined);
        continue;
      }
      const entry = await existing.ready;
      if (entry.unloading || this.entries.get(key) !== entry) continue;
      this.touch(entry);
      return entry;
    }
    if (this.disposed) throw new CodedError('CANCELLED', 'The app is shutting down');
    const controller = new AbortController();
    const onAbort = () => controller.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) controller.abort();
    const entry: Entry = {
      info,
      kind,
      state: 'loading',
      model: null,
      context: null,
      embedding: null,
      controller,
      ready: null as unknown as Promise<Entry>,
      memoryBytes: 0,
      threads: null,
      lastUsed: ++this.clock,
      usedAt: Date.now(),
      inUse: 0,
      sequences: 1,
      batchingBytes: 0,
      contextOptions: null,
      shrinking: null,
      unloading: null,
      unusedWaiters: [],
    };
    entry.ready = this.loadEntry(entry).finally(() => signal?.removeEventListener('abort', onAbort));
    this.entries.set(key, entry);
    this.emit(entry);
    return entry.ready;
  }

  private async loadEntry(entry: Entry): Promise<Entry> {
    const { info, controller } = entry;
    const options = this.preferred.get(info.path) ?? this.options.savedLoadOptions?.(info) ?? {};
    const cancelled = () => new CodedError('CANCELLED', `Loading ${info.name} was cancelled`);
    let model = null as LlamaModel | null;
    try {
      const llama = await this.getLlama();
      const settingContext = this.options.contextSize();
      const contextSize =
        typeof options.contextSize === 'number'
          ? options.contextSize
          : options.contextSize === undefined && typeof settingContext === 'number'
            ? settingContext
            : await this.inspector.autoContextSize(info);
      const gpuLayers = llama.gpu === false ? 0 : options.gpuLayers ?? 'auto';
      const estimate = await this.inspector.estimate(info, { contextSize, gpuLayers, embedding: entry.kind === 'embedding' }).catch(() => null);
      entry.memoryBytes = estimate ? estimate.ramBytes + estimate.vramBytes : info.sizeBytes;
      if (controller.signal.aborted) throw cancelled();
      await this.makeRoom(entry);
      if (controller.signal.aborted) throw cancelled();
      let threads = typeof options.threads === 'number' ? Math.max(1, options.threads) : this.threadsFor(info.sizeBytes).generation;
      const started = performance.now();
      try {
        model = await llama.loadModel({ modelPath: info.path, gpuLayers, loadSignal: controller.signal });
      } catch (error) {
        if (controller.signal.aborted) throw cancelled();
        throw new CodedError('MODEL_LOAD_FAILED', `This file could not be loaded: ${(error as Error).message}`, { cause: error });
      }
      if (controller.signal.aborted) throw cancelled();
      if (
        entry.kind === 'chat' &&
        this.options.measuredThreads &&
        typeof options.threads !== 'number' &&
        this.options.threads().generation === 'auto' &&
        llama.gpu === false
      ) {
        const measured = await this.options.measuredThreads(info, model, controller.signal);
        if (controller.signal.aborted) throw cancelled();
        if (measured) threads = measured.chat;
      }
      if (entry.kind === 'embedding') {
        try {
          entry.embedding = await model.createEmbeddingContext({
            contextSize: Math.min(contextSize, model.trainContextSize),
            threads: this.threadsFor(info.sizeBytes).batch,
            batchSize: typeof options.batchSize === 'number' ? options.batchSize : undefined,
            createSignal: controller.signal,
          });
        } catch (error) {
          if (controller.signal.aborted) throw cancelled();
          throw new CodedError('MODEL_LOAD_FAILED', `${info.name} cannot make embeddings: ${(error as Error).message}`, { cause: error });
        }
        Object.assign(entry, { state: 'loaded', model, threads: this.threadsFor(info.sizeBytes).batch });
        this.emit(entry);
        return entry;
      }
      let sequences = await this.sequencesFor(entry, model, contextSize, llama);
      const contextOptions: LlamaContextOptions = {
        contextSize: options.contextSize === undefined && settingContext === 'auto' ? { max: contextSize } : contextSize,
        threads: { ideal: threads, min: 1 },
        batchSize: typeof options.batchSize === 'number' ? options.batchSize : undefined,
      };
      entry.contextOptions = contextOptions;
      const create = (count: number) =>
        model!.createContext({
          ...contextOptions,
          // one spare: a sequence given back is cleared only when the decode loop pauses (see takeSequence)
          sequences: count > 1 ? count + 1 : 1,
          createSignal: controller.signal,
        });
      let context: LlamaContext | null = null;
      if (sequences > 1) {
        // batching is a bonus: when the context for several sequences does not fit (the estimate was off,
        // VRAM is short) or comes out with a shorter window than one sequence would get, one sequence it is
        try {
          context = await create(sequences);
          if (context.contextSize < contextSize) {
            this.options.logger.info(
              `${info.name}: ${sequences} sequences would get a context of ${context.contextSize} tokens (< ${contextSize}); one sequence instead`,
            );
            await context.dispose();
            context = null;
          }
        } catch (error) {
          if (controller.signal.aborted) throw cancelled();
          this.options.logger.warn(`${info.name}: no context for ${sequences} sequences (${(error as Error).message}); one sequence instead`);
          context = null;
        }
        if (!context) {
          sequences = 1;
          entry.memoryBytes -= entry.batchingBytes;
          entry.batchingBytes = 0;
        }
      }
      try {
        context ??= await create(1);
      } catch (error) {
        if (controller.signal.aborted) throw cancelled();
        throw new CodedError('MODEL_LOAD_FAILED', `Could not create a context for ${info.name}: ${(error as Error).message}`, { cause: error });
      }
      if (controller.signal.aborted) {
        await context.dispose();
        throw cancelled();
      }
      this.options.logger.info(
        `loaded ${info.name} (${llama.gpu || 'cpu'}, ${threads} threads, context ${context.contextSize}, ${sequences} sequences) in ${Math.round(performance.now() - started)} ms`,
      );
      Object.assign(entry, { state: 'loaded', model, context, threads, sequences });
      this.emit(entry);
      // requests waiting for this model may now run side by side
      this.generations.pump();
      return entry;
    } catch (error) {
      await entry.embedding?.dispose().catch(() => undefined);
      entry.embedding = null;
      if (model) await model.dispose().catch(() => undefined);
      this.entries.delete(entryKey(info.path, entry.kind));
      const coded = error instanceof CodedError ? error : new CodedError('MODEL_LOAD_FAILED', (error as Error).message, { cause: error });
      this.options.onStatus?.({ ...this.statusOf(entry), state: coded.code === 'CANCELLED' ? 'unloaded' : 'error', error: coded.message });
      throw coded;
    }
  }

  /**
   * How many requests run at once on a chat model (context sequences, plus
   * one spare): DEFAULT_CHAT_SEQUENCES when their extra KV cache fits the budget beside everything already loaded
   * (more sequences never unload another model), else fewer, down to 1.
   */
  private async sequencesFor(entry: Entry, model: LlamaModel, contextSize: number, llama: Llama): Promise<number> {
    try {
      const budget = await this.memoryBudgetBytes();
      const room = budget - this.usedBytes(entry) - entry.memoryBytes;
      const cost = (sequences: number) =>
        model.fileInsights.estimateContextResourceRequirementsV2({ contextSize, modelGpuLayers: model.gpuLayers, sequences });
      const one = await cost(1);
      // the model's weights are in VRAM by now: the whole KV cache of an offloaded context must fit in what is left,
      // whatever the RAM + VRAM budget says
      const freeVram = llama.gpu === false || model.gpuLayers === 0 ? null : (await llama.getVramState()).free;
      for (let sequences = DEFAULT_CHAT_SEQUENCES; sequences > 1; sequences = Math.floor(sequences / 2)) {
        // with the spare sequence the context is made with
        const several = await cost(sequences + 1);
        const extra = Math.max(0, several.cpuRam + several.gpuVram - (one.cpuRam + one.gpuVram));
        const vramFits = freeVram === null || several.gpuVram <= freeVram * AUTO_BUDGET_FRACTION;
        if (extra <= room && vramFits) {
          entry.memoryBytes += extra;
          entry.batchingBytes = extra;
          return sequences;
        }
      }
    } catch (error) {
      this.options.logger.warn(`could not estimate memory for several sequences of ${entry.info.name}: ${(error as Error).message}`);
    }
    return 1;
  }

  /** Unloads least recently used idle models until `entry` fits the budget. */
  private async makeRoom(entry: Entry): Promise<void> {
    const budget = await this.memoryBudgetBytes();
    if (entry.memoryBytes > budget) {
      throw new CodedError(
        'MODEL_LOAD_FAILED',
        `${entry.info.name} needs about ${mib(entry.memoryBytes)} but the memory budget is ${mib(budget)}; raise the budget or pick a smaller context size`,
      );
    }
    // idle models first give back the memory of their extra sequences (cheaper than unloading one)
    const shrinkable = [...this.entries.values()]
      .filter((other) => other !== entry && other.state === 'loaded' && other.inUse === 0 && !other.unloading && other.batchingBytes > 0)
      .sort((a, b) => a.lastUsed - b.lastUsed);
    for (const other of shrinkable) {
      if (this.usedBytes(entry) + entry.memoryBytes <= budget) break;
      await this.shrink(other);
    }
    while (this.usedBytes(entry) + entry.memoryBytes > budget) {
      const victim = [...this.entries.values()]
        .filter((other) => other !== entry && other.state === 'loaded' && other.inUse === 0 && !other.unloading)
        .sort((a, b) => a.lastUsed - b.lastUsed)[0];
      if (!victim) {
        throw new CodedError('MODEL_LOAD_FAILED', `Not enough room in the memory budget for ${entry.info.name} while other models are busy`, {
          retryable: true,
        });
      }
      this.options.logger.info(`unloading ${victim.info.name} to make room for ${entry.info.name}`);
      await this.unloadEntry(victim);
    }
  }

  /**
   * Makes an idle model's context again with one sequence, giving back the
   * memory of the others. When the new context cannot be made, the model is
   * unloaded (the next request loads it afresh) rather than left without one.
   */
  private async shrink(entry: Entry): Promise<void> {
    const { model, contextOptions } = entry;
    if (!model || !contextOptions || entry.sequences <= 1 || entry.inUse > 0 || entry.unloading || entry.shrinking) return;
    this.options.logger.info(`${entry.info.name}: one sequence from now on, to make room`);
    entry.shrinking = (async () => {
      const old = entry.context;
      entry.context = null;
      try {
        await old?.dispose();
        entry.context = await model.createContext({ ...contextOptions, sequences: 1 });
        entry.memoryBytes -= entry.batchingBytes;
        entry.batchingBytes = 0;
        entry.sequences = 1;
        this.emit(entry);
      } catch (error) {
        this.options.logger.warn(`${entry.info.name}: could not make its context again (${(error as Error).message}); unloading it`);
        await this.release(entry).catch(() => undefined);
      }
    })();
    try {
      await entry.shrinking;
    } finally {
      entry.shrinking = null;
    }
  }

  private async release(entry: Entry): Promise<void> {
    const key = entryKey(entry.info.path, entry.kind);
    if (this.entries.get(key) === entry) this.entries.delete(key);
    else if (!entry.context && !entry.embedding && !entry.model) return; // released already
    const { context, embedding, model } = entry;
    entry.context = null;
    entry.embedding = null;
    entry.model = null;
    await context?.dispose();
    await embedding?.dispose();
    await model?.dispose();
    this.options.onStatus?.({ ...this.statusOf(entry), state: 'unloaded' });
  }

  private statusOf(entry: Entry): LoadedModelStatus {
    return {
      modelId: entry.info.id,
      path: entry.info.path,
      state: entry.state,
      memoryBytes: entry.memoryBytes,
      kind: entry.kind,
      contextSize: entry.context?.contextSize ?? null,
      gpuLayers: entry.model?.gpuLayers ?? null,
      threads: entry.threads,
      lastUsedAt: new Date(entry.usedAt).toISOString(),
      error: null,
    };
  }

  private touch(entry: Entry): void {
    entry.lastUsed = ++this.clock;
    entry.usedAt = Date.now();
  }

  private emit(entry: Entry): void {
    this.options.onStatus?.(this.statusOf(entry));
  }

  private stream(info: LocalModel, request: GenerateRequest, signal: AbortSignal): AsyncIterable<StreamPart> {
    const parts = new AsyncQueue<StreamPart>();
    const started = performance.now();
    let firstAt: number | null = null;
    let outputTokens = 0;
    const push = (part: StreamPart) => {
      if (firstAt === null && (part.type === 'text-delta' || part.type === 'reasoning-delta' || part.type === 'tool-call')) firstAt = performance.now();
      if (part.type === 'usage') outputTokens = part.usage.outputTokens;
      if (part.type === 'finish' && part.reason !== 'cancelled' && firstAt !== null) this.recordSpeed(info.id, started, firstAt, outputTokens);
      parts.push(part);
    };
    void this.generations
      .run(entryKey(info.path, 'chat'), () => this.generate(info, request, signal, { push }), signal)
      .catch((error: unknown) => {
        const coded = error instanceof CodedError ? error : null;
        if (coded?.code === 'CANCELLED' && signal.aborted) {
          parts.push({ type: 'finish', reason: 'cancelled' });
          return;
        }
        parts.push({
          type: 'error',
          code: coded?.code ?? 'GENERATION_FAILED',
          message: coded?.message ?? `Generation failed: ${(error as Error)?.message ?? String(error)}`,
          retryable: coded?.retryable ?? false,
        });
      })
      .finally(() => parts.close());
    return parts;
  }

  private recordSpeed(modelId: string, started: number, firstAt: number, outputTokens: number): void {
    const now = performance.now();
    const samples = this.speeds.get(modelId) ?? [];
    samples.push({
      ttftMs: firstAt - started,
      tokensPerSecond: outputTokens > 1 && now > firstAt ? (outputTokens - 1) / ((now - firstAt) / 1000) : null,
    });
    if (samples.length > SPEED_SAMPLES) samples.shift();
    this.speeds.set(modelId, samples);
  }

  private async generate(info: LocalModel, request: GenerateRequest, signal: AbortSignal, parts: { push: (part: StreamPart) => void }) {
    if (this.disposed) throw new CodedError('CANCELLED', 'The app is shutting down');
    if (signal.aborted) {
      parts.push({ type: 'finish', reason: 'cancelled' });
      return;
    }
    const entry = await this.useEntry(info, undefined, 'chat');
    try {
      if (signal.aborted) {
        parts.push({ type: 'finish', reason: 'cancelled' });
        return;
      }
      await generateLocal(await this.getLlama(), entry.context!, request, signal, (part) => parts.push(part));
    } finally {
      this.endUse(entry);
    }
  }
}

function entryKey(path: string, kind: LoadKind): string {
  return kind === 'chat' ? path : `${path}#${kind}`;
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
