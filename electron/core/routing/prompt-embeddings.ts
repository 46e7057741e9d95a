import { createHash } from 'node:crypto';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** An embedding model as routing uses it: a stable identity (model + file fingerprint) and a batch embed. */
export interface PromptEmbedder {
  /** Changes when the model or its file changes; cached vectors are per identity. */
  id: string;
  embed(texts: readonly string[], signal?: AbortSignal): Promise<number[][]>;
}

/** Texts embedded per call; the runtime's queue lets a chat answer run between batches. */
const BATCH = 16;

export function promptKey(prompt: string): string {
  return createHash('sha256').update(prompt).digest('hex').slice(0, 32);
}

/** Scales a vector to unit length, so a dot product is the cosine similarity. */
export function unitVector(values: readonly number[]): Float32Array {
  let norm = 0;
  for (const v of values) norm += v * v;
  const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  return Float32Array.from(values, (v) => v * scale);
}

/**
 * Embeddings of outcome prompts, cached per embedder in an append-only file
 * (`routing/embeddings-<id>.jsonl`: prompt hash and base64 float32 vector),
 * so a restart embeds only what is new. A damaged line is skipped (its prompt
 * is embedded again).
 */
export class PromptEmbeddingCache {
  private readonly loaded = new Map<string, Map<string, Float32Array>>();

  constructor(private readonly dir: string) {}

  /** Unit vectors for every prompt, embedding the ones not cached yet. */
  async vectors(embedder: PromptEmbedder, prompts: readonly string[], signal?: AbortSignal): Promise<Map<string, Float32Array>> {
    const cache = await this.load(embedder.id);
    const missing = [...new Set(prompts.map((p) => [promptKey(p), p] as const).filter(([key]) => !cache.has(key)).map(([, p]) => p))];
    const path = this.path(embedder.id);
    for (let start = 0; start < missing.length; start += BATCH) {
      if (signal?.aborted) break;
      const batch = missing.slice(start, start + BATCH);
      const vectors = await embedder.embed(batch, signal);
      let lines = '';
      batch.forEach((prompt, i) => {
        const vector = unitVector(vectors[i] ?? []);
        const key = promptKey(prompt);
        cache.set(key, vector);
        lines += `${JSON.stringify({ h: key, v: Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength).toString('base64') })}\n`;
      });
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      await appendFile(path, lines, { mode: 0o600 });
    }
    return cache;
  }

  private path(id: string): string {
    return join(this.dir, `embeddings-${createHash('sha256').update(id).digest('hex').slice(0, 16)}.jsonl`);
  }

  private async load(id: string): Promise<Map<string, Float32Array>> {
    let cache = this.loaded.get(id);
    if (cache) return cache;
    cache = new Map();
    this.loaded.set(id, cache);
    let text = '';
    try {
      text = await readFile(this.path(id), 'utf8');
    } catch {
      return cache; // nothing cached yet
    }
    for (const line of text.split('\n')) {
      try {
        const { h, v } = JSON.parse(line) as { h: unknown; v: unknown };
        if (typeof h !== 'string' || typeof v !== 'string') continue;
        const bytes = Buffer.from(v, 'base64');
        if (bytes.length === 0 || bytes.length % 4 !== 0) continue;
        cache.set(h, new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length)));
      } catch {
        // a torn or damaged line: that prompt is embedded again
      }
    }
    return cache;
  }
}
