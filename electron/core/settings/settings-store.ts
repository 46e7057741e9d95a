import { SettingsSchema, type Settings, type SettingsPatch } from '../../../shared/ipc/domain';
import { writeFileAtomic } from '../fs/atomic-write';
import { loadConfigFile, type ConfigFileProblem } from '../fs/config-file';
import { CodedError } from '../../../shared/ipc/errors';
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
    ocr: { enabled: true, languages: ['eng'] },
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
  runtime: { variant: 'auto' },
  updates: { feedUrl: null },
};

type Listener = (settings: Settings) => void;

export interface SettingsStoreOptions {
  /** Writes the file (tests inject one that fails). */
  write?: (path: string, content: string) => Promise<void>;
  /** Told when a write failed (the caller shows it as an app notice). */
  onWriteFailed?: (message: string) => void;
}

/**
 * The settings file: versioned, validated with zod on read and write, written
 * atomically. A corrupt or unknown file is kept aside (never silently lost)
 * and defaults are used. Updates run one at a time, and memory takes a new
 * value only once it is on disk: after a failed write memory still equals
 * the file, the failure is reported, and the next update starts again from
 * that (no stuck queue, no values that only live in memory).
 */
export class SettingsStore {
  private current: Settings = DEFAULT_SETTINGS;
  private readonly listeners = new Set<Listener>();
  /** The queue of updates; never rejects, so one failure cannot poison the next. */
  private queue: Promise<unknown> = Promise.resolve();
  /** Set when the file on disk could not be used (it was kept aside); shown to the user by the caller. */
  configProblem: ConfigFileProblem | null = null;

  constructor(
    private readonly path: string,
    private readonly options: SettingsStoreOptions = {},
  ) {}

  /** The message of `configProblem`, for logs. */
  get loadProblem(): string | null {
    return this.configProblem?.message ?? null;
  }

  async load(): Promise<Settings> {
    const result = await loadConfigFile(this.path, { schema: SettingsSchema, migrate, fallback: 'Tandem started with default settings' });
    if (result.status === 'invalid') this.configProblem = result.problem;
    this.current = result.status === 'loaded' ? result.value : DEFAULT_SETTINGS;
    return this.current;
  }

  get(): Settings {
    return this.current;
  }

  /** Applies a patch on top of the saved settings; rejects (STORAGE_FAILED) and changes nothing when the file cannot be written. */
  update(patch: SettingsPatch): Promise<Settings> {
    const task = this.queue.then(async () => {
      const next = SettingsSchema.parse({ ...this.current, ...patch, version: 1 });
      const write = this.options.write ?? ((path: string, content: string) => writeFileAtomic(path, content));
      try {
        await write(this.path, `${JSON.stringify(next, null, 2)}\n`);
      } catch (error) {
        const message = `Settings could not be saved to ${this.path} (${(error as Error).message}); the previous settings are still in use. Check that the folder is writable and has free space, then change the setting again.`;
        this.options.onWriteFailed?.(message);
        throw new CodedError('STORAGE_FAILED', message, { retryable: true, cause: error });
      }
      this.current = next;
      for (const listener of this.listeners) listener(next);
      return next;
    });
    this.queue = task.catch(() => undefined);
    return task;
  }

  onChange(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/**
 * Fills in fields added since a file was written; future versions add steps
 * here. A bad value in one of the newer, hand-editable fields (an http://
 * `updates.feedUrl`, an unknown `runtime.variant`, a malformed
 * `documents.ocr`) falls back to its default instead of sending the whole file
 * aside: the settings update route still refuses such values.
 */
function migrate(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const record = value as Record<string, unknown>;
  if (record.version !== 1) return value;
  const merged: Record<string, unknown> = { ...DEFAULT_SETTINGS, ...record };
  const shape = SettingsSchema.shape;
  if (isRecord(merged.updates) && !shape.updates.shape.feedUrl.safeParse(merged.updates.feedUrl).success) {
    merged.updates = { ...merged.updates, feedUrl: null };
  }
  if (!shape.runtime.safeParse(merged.runtime).success) merged.runtime = DEFAULT_SETTINGS.runtime;
  if (isRecord(merged.documents) && !shape.documents.shape.ocr.safeParse(merged.documents.ocr).success) {
    merged.documents = { ...merged.documents, ocr: DEFAULT_SETTINGS.documents.ocr };
  }
  return merged;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
