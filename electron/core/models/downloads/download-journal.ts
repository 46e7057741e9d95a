import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../../fs/atomic-write';

/** What a download needs to resume after a restart; lives beside its part file. */
export const JournalSchema = z.object({
  version: z.literal(1),
  id: z.string().regex(/^[A-Za-z0-9_-]+$/),
  uri: z.string(),
  url: z.string(),
  fileName: z.string().regex(/^[A-Za-z0-9_.-]+\.gguf$/i),
  /** From the server's Content-Length / Content-Range; null before the first answer. */
  totalBytes: z.number().int().nonnegative().nullable(),
  /** Strong ETag or Last-Modified, sent as If-Range so a changed file restarts from zero. */
  validator: z.string().nullable(),
  sha256: z.string().nullable(),
  bytesDone: z.number().int().nonnegative(),
});
export type Journal = z.infer<typeof JournalSchema>;

/** `.partial` is hidden, so the model library never lists a half file. */
export class JournalStore {
  constructor(readonly dir: string) {}

  partPath(id: string): string {
    return join(this.dir, `${id}.gguf.part`);
  }

  journalPath(id: string): string {
    return join(this.dir, `${id}.json`);
  }

  save(journal: Journal): Promise<void> {
    return writeFileAtomic(this.journalPath(journal.id), JSON.stringify(journal), { sync: false });
  }

  async remove(id: string): Promise<void> {
    await rm(this.partPath(id), { force: true });
    await rm(this.journalPath(id), { force: true });
  }

  async partSize(id: string): Promise<number> {
    return (await stat(this.partPath(id)).catch(() => null))?.size ?? 0;
  }

  /** Unfinished downloads from earlier runs; unreadable journals are skipped (and their parts left for a cancel). */
  async loadAll(): Promise<Journal[]> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    const journals: Journal[] = [];
    for (const name of names) {
      if (!name.endsWith('.json')) continue;
      const raw = await readFile(join(this.dir, name), 'utf8').catch(() => null);
      if (raw === null) continue;
      let parsed;
      try {
        parsed = JournalSchema.safeParse(JSON.parse(raw));
      } catch {
        continue;
      }
      if (parsed.success) journals.push({ ...parsed.data, bytesDone: await this.partSize(parsed.data.id) });
    }
    return journals;
  }
}
