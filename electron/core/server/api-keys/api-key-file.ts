import { readFileSync, renameSync, statSync } from 'node:fs';
import { z } from 'zod';
import { ApiKeyLimitsSchema } from '../../../../shared/ipc/routes/api';
import { writeFileAtomic } from '../../fs/atomic-write';

/** One key as stored: the secret only as its SHA-256. */
export const StoredApiKeySchema = ApiKeyLimitsSchema.extend({
  id: z.string().min(1).max(64),
  name: z.string().min(1).max(100),
  prefix: z.string(),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
});
export type StoredApiKey = z.infer<typeof StoredApiKeySchema>;

const KeysFileSchema = z.object({ version: z.literal(1), keys: z.array(StoredApiKeySchema) });

/** What tells whether the file changed since it was read (another Tandem process may write it: `tandem api-keys`). */
interface FileStamp {
  ino: number;
  size: number;
  mtimeMs: number;
}

/**
 * `<dataDir>/api/keys.json`: named keys, hashed, written atomically with mode
 * 0600. Several processes may share it (the app and `tandem api-keys`), so
 * readers notice a newer file and every change re-reads before it writes.
 */
export class ApiKeyFile {
  private stamp: FileStamp | null = null;

  constructor(readonly path: string) {}

  /**
   * The keys on disk; null when the file did not change since the last read
   * (unless `force`). A missing file is no keys; a damaged one is kept aside
   * and reported through `onProblem`, and no keys are used.
   */
  read(options: { force?: boolean; onProblem?: (message: string) => void } = {}): StoredApiKey[] | null {
    let stamp: FileStamp | null;
    try {
      const stat = statSync(this.path);
      stamp = { ino: stat.ino, size: stat.size, mtimeMs: stat.mtimeMs };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      stamp = null;
    }
    if (!options.force && sameStamp(stamp, this.stamp)) return null;
    this.stamp = stamp;
    if (!stamp) return [];
    const raw = readFileSync(this.path, 'utf8');
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      json = undefined;
    }
    const parsed = KeysFileSchema.safeParse(json);
    if (parsed.success) return parsed.data.keys;
    const aside = `${this.path}.invalid-${Date.now()}`;
    try {
      renameSync(this.path, aside);
      this.stamp = null;
      options.onProblem?.(`${this.path} could not be read and was kept as ${aside}; no API keys are in use until you add one`);
    } catch {
      options.onProblem?.(`${this.path} could not be read; no API keys are in use`);
    }
    return [];
  }

  async write(keys: StoredApiKey[]): Promise<void> {
    await writeFileAtomic(this.path, `${JSON.stringify({ version: 1, keys }, null, 2)}\n`);
    try {
      const stat = statSync(this.path);
      this.stamp = { ino: stat.ino, size: stat.size, mtimeMs: stat.mtimeMs };
    } catch {
      this.stamp = null;
    }
  }
}

function sameStamp(a: FileStamp | null, b: FileStamp | null): boolean {
  if (a === null || b === null) return a === b;
  return a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs;
}
