import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { RoutingSettings } from '../../../shared/ipc/routes/routing';
import { StreamPartSchema, type StreamPart } from '../../../shared/ipc/stream-parts';
import { writeFileAtomic } from '../fs/atomic-write';
import type { GenerateRequest } from '../models/language-model';

export type CacheSettings = RoutingSettings['cache'];

/** A stored answer: the parts the model emitted, what it cost, and when (ISO). */
export interface CachedResponse {
  parts: StreamPart[];
  costUsd: number;
  cachedAt: string;
}

export interface ResponseCacheStats {
  entries: number;
  bytes: number;
  /** Answers replayed since the cache was last cleared. */
  hits: number;
  /** What those answers cost when first asked. */
  savedUsd: number;
}

export interface ResponseCacheOptions {
  /** The cache's own folder (the app gives `<data dir>/cache/responses`). */
  dir: string;
  settings: () => CacheSettings;
  now?: () => number;
}

const EntrySchema = z.object({
  version: z.literal(1),
  key: z.string().regex(/^[0-9a-f]{64}$/),
  cachedAt: z.string(),
  costUsd: z.number().nonnegative(),
  parts: z.array(StreamPartSchema),
});

const StatsSchema = z.object({ hits: z.number().int().nonnegative(), savedUsd: z.number().nonnegative() });

const ENTRY_FILE = /^([0-9a-f]{64})\.json$/;
const STATS_FILE = 'stats.json';
const DAY_MS = 86_400_000;
const INIT_CONCURRENCY = 32;

interface IndexEntry {
  bytes: number;
  cachedAt: number;
  lastUsed: number;
}

/**
 * Answers already given, kept on disk so the same request to the same model
 * costs nothing twice: one JSON file per entry named by the request key,
 * written atomically, plus an in-memory index built at `init()`. Entries
 * expire after `ttlDays` (0: never) and the least recently used go first
 * when the folder outgrows `maxBytes`. Everything here can be rebuilt: a bad
 * file is deleted, never fatal.
 */
export class ResponseCache {
  private readonly index = new Map<string, IndexEntry>();
  private readonly now: () => number;
  private totalBytes = 0;
  private hits = 0;
  private savedUsd = 0;
  private ready: Promise<{ entries: number; removed: number }> | null = null;
  private statsWrite: Promise<void> = Promise.resolve();

  constructor(private readonly options: ResponseCacheOptions) {
    this.now = options.now ?? (() => Date.now());
  }

  /**
   * Scans the folder and builds the index; idempotent (later calls return the
   * first scan's result). Unreadable or corrupt entries and stray temp files are deleted and counted.
   */
  init(): Promise<{ entries: number; removed: number }> {
    this.ready ??= this.scan();
    return this.ready;
  }

  /** The cache key of a request to `modelId`: sha256 of the canonical JSON of everything that shapes the answer. */
  key(modelId: string, request: GenerateRequest): string {
    const material = {
      modelId,
      messages: request.messages,
      sampling: {
        temperature: request.temperature,
        topP: request.topP,
        topK: request.topK,
        minP: request.minP,
        repeatPenalty: request.repeatPenalty,
        seed: request.seed,
        stopStrings: request.stopStrings,
      },
      responseFormat: request.responseFormat,
      tools: request.tools,
      toolChoice: request.toolChoice,
      systemPrompt: request.systemPrompt,
      maxTokens: request.maxTokens,
      // Trimming decides which messages the model saw.
      contextPolicy: request.contextPolicy,
    };
    return createHash('sha256').update(canonicalJson(material)).digest('hex');
  }

  /** The stored answer for `key`, or null (an expired or unreadable entry is deleted). Does not count a hit: see `recordHit`. */
  async get(key: string): Promise<CachedResponse | null> {
    await this.init();
    const entry = this.index.get(key);
    if (!entry) return null;
    if (this.expired(entry.cachedAt)) {
      await this.remove(key);
      return null;
    }
    let parsed: z.infer<typeof EntrySchema>;
    try {
      const result = EntrySchema.safeParse(JSON.parse(await readFile(this.path(key), 'utf8')));
      if (!result.success || result.data.key !== key) throw new Error('corrupt entry');
      parsed = result.data;
    } catch {
      await this.remove(key);
      return null;
    }
    const now = this.now();
    entry.lastUsed = now;
    await utimes(this.path(key), now / 1000, now / 1000).catch(() => undefined);
    return { parts: parsed.parts, costUsd: parsed.costUsd, cachedAt: parsed.cachedAt };
  }

  /** Counts a replayed answer and what it saved (kept in `stats.json` across runs). */
  async recordHit(savedUsd: number): Promise<void> {
    await this.init();
    this.hits += 1;
    this.savedUsd += savedUsd;
    await this.saveStats();
  }

  /**
   * Stores an answer. An answer bigger than the whole cache is not kept; the
   * least recently used entries are evicted until the cache fits `maxBytes`.
   */
  async put(key: string, parts: StreamPart[], costUsd: number): Promise<void> {
    await this.init();
    const now = this.now();
    const text = JSON.stringify({ version: 1, key, cachedAt: new Date(now).toISOString(), costUsd, parts });
    const bytes = Buffer.byteLength(text);
    const { maxBytes } = this.options.settings();
    if (bytes > maxBytes) return;
    await writeFileAtomic(this.path(key), text, { sync: false });
    this.forget(key);
    this.index.set(key, { bytes, cachedAt: now, lastUsed: now });
    this.totalBytes += bytes;
    await this.evict(maxBytes, key);
  }

