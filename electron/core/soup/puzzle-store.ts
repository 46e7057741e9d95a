import { readFile } from 'node:fs/promises';
import type { z } from 'zod';
import { CodedError } from '../../../shared/ipc/errors';
import { PuzzleSchema, type Puzzle, type PuzzleSummary } from '../../../shared/ipc/routes/soup';
import { writeFileAtomic } from '../fs/atomic-write';

export interface StoredPuzzle {
  puzzle: Puzzle;
  source: 'builtin' | 'user';
}

/** "field: problem" for each issue of a failed parse, naming the path (keyFacts.2, questions.0.answer…). */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length ? issue.path.join('.') : 'puzzle'}: ${issue.message}`)
    .join('; ');
}

export function summarize({ puzzle, source }: StoredPuzzle): PuzzleSummary {
  return { id: puzzle.id, title: puzzle.title, difficulty: puzzle.difficulty, surface: puzzle.surface, keyFactCount: puzzle.keyFacts.length, source };
}

/**
 * The builtin pack (read-only, from resources/) and the user's puzzles
 * (`<dataDir>/soup/puzzles.json`, written atomically). Ids are unique across both.
 */
export class PuzzleStore {
  private builtins: Puzzle[] = [];
  private user: Puzzle[] = [];
  /** Why the builtin pack or the user's file could not be read, if so. */
  loadProblems: string[] = [];

  /** `builtinFile`: the puzzles that ship with Tandem (`BundledResources.puzzles`). */
  constructor(private readonly options: { userFile: string; builtinFile: string }) {}

  async init(): Promise<void> {
    this.builtins = await this.load(this.options.builtinFile, 'the builtin puzzle pack');
    const builtinIds = new Set(this.builtins.map((p) => p.id));
    this.user = (await this.load(this.options.userFile, 'your puzzles')).filter((p) => !builtinIds.has(p.id));
  }

  private async load(file: string, label: string): Promise<Puzzle[]> {
    let raw: unknown;
    try {
      raw = JSON.parse(await readFile(file, 'utf8'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') this.loadProblems.push(`${label} (${file}) could not be read: ${(error as Error).message}`);
      return [];
    }
    if (!Array.isArray(raw)) {
      this.loadProblems.push(`${label} (${file}) is not a JSON array`);
      return [];
    }
    const puzzles: Puzzle[] = [];
    const seen = new Set<string>();
    raw.forEach((item, index) => {
      const parsed = PuzzleSchema.safeParse(item);
      if (!parsed.success) this.loadProblems.push(`${label}: puzzle ${index} skipped: ${describeIssues(parsed.error)}`);
      else if (!seen.has(parsed.data.id)) {
        seen.add(parsed.data.id);
        puzzles.push(parsed.data);
      }
    });
    return puzzles;
  }

  all(): StoredPuzzle[] {
    return [...this.builtins.map((puzzle) => ({ puzzle, source: 'builtin' as const })), ...this.user.map((puzzle) => ({ puzzle, source: 'user' as const }))];
  }

  list(): PuzzleSummary[] {
    return this.all().map(summarize);
  }

  builtin(): Puzzle[] {
    return [...this.builtins];
  }

  find(id: string): Puzzle | null {
    return this.all().find((p) => p.puzzle.id === id)?.puzzle ?? null;
  }

  get(id: string): Puzzle {
    const puzzle = this.find(id);
    if (!puzzle) throw new CodedError('NOT_FOUND', `No puzzle "${id}". \`tandem soup list\` shows the puzzles.`);
    return puzzle;
  }

  /** Validates and adds one user puzzle; INVALID_INPUT names the field, CONFLICT an id already taken. */
  async add(input: unknown): Promise<PuzzleSummary> {
    const puzzle = this.validate(input);
    this.user = [...this.user, puzzle];
    await this.save();
    return summarize({ puzzle, source: 'user' });
  }

  /** Imports one puzzle or an array; each bad one is reported by index and the rest are added. */
  async import(json: string): Promise<{ added: PuzzleSummary[]; errors: { index: number; message: string }[] }> {
    let raw: unknown;
    try {
      raw = JSON.parse(json);
    } catch (error) {
      throw new CodedError('INVALID_INPUT', `Not valid JSON: ${(error as Error).message}`);
    }
    const items = Array.isArray(raw) ? raw : [raw];
    const added: PuzzleSummary[] = [];
    const errors: { index: number; message: string }[] = [];
    const accepted: Puzzle[] = [];
    items.forEach((item, index) => {
      try {
        const puzzle = this.validate(item, accepted);
        accepted.push(puzzle);
        added.push(summarize({ puzzle, source: 'user' }));
      } catch (error) {
        errors.push({ index, message: (error as Error).message });
      }
    });
    if (accepted.length > 0) {
      this.user = [...this.user, ...accepted];
      await this.save();
    }
    return { added, errors };
  }

  private validate(input: unknown, pending: Puzzle[] = []): Puzzle {
    const parsed = PuzzleSchema.safeParse(input);
    if (!parsed.success) throw new CodedError('INVALID_INPUT', `This puzzle is not valid: ${describeIssues(parsed.error)}`);
    const id = parsed.data.id;
    if (this.find(id) || pending.some((p) => p.id === id)) throw new CodedError('CONFLICT', `id: "${id}" is taken by another puzzle; choose another id.`);
    return parsed.data;
  }

  private async save(): Promise<void> {
    await writeFileAtomic(this.options.userFile, `${JSON.stringify(this.user, null, 2)}\n`);
  }
}
