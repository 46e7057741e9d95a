import { readFile } from 'node:fs/promises';
import { SettingsSchema, type Settings, type SettingsPatch } from '../../../shared/ipc/domain';
import { writeFileAtomic } from '../fs/atomic-write';
import { DEFAULT_API_SETTINGS } from '../../../shared/ipc/routes/api';

export const DEFAULT_SETTINGS: Settings = {
  version: 1,
  theme: 'system',
  defaultModelId: null,
  modelsDirs: [],
  threads: { generation: 'auto', batch: 'auto' },
  maxTokens: 2048,
  contextSize: 'auto',
  modelMemoryBudget: 'auto',
  modelLoadOptions: {},
  documents: {
    embeddingModelId: null,
    databaseUri: null,
    maxFileBytes: 64 * 1024 * 1024,
    ignore: [],
    searchMode: 'hybrid',
    retrievalTopK: 6,
  },
  mcp: { roots: [], samplingModelId: null, maxToolResultChars: 20_000 },
  routing: {
    defaultPriority: 'balanced',
    pinnedRules: [],
    budget: { dailyUsd: null, monthlyUsd: null, perProvider: {}, perChatTokens: null, alertAt: 0.8 },
    providerLimits: {},
    circuit: { failures: 3, windowMs: 60_000, cooldownMs: 30_000 },
    cache: { enabled: true, ttlDays: 7, maxBytes: 200 * 1024 * 1024, cacheHighTemperature: false },
  },
  api: DEFAULT_API_SETTINGS,
};

type Listener = (settings: Settings) => void;

/**
 * The settings file: versioned, validated with zod on read and write, written
 * atomically. A corrupt or unknown file is kept aside (never silently lost)
 * and defaults are used.
 */
export class SettingsStore {
  private current: Settings = DEFAULT_SETTINGS;
  private readonly listeners = new Set<Listener>();
  private writing: Promise<void> = Promise.resolve();
  /** Set when the file on disk could not be used; shown to the user by the caller. */
  loadProblem: string | null = null;

  constructor(private readonly path: string) {}

  async load(): Promise<Settings> {
    let raw: string;
    try {
      raw = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return (this.current = DEFAULT_SETTINGS);
      throw error;
    }
    const parsed = safeJson(raw);
    const merged = migrate(parsed);
    const result = SettingsSchema.safeParse(merged);
    if (result.success) {
      this.current = result.data;
    } else {
      const aside = `${this.path}.invalid-${Date.now()}`;
      await writeFileAtomic(aside, raw);
      this.loadProblem = `settings.json could not be read and was kept as ${aside}; defaults are in use`;
      this.current = DEFAULT_SETTINGS;
    }
    return this.current;
  }

  get(): Settings {
    return this.current;
  }

  async update(patch: SettingsPatch): Promise<Settings> {
    const next = SettingsSchema.parse({ ...this.current, ...patch, version: 1 });
    this.current = next;
    this.writing = this.writing.then(() => writeFileAtomic(this.path, `${JSON.stringify(next, null, 2)}\n`));
    await this.writing;
    for (const listener of this.listeners) listener(next);
    return next;
  }

  onChange(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

function safeJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

/** Fills in fields added since a file was written; future versions add steps here. */
function migrate(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const record = value as Record<string, unknown>;
  if (record.version !== 1) return value;
  return { ...DEFAULT_SETTINGS, ...record };
}
