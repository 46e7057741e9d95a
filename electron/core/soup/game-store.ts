import { randomUUID } from 'node:crypto';
import { mkdir, open, readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { CodedError } from '../../../shared/ipc/errors';
import { IdSchema } from '../../../shared/ipc/ids';
import { GameEventSchema, type GameEvent } from '../../../shared/ipc/routes/soup';
import { fsyncDir, writeFileAtomic } from '../fs/atomic-write';

export const GameMetaSchema = z.object({
  id: z.string(),
  puzzleId: z.string(),
  title: z.string(),
  modelId: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type GameMeta = z.infer<typeof GameMetaSchema>;

export interface StoredGame {
  meta: GameMeta;
  events: GameEvent[];
  /** Lines that could not be read (a torn last line after a crash, or damage). */
  skippedLines: number;
}

/** Rebuilds the events from log text; a torn or damaged line is skipped, never fatal. */
export function parseGameLog(text: string): { events: GameEvent[]; skippedLines: number } {
  const events: GameEvent[] = [];
  let skippedLines = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const parsed = GameEventSchema.safeParse(JSON.parse(line));
      if (parsed.success) events.push(parsed.data);
      else skippedLines++;
    } catch {
      skippedLines++;
    }
  }
  return { events, skippedLines };
}

/**
 * Games on disk, stored like chats:
 *   <root>/<id>/events.jsonl  append-only log, each line fsynced
 *   <root>/<id>/meta.json     title, model and times (written atomically)
 * A game is whatever its log says; meta only names it.
 */
export class GameStore {
  /** Appends per game, one at a time. */
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(private readonly root: string) {}

  async init(): Promise<void> {
    await mkdir(this.root, { recursive: true });
  }

  private dir(id: string): string {
    if (!IdSchema.safeParse(id).success) throw new CodedError('NOT_FOUND', `No game "${id}"`);
    return join(this.root, id);
  }

  private serial<T>(id: string, work: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(id) ?? Promise.resolve();
    const next = previous.then(work, work);
    this.queues.set(
      id,
      next.catch(() => undefined),
    );
    return next;
  }

  /** Creates a game with its first event (`start`). */
  async create(fields: Omit<GameMeta, 'id' | 'createdAt' | 'updatedAt'>, start: GameEvent): Promise<StoredGame> {
    const id = randomUUID();
    const dir = this.dir(id);
    await mkdir(dir, { recursive: true });
    const meta: GameMeta = { ...fields, id, createdAt: start.at, updatedAt: start.at };
    await writeFileAtomic(join(dir, 'meta.json'), JSON.stringify(meta, null, 2));
    await this.appendLine(join(dir, 'events.jsonl'), start);
    await fsyncDir(this.root);
    return { meta, events: [start], skippedLines: 0 };
  }

  async get(id: string): Promise<StoredGame> {
    const dir = this.dir(id);
    let metaText: string;
    try {
      metaText = await readFile(join(dir, 'meta.json'), 'utf8');
    } catch {
      throw new CodedError('NOT_FOUND', `No game "${id}"`);
    }
    const meta = GameMetaSchema.safeParse(JSON.parse(metaText));
    if (!meta.success) throw new CodedError('STORAGE_FAILED', `Game "${id}" has a damaged meta.json`);
    const text = await readFile(join(dir, 'events.jsonl'), 'utf8').catch(() => '');
    return { meta: meta.data, ...parseGameLog(text) };
  }

  /** Appends an event (fsynced) and moves the game's updatedAt. */
  async append(id: string, event: GameEvent): Promise<void> {
    const dir = this.dir(id);
    await this.serial(id, async () => {
      await this.appendLine(join(dir, 'events.jsonl'), event);
      const meta = GameMetaSchema.parse(JSON.parse(await readFile(join(dir, 'meta.json'), 'utf8')));
      await writeFileAtomic(join(dir, 'meta.json'), JSON.stringify({ ...meta, updatedAt: event.at }, null, 2), { sync: false });
    });
  }

  /** Every readable game, newest first. */
  async list(): Promise<StoredGame[]> {
    const names = await readdir(this.root).catch(() => [] as string[]);
    const games: StoredGame[] = [];
    for (const name of names) {
      if (!IdSchema.safeParse(name).success) continue;
      try {
        if (!(await stat(join(this.root, name))).isDirectory()) continue;
        games.push(await this.get(name));
      } catch {
        // A damaged game folder is left out of the list, not fatal.
      }
    }
    return games.sort((a, b) => b.meta.updatedAt.localeCompare(a.meta.updatedAt));
  }

  /** One line, fsynced; a torn last line from a crash is ended first so the new line stays whole. */
  private async appendLine(path: string, event: GameEvent): Promise<void> {
    const handle = await open(path, 'a+', 0o600);
    try {
      const { size } = await handle.stat();
      let prefix = '';
      if (size > 0) {
        const last = Buffer.alloc(1);
        await handle.read(last, 0, 1, size - 1);
        if (last[0] !== 0x0a) prefix = '\n';
      }
      await handle.appendFile(`${prefix}${JSON.stringify(event)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
  }
}
