import { createHash, randomUUID } from 'node:crypto';
import { readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { CodedError } from '../../../shared/ipc/errors';
import { TaskSetSummarySchema, type LabTask, type TaskSet, type TaskSetSummary } from '../../../shared/ipc/routes/lab';
import { writeFileAtomic } from '../fs/atomic-write';
import { formatTaskSetJsonl, parseTaskSetJsonl, type SkippedLine } from './task-set-jsonl';

/** The index entry: the summary people see, plus the hash of the tasks (to find a set imported before). */
const IndexEntrySchema = TaskSetSummarySchema.extend({ contentHash: z.string() });
type IndexEntry = z.infer<typeof IndexEntrySchema>;
const IndexSchema = z.object({ version: z.literal(1), sets: z.array(IndexEntrySchema) });

/**
 * Task sets on disk: `sets/<id>.jsonl` (the tasks, as export gives them) and
 * `sets/index.json` (names, counts). Both written atomically; one change at a
 * time. A set file that went missing or bad is reported when it is opened.
 */
export class TaskSetStore {
  private index: IndexEntry[] | null = null;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly dir: string) {}

  private get indexPath(): string {
    return join(this.dir, 'index.json');
  }

  private setPath(id: string): string {
    return join(this.dir, `${id}.jsonl`);
  }

  async list(): Promise<TaskSetSummary[]> {
    return (await this.entries()).map(summaryOf).sort((a, b) => b.updatedAt.localeCompare(a.updatedAt) || a.name.localeCompare(b.name));
  }

  async get(setId: string): Promise<TaskSet> {
    const entry = (await this.entries()).find((e) => e.id === setId);
    if (!entry) throw new CodedError('NOT_FOUND', `There is no task set ${setId}`);
    let text: string;
    try {
      text = await readFile(this.setPath(setId), 'utf8');
    } catch (error) {
      throw new CodedError('STORAGE_FAILED', `The task set "${entry.name}" could not be read: ${(error as Error).message}`);
    }
    const { tasks } = parseTaskSetJsonl(text);
    return { ...summaryOf(entry), taskCount: tasks.length, tasks };
  }

  /** Imports JSONL as a new set; bad lines are skipped and reported. A file with no usable task is refused. */
  import(name: string, jsonl: string): Promise<{ set: TaskSetSummary; skipped: SkippedLine[] }> {
    const { tasks, skipped } = parseTaskSetJsonl(jsonl);
    if (tasks.length === 0) {
      const why = skipped.length ? ` (${skipped.length} line${skipped.length === 1 ? '' : 's'} skipped; line ${skipped[0]!.line}: ${skipped[0]!.message})` : '';
      return Promise.reject(new CodedError('INVALID_INPUT', `"${name}" holds no usable task${why}`, { details: { skipped } }));
    }
    return this.exclusive(async () => {
      const entries = await this.entries();
      const entry: IndexEntry = { ...describe(randomUUID(), name, tasks), contentHash: hashTasks(tasks) };
      await writeFileAtomic(this.setPath(entry.id), formatTaskSetJsonl(tasks));
      await this.saveIndex([...entries, entry]);
      return { set: summaryOf(entry), skipped };
    });
  }

  /** A set whose tasks are exactly these (a file imported again), the one named `name` first; null when none. */
  async findSame(name: string, jsonl: string): Promise<TaskSetSummary | null> {
    const { tasks } = parseTaskSetJsonl(jsonl);
    if (tasks.length === 0) return null;
    const hash = hashTasks(tasks);
    const same = (await this.entries()).filter((e) => e.contentHash === hash);
    const entry = same.find((e) => e.name === name) ?? same[0];
    return entry ? summaryOf(entry) : null;
  }

  async export(setId: string): Promise<{ filename: string; mimeType: string; content: string }> {
    const set = await this.get(setId);
    return { filename: `${fileStem(set.name)}.jsonl`, mimeType: 'application/jsonl', content: formatTaskSetJsonl(set.tasks) };
  }

  delete(setId: string): Promise<void> {
    return this.exclusive(async () => {
      const entries = await this.entries();
      if (!entries.some((e) => e.id === setId)) throw new CodedError('NOT_FOUND', `There is no task set ${setId}`);
      await this.saveIndex(entries.filter((e) => e.id !== setId));
      await unlink(this.setPath(setId)).catch(() => undefined);
    });
  }

  private async entries(): Promise<IndexEntry[]> {
    if (this.index) return this.index;
    let text: string | null = null;
    try {
      text = await readFile(this.indexPath, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new CodedError('STORAGE_FAILED', `The lab's task set index could not be read: ${(error as Error).message}`);
    }
    if (text === null) {
      this.index = [];
    } else {
      let json: unknown = null;
      try {
        json = JSON.parse(text);
      } catch {
        // handled below
      }
      const parsed = IndexSchema.safeParse(json);
      if (!parsed.success) throw new CodedError('STORAGE_FAILED', `The lab's task set index (${this.indexPath}) is damaged; move it away to start over`);
      this.index = parsed.data.sets;
    }
    return this.index;
  }

  private async saveIndex(entries: IndexEntry[]): Promise<void> {
    await writeFileAtomic(this.indexPath, `${JSON.stringify({ version: 1, sets: entries }, null, 2)}\n`);
    this.index = entries;
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const next = this.chain.then(work, work);
    this.chain = next.catch(() => undefined);
    return next;
  }
}

function describe(id: string, name: string, tasks: readonly LabTask[]): TaskSetSummary {
  const graders: Record<string, number> = {};
  for (const task of tasks) graders[task.grader.type] = (graders[task.grader.type] ?? 0) + 1;
  return { id, name, taskCount: tasks.length, graders, updatedAt: new Date().toISOString() };
}

function summaryOf(entry: IndexEntry): TaskSetSummary {
  const { contentHash: _hash, ...summary } = entry;
  return summary;
}

function hashTasks(tasks: readonly LabTask[]): string {
  return createHash('sha256').update(formatTaskSetJsonl(tasks)).digest('hex');
}

/** A file name from a set or run name: letters, digits, dashes. */
export function fileStem(name: string): string {
  return (
    name
      .replace(/\.jsonl$/i, '')
      .normalize('NFKD')
      .replace(/[^\w.-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 80) || 'task-set'
  );
}
