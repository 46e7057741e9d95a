import {
  getLlama,
  LlamaChat,
  LlamaLogLevel,
  type ChatHistoryItem,
  type Llama,
  type LlamaContext,
  type LlamaModel,
} from 'node-llama-cpp';
import type { LocalModel } from '../../../shared/ipc/domain';
import { CodedError } from '../../../shared/ipc/errors';
import type { StreamPart } from '../../../shared/ipc/stream-parts';
import type { Logger } from '../app/logger';
import { SerialQueue } from '../chats/serial-queue';
import { AsyncQueue } from './async-queue';
import type { GenerateRequest, LanguageModel } from './language-model';
import { resolveThreads, type ThreadSetting } from './threads';

/** How long shutdown waits for node-llama-cpp to release its backend. */
const LLAMA_DISPOSE_TIMEOUT_MS = 3000;

export interface LocalRuntimeOptions {
  logger: Logger;
  threads: () => { generation: ThreadSetting; batch: ThreadSetting };
  contextSize: () => 'auto' | number;
  /** 'auto' picks Metal/CUDA/Vulkan when a prebuilt binary works, else CPU. */
  gpu?: 'auto' | false;
}

interface LoadedModel {
  info: LocalModel;
  model: LlamaModel;
  context: LlamaContext;
  threads: { generation: number; batch: number };
}

/**
 * Owns node-llama-cpp: the Llama instance, the loaded model and its
 * context. One model stays loaded (the local models issue adds an LRU
 * budget); generations on it run one at a time.
 */
export class LocalRuntime {
  private llama: Promise<Llama> | null = null;
  private loaded: LoadedModel | null = null;
  private loading: Promise<LoadedModel> | null = null;
  private readonly generations = new SerialQueue();
  private disposed = false;

  constructor(private readonly options: LocalRuntimeOptions) {}

  /** The threads the runtime would use for a model of this size. */
  threadsFor(modelBytes: number): { generation: number; batch: number } {
    return resolveThreads(this.options.threads(), modelBytes);
  }

  /** A LanguageModel view of a local GGUF file. */
  languageModel(info: LocalModel): LanguageModel {
    return { id: info.id, stream: (request, { signal }) => this.stream(info, request, signal) };
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.generations.idle();
    await this.unload();
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
    this.llama ??= getLlama({
      gpu: this.options.gpu ?? 'auto',
      build: 'never',
      skipDownload: true,
      progressLogs: false,
      logLevel: LlamaLogLevel.error,
      logger: (level, message) => {
        if (level === LlamaLogLevel.error || level === LlamaLogLevel.fatal) this.options.logger.warn(`llama.cpp: ${message.trim()}`);
      },
    });
    return this.llama;
  }

  private async ensureLoaded(info: LocalModel): Promise<LoadedModel> {
    if (this.loaded?.info.path === info.path) return this.loaded;
    if (this.loading) {
      const pending = await this.loading.catch(() => null);
      if (pending?.info.path === info.path) return pending;
    }
    this.loading = (async () => {
      await this.unload();
      const llama = await this.getLlama();
      const threads = this.threadsFor(info.sizeBytes);
      const started = performance.now();
      let model: LlamaModel;
      try {
        model = await llama.loadModel({ modelPath: info.path });
      } catch (error) {
        throw new CodedError('MODEL_LOAD_FAILED', `This file could not be loaded: ${(error as Error).message}`, { cause: error });
      }
      try {
        const contextSize = this.options.contextSize();
        const context = await model.createContext({
          contextSize: contextSize === 'auto' ? { max: 8192 } : contextSize,
          threads: { ideal: threads.generation, min: 1 },
        });
        this.options.logger.info(
          `loaded ${info.name} (${llama.gpu || 'cpu'}, ${threads.generation} threads) in ${Math.round(performance.now() - started)} ms`,
        );
        this.loaded = { info, model, context, threads };
        return this.loaded;
      } catch (error) {
        await model.dispose();
        throw new CodedError('MODEL_LOAD_FAILED', `Could not create a context for ${info.name}: ${(error as Error).message}`, {
          cause: error,
        });
      }
    })();
    try {
      return await this.loading;
    } finally {
      this.loading = null;
    }
  }

  private async unload(): Promise<void> {
    const loaded = this.loaded;
    this.loaded = null;
    if (!loaded) return;
    await loaded.context.dispose();
    await loaded.model.dispose();
  }

  private stream(info: LocalModel, request: GenerateRequest, signal: AbortSignal): AsyncIterable<StreamPart> {
    const parts = new AsyncQueue<StreamPart>();
    void this.generations
      .run(() => this.generate(info, request, signal, parts))
      .catch((error: unknown) => {
        const coded = error instanceof CodedError ? error : null;
        parts.push({
          type: 'error',
          code: coded?.code ?? 'GENERATION_FAILED',
          message: coded?.message ?? `Generation failed: ${(error as Error)?.message ?? String(error)}`,
          retryable: false,
        });
      })
      .finally(() => parts.close());
    return parts;
  }

  private async generate(info: LocalModel, request: GenerateRequest, signal: AbortSignal, parts: AsyncQueue<StreamPart>) {
    if (this.disposed) throw new CodedError('CANCELLED', 'The app is shutting down');
    if (signal.aborted) {
      parts.push({ type: 'finish', reason: 'cancelled' });
      return;
    }
    const loaded = await this.ensureLoaded(info);
    if (signal.aborted) {
      parts.push({ type: 'finish', reason: 'cancelled' });
      return;
    }
    const sequence = loaded.context.getSequence();
    const chat = new LlamaChat({ contextSequence: sequence, autoDisposeSequence: false });
    try {
      const history = toChatHistory(request);
      const inputTokens = sequence.model.tokenize(request.messages.map((m) => m.text).join('\n')).length;
      let outputTokens = 0;
      const result = await chat.generateResponse(history, {
        maxTokens: request.maxTokens,
        temperature: request.temperature,
        seed: request.seed,
        signal,
        stopOnAbortSignal: true,
        onResponseChunk: (chunk) => {
          outputTokens += chunk.tokens.length;
          if (chunk.text.length === 0) return;
          parts.push(chunk.type === 'segment' ? { type: 'reasoning-delta', text: chunk.text } : { type: 'text-delta', text: chunk.text });
        },
      });
      parts.push({ type: 'usage', usage: { inputTokens, outputTokens } });
      const stop = result.metadata.stopReason;
      parts.push({
        type: 'finish',
        reason: stop === 'abort' || signal.aborted ? 'cancelled' : stop === 'maxTokens' ? 'length' : 'stop',
      });
    } finally {
      chat.dispose({ disposeSequence: false });
      sequence.dispose();
    }
  }
}

function toChatHistory(request: GenerateRequest): ChatHistoryItem[] {
  const history: ChatHistoryItem[] = [];
  for (const message of request.messages) {
    if (message.role === 'system') history.push({ type: 'system', text: message.text });
    else if (message.role === 'user') history.push({ type: 'user', text: message.text });
    else history.push({ type: 'model', response: [message.text] });
  }
  // LlamaChat continues the last model item; give it an empty one to answer into.
  history.push({ type: 'model', response: [] });
  return history;
}