  /** Deletes every entry and resets the hit counters; returns how many entries were removed. */
  async clear(): Promise<number> {
    await this.init();
    let removed = 0;
    for (const name of await readdir(this.options.dir).catch(() => [] as string[])) {
      if (!ENTRY_FILE.test(name)) continue;
      await rm(join(this.options.dir, name), { force: true });
      removed += 1;
    }
    this.index.clear();
    this.totalBytes = 0;
    this.hits = 0;
    this.savedUsd = 0;
    await this.saveStats();
    return removed;
  }

  /** Entries, bytes on disk, hits and dollars saved. */
  async stats(): Promise<ResponseCacheStats> {
    await this.init();
    return { entries: this.index.size, bytes: this.totalBytes, hits: this.hits, savedUsd: this.savedUsd };
  }

  /** Waits for pending writes of the hit counters; idempotent. Entries are written before `put` resolves. */
  async dispose(): Promise<void> {
    await this.statsWrite;
  }

  private async scan(): Promise<{ entries: number; removed: number }> {
    const { dir } = this.options;
    await mkdir(dir, { recursive: true });
    const names = await readdir(dir);
    let removed = 0;
    const entries = names.filter((name) => ENTRY_FILE.test(name));
    for (const name of names) {
      // A temp file left by a write the process did not live to finish.
      if (name.startsWith('.') && name.endsWith('.tmp')) await rm(join(dir, name), { force: true });
    }
    let next = 0;
    const worker = async () => {
      while (next < entries.length) {
        const name = entries[next++]!;
        const key = ENTRY_FILE.exec(name)![1]!;
        const path = join(dir, name);
        try {
          const [text, info] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
          const result = EntrySchema.safeParse(JSON.parse(text));
          const cachedAt = result.success ? Date.parse(result.data.cachedAt) : Number.NaN;
          if (!result.success || result.data.key !== key || Number.isNaN(cachedAt)) throw new Error('corrupt entry');
          this.index.set(key, { bytes: Buffer.byteLength(text), cachedAt, lastUsed: info.mtimeMs });
          this.totalBytes += Buffer.byteLength(text);
        } catch {
          await rm(path, { force: true }).catch(() => undefined);
          removed += 1;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(INIT_CONCURRENCY, entries.length) }, worker));
    try {
      const saved = StatsSchema.parse(JSON.parse(await readFile(join(dir, STATS_FILE), 'utf8')));
      this.hits = saved.hits;
      this.savedUsd = saved.savedUsd;
    } catch {
      // No counters yet (or unreadable ones): start from zero.
    }
    for (const [key, entry] of this.index) if (this.expired(entry.cachedAt)) await this.remove(key);
    await this.evict(this.options.settings().maxBytes, null);
    return { entries: this.index.size, removed };
  }

  private expired(cachedAt: number): boolean {
    const { ttlDays } = this.options.settings();
    return ttlDays > 0 && this.now() - cachedAt > ttlDays * DAY_MS;
  }

  private async evict(maxBytes: number, keep: string | null): Promise<void> {
    if (this.totalBytes <= maxBytes) return;
    const byAge = [...this.index.entries()].filter(([key]) => key !== keep).sort((a, b) => a[1].lastUsed - b[1].lastUsed);
    for (const [key] of byAge) {
      if (this.totalBytes <= maxBytes) break;
      await this.remove(key);
    }
  }

  private async remove(key: string): Promise<void> {
    this.forget(key);
    await rm(this.path(key), { force: true }).catch(() => undefined);
  }

  private forget(key: string): void {
    const entry = this.index.get(key);
    if (!entry) return;
    this.totalBytes -= entry.bytes;
    this.index.delete(key);
  }

  private saveStats(): Promise<void> {
    const text = JSON.stringify({ hits: this.hits, savedUsd: this.savedUsd });
    this.statsWrite = this.statsWrite.then(() => writeFileAtomic(join(this.options.dir, STATS_FILE), text, { sync: false })).catch(() => undefined);
    return this.statsWrite;
  }

  private path(key: string): string {
    return join(this.options.dir, `${key}.json`);
  }
}

/** Where a data folder keeps its response cache. */
export function responseCacheDir(dataDir: string): string {
  return join(dataDir, 'cache', 'responses');
}

/** Opens (and scans) the response cache of a data folder: `<dataDir>/cache/responses`. */
export async function openResponseCache(dataDir: string, settings: CacheSettings | (() => CacheSettings)): Promise<ResponseCache> {
  const cache = new ResponseCache({ dir: responseCacheDir(dataDir), settings: typeof settings === 'function' ? settings : () => settings });
  await cache.init();
  return cache;
}

/** JSON with object keys sorted at every depth and undefined fields left out, so equal requests hash equal. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((item) => (item === undefined ? null : sortKeys(item)));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const item = (value as Record<string, unknown>)[key];
      if (item !== undefined) out[key] = sortKeys(item);
    }
    return out;
  }
  return value;
}
