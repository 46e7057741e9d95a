import { createHash } from 'node:crypto';
import { open, stat } from 'node:fs/promises';
import type { LlamaModel } from 'node-llama-cpp';
import type { LocalModel } from '../../../shared/ipc/domain';
import { CodedError } from '../../../shared/ipc/errors';
import type { EmbeddingService } from '../models/embedding-service';
import type { LocalRuntime } from '../models/local-runtime';
import type { ModelLibrary } from '../models/model-library';
import type { EmbedderIdentity } from './collection-store';

/** llama.cpp architectures that make sentence embeddings (encoders). */
export const EMBEDDING_ARCHITECTURES = new Set(['bert', 'nomic-bert', 'nomic-bert-moe', 'jina-bert-v2', 'jina-bert-v3', 'neo-bert', 'modern-bert', 't5encoder', 'eurobert']);
const FINGERPRINT_BYTES = 1024 * 1024;

/** A resolved embedding model: who it is, how it counts tokens, and how it embeds. */
export interface Embedder {
  identity: EmbedderIdentity;
  model: LocalModel;
  /** Tokens one chunk may hold (the model's trained context). */
  contextTokens: number;
  /** Loads the model for tokenizing and embedding (a rescan with nothing new never calls it). */
  prepare(): Promise<{ contextTokens: number }>;
  /** Tokens of the model's tokenizer once prepared; an estimate before. */
  countTokens(text: string): number;
  embed(texts: readonly string[], signal?: AbortSignal): Promise<number[][]>;
}

/**
 * Finds the embedding model (settings, else the first local encoder) and
 * wraps it for the documents pipeline. Identities are cached by file path,
 * size and mtime so a search does not re-read the model file.
 */
export class EmbedderResolver {
  private readonly cache = new Map<string, { key: string; embedder: Promise<Embedder> }>();
  /** Vector widths already known by fingerprint (from the collections' registries), so a start does not load the model to ask. */
  private readonly knownDimensions = new Map<string, number>();

  constructor(
    private readonly options: {
      library: ModelLibrary;
      runtime: LocalRuntime;
      embeddings: EmbeddingService;
      /** settings.documents.embeddingModelId */
      modelId: () => string | null;
    },
  ) {}

  /** Remembers the width of a model's vectors (an identity stored with a collection). */
  remember(identity: EmbedderIdentity): void {
    this.knownDimensions.set(identity.fingerprint, identity.dimensions);
  }

  /** The current embedder, or null when there is no embedding model (text-only index). */
  async resolve(): Promise<Embedder | null> {
    const model = await this.pickModel();
    if (!model) return null;
    const info = await stat(model.path);
    const key = `${info.size}:${info.mtimeMs}`;
    const cached = this.cache.get(model.path);
    if (cached?.key === key) return cached.embedder;
    const embedder = this.load(model, info.size);
    embedder.catch(() => this.cache.delete(model.path));
    this.cache.set(model.path, { key, embedder });
    return embedder;
  }

  private async pickModel(): Promise<LocalModel | null> {
    const wanted = this.options.modelId();
    if (wanted) return this.options.library.resolve(wanted);
    const models = await this.options.library.list();
    return models.find((m) => !m.problem && m.architecture && EMBEDDING_ARCHITECTURES.has(m.architecture)) ?? null;
  }

  private async load(model: LocalModel, sizeBytes: number): Promise<Embedder> {
    const { runtime, embeddings } = this.options;
    const fingerprint = await fingerprintFile(model.path, sizeBytes);
    // The model is loaded only when there is text to tokenize or embed (or to learn its width once):
    // an app start whose rescan finds nothing new never loads it.
    let llamaModel: LlamaModel | null = null;
    const loadModel = async () => (llamaModel = await runtime.withEmbeddingContext(model, async (context) => context.model));
    let dimensions = this.knownDimensions.get(fingerprint) ?? 0;
    let contextTokens: number;
    if (dimensions === 0) {
      const probe = await embeddings.embed(model, ['dimensions']);
      dimensions = probe[0]?.length ?? 0;
      if (dimensions === 0) throw new CodedError('MODEL_LOAD_FAILED', `${model.name} returned an empty embedding`);
      this.knownDimensions.set(fingerprint, dimensions);
      contextTokens = (await loadModel()).trainContextSize;
    } else {
      contextTokens = (await runtime.inspector.insights(model).catch(() => null))?.trainContextSize ?? 512;
    }
    const countTokens = (text: string): number => {
      // The runtime may unload the model between jobs; reload it (through the queue) lazily, estimate meanwhile.
      if (llamaModel && !llamaModel.disposed) return llamaModel.tokenize(text).length;
      if (llamaModel) {
        llamaModel = null;
        void loadModel().catch(() => undefined);
      }
      return Math.ceil(text.length / 4);
    };
    return {
      identity: { modelId: model.id, fingerprint, sizeBytes, dimensions },
      model,
      contextTokens,
      prepare: async () => ({ contextTokens: (await loadModel()).trainContextSize }),
      countTokens,
      embed: (texts, signal) => embeddings.embed(model, texts, { signal, batchSize: 32 }),
    };
  }
}

/** SHA-256 over the size, the first and the last MiB of a file. */
export async function fingerprintFile(path: string, sizeBytes: number): Promise<string> {
  const hash = createHash('sha256').update(String(sizeBytes));
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(Math.min(FINGERPRINT_BYTES, sizeBytes));
    await handle.read(head, 0, head.length, 0);
    hash.update(head);
    if (sizeBytes > FINGERPRINT_BYTES) {
      const tailLength = Math.min(FINGERPRINT_BYTES, sizeBytes - FINGERPRINT_BYTES);
      const tail = Buffer.alloc(tailLength);
      await handle.read(tail, 0, tailLength, sizeBytes - tailLength);
      hash.update(tail);
    }
  } finally {
    await handle.close();
  }
  return hash.digest('hex');
}

export function sameIdentity(a: EmbedderIdentity | null, b: EmbedderIdentity | null): boolean {
  if (!a || !b) return a === b;
  return a.modelId === b.modelId && a.fingerprint === b.fingerprint && a.sizeBytes === b.sizeBytes && a.dimensions === b.dimensions;
}
