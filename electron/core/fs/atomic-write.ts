import { open, rename, mkdir, unlink } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';

/**
 * Writes a file so that a reader (or a crash) sees either the old content or
 * the new, never a mix: write a temp file beside it, fsync, rename over, fsync the folder.
 * With `sync: false` the fsyncs are skipped: still atomic, and safe against a
 * killed process, but the newest version may be lost if the OS itself crashes
 * (for data that can be rebuilt, such as a chat's counters).
 */
export async function writeFileAtomic(path: string, content: string | Uint8Array, options: { sync?: boolean } = {}): Promise<void> {
  const sync = options.sync ?? true;
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const temp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temp, 'w', 0o600);
  try {
    await handle.writeFile(content);
    if (sync) await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  if (sync) await fsyncDir(dir);
}

/** Makes a rename or file creation in `dir` durable. Some platforms cannot open folders; that is fine there. */
export async function fsyncDir(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Windows cannot fsync a directory handle; NTFS metadata journaling covers the rename.
  } finally {
    await handle?.close();
  }
}
