import { copyFile, mkdir, readdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** What a user configured, relative to the data dir: backed up before an update installs. */
export const CONFIG_FILES = ['providers.json', 'mcp-servers.json', 'settings.json', join('documents', 'collections.json')] as const;

/** Backups kept in `<dataDir>/backups/` (older ones are removed). */
const KEEP_BACKUPS = 10;

export interface ConfigBackup {
  /** `<dataDir>/backups/<time>`. */
  dir: string;
  /** The files copied, relative to the data dir (those that exist). */
  files: string[];
}

/** `2026-12-06T08-40-00-000Z`: sortable and valid as a folder name everywhere. */
export function backupStamp(now: Date): string {
  return now.toISOString().replace(/:/g, '-').replace('.', '-');
}

/**
 * Copies the data dir's config files into `backups/<time>/` (same relative
 * paths) before an update installs, so a new version that misreads them, or
 * an install that fails half-way, can never lose what the user configured.
 * Missing files are skipped; a file that exists but cannot be copied rejects
 * (the caller then does not install). Keeps the newest KEEP_BACKUPS backups.
 */
export async function backupConfigFiles(dataDir: string, now = new Date()): Promise<ConfigBackup> {
  const root = join(dataDir, 'backups');
  const dir = join(root, backupStamp(now));
  const files: string[] = [];
  for (const file of CONFIG_FILES) {
    const target = join(dir, file);
    await mkdir(dirname(target), { recursive: true, mode: 0o700 });
    try {
      await copyFile(join(dataDir, file), target);
      files.push(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  const backups = (await readdir(root)).sort();
  for (const old of backups.slice(0, Math.max(0, backups.length - KEEP_BACKUPS))) {
    await rm(join(root, old), { recursive: true, force: true });
  }
  return { dir, files };
}
