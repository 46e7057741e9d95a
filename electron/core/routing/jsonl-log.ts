import { appendFile, mkdir, open, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { z } from 'zod';

/**
 * An append-only JSONL file: lines are written in order without blocking the
 * caller, and replayed at start through a schema. A damaged line (a crash
 * mid-write, a hand edit) is skipped and reported with its number, never fatal.
 */
export class JsonlLog<T> {
  private writing: Promise<void> = Promise.resolve();
  private dirReady: Promise<unknown> | null = null;
  /** The file ended without a newline (a write cut short): the next append starts a fresh line, so the damage does not spread. */
  private needsNewline = false;

  constructor(
    readonly path: string,
    private readonly schema: z.ZodType<T>,
    private readonly onWriteError: (error: Error) => void = () => undefined,
  ) {}

  /**
   * Every valid line, oldest first, and the damaged ones. A missing file is
   * an empty log. With `tailBytes`, only the file's last bytes are read (the
   * cut first line is dropped, and lines are numbered from the tail): recent
   * history of a log that only grows.
   */
  async replay(options: { tailBytes?: number } = {}): Promise<{ records: T[]; problems: string[] }> {
    let read: { text: string; tail: boolean };
    try {
      read = await this.read(options.tailBytes);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { records: [], problems: [] };
      throw error;
    }
    const { text, tail } = read;
    this.needsNewline = text.length > 0 && !text.endsWith('\n');
    const records: T[] = [];
    const problems: string[] = [];
    const where = (i: number) => `${this.path}:${tail ? `tail line ${i + 1}` : i + 1}`;
    text.split('\n').forEach((line, i) => {
      if (line.trim() === '') return;
      let json: unknown;
      try {
        json = JSON.parse(line);
      } catch {
        problems.push(`${where(i)}: not JSON; line skipped`);
        return;
      }
      const parsed = this.schema.safeParse(json);
      if (parsed.success) records.push(parsed.data);
      else {
        const issue = parsed.error.issues[0];
        problems.push(`${where(i)}: ${issue?.path.join('.') || 'line'}: ${issue?.message ?? 'invalid'}; line skipped`);
      }
    });
    return { records, problems };
  }

  /** The whole file, or its last `tailBytes` from the first whole line on. */
  private async read(tailBytes: number | undefined): Promise<{ text: string; tail: boolean }> {
    if (tailBytes === undefined) return { text: await readFile(this.path, 'utf8'), tail: false };
    const handle = await open(this.path, 'r');
    try {
      const { size } = await handle.stat();
      if (size <= tailBytes) return { text: (await handle.readFile()).toString('utf8'), tail: false };
      const buffer = Buffer.alloc(tailBytes);
      await handle.read(buffer, 0, tailBytes, size - tailBytes);
      const text = buffer.toString('utf8');
      return { text: text.slice(text.indexOf('\n') + 1), tail: true };
    } finally {
      await handle.close();
    }
  }

  append(record: T): void {
    this.dirReady ??= mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    const line = `${this.needsNewline ? '\n' : ''}${JSON.stringify(record)}\n`;
    this.needsNewline = false;
    this.writing = this.writing
      .then(() => this.dirReady)
      .then(() => appendFile(this.path, line, { mode: 0o600 }))
      .catch((error: Error) => this.onWriteError(error));
  }

  /** Resolves when every line appended so far is on disk. */
  flush(): Promise<void> {
    return this.writing;
  }
}
