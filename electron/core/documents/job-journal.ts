import { open, readFile, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';

const EntrySchema = z.discriminatedUnion('op', [
  /** About to replace the chunks of `paths` (delete + insert) in the table. */
  z.object({ op: z.literal('begin'), seq: z.number().int(), paths: z.array(z.string()) }),
  /** The table writes and the registry write of batch `seq` are done. */
  z.object({ op: z.literal('commit'), seq: z.number().int() }),
]);
type Entry = z.infer<typeof EntrySchema>;

/**
 * Write-ahead journal of a collection's index writes (`documents/<id>/journal.jsonl`).
 * Every batch is `begin` (the paths it touches) → LanceDB delete + add →
 * registry written → `commit`. After a crash, a `begin` without `commit`
 * names the only paths whose table rows and registry entries may disagree;
 * the caller drops both for those paths and the next rescan indexes them
 * again from scratch, so no chunk is duplicated or lost.
 */
export class JobJournal {
  private handle: FileHandle | null = null;
  private seq = 0;

  constructor(private readonly dir: string) {}

  private get path(): string {
    return join(this.dir, 'journal.jsonl');
  }

  /** Paths of batches that began and never committed (a torn last line is ignored: its batch never started). */
  async incomplete(): Promise<string[]> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch {
      return [];
    }
    const open = new Map<number, string[]>();
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      let entry: Entry;
      try {
        const parsed = EntrySchema.safeParse(JSON.parse(line));
        if (!parsed.success) continue;
        entry = parsed.data;
      } catch {
        continue;
      }
      this.seq = Math.max(this.seq, entry.seq);
      if (entry.op === 'begin') open.set(entry.seq, entry.paths);
      else open.delete(entry.seq);
    }
    return [...new Set([...open.values()].flat())];
  }

  async begin(paths: readonly string[]): Promise<number> {
    const seq = ++this.seq;
    await this.append({ op: 'begin', seq, paths: [...paths] });
    return seq;
  }

  async commit(seq: number): Promise<void> {
    await this.append({ op: 'commit', seq });
  }

  /** Empties the journal once everything in it is committed (the end of a job, or after a replay). */
  async reset(): Promise<void> {
    await this.close();
    await rm(this.path, { force: true });
  }

  async close(): Promise<void> {
    const handle = this.handle;
    this.handle = null;
    await handle?.close();
  }

  private async append(entry: Entry): Promise<void> {
    this.handle ??= await open(this.path, 'a', 0o600);
    await this.handle.appendFile(`${JSON.stringify(entry)}\n`);
    await this.handle.datasync();
  }
}
