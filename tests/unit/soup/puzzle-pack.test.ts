import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DifficultySchema, PuzzleSchema, type Puzzle } from '../../../shared/ipc/routes/soup';
import { repoRoot } from '../../support/paths';

const packPath = join(repoRoot, 'resources', 'turtle-soup', 'puzzles.json');
const raw: unknown = JSON.parse(readFileSync(packPath, 'utf8'));

/** Lower-case, letters and digits only, single spaces: so punctuation and case don't hide a copy. */
const norm = (s: string): string =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();

describe('the built-in Turtle Soup puzzle pack', () => {
  it('is a JSON array of at least 20 puzzles', () => {
    expect(Array.isArray(raw)).toBe(true);
    expect((raw as unknown[]).length).toBeGreaterThanOrEqual(20);
  });

  const items = Array.isArray(raw) ? (raw as unknown[]) : [];

  it.each(items.map((p, i) => [i, (p as { id?: string }).id ?? '?', p] as const))('puzzle %i (%s) parses with PuzzleSchema', (_i, _id, p) => {
    const parsed = PuzzleSchema.safeParse(p);
    expect(parsed.success, parsed.success ? '' : parsed.error.message).toBe(true);
  });

  const puzzles: Puzzle[] = items.map((p) => PuzzleSchema.parse(p));

  it('has unique ids and unique titles', () => {
    const ids = puzzles.map((p) => p.id);
    const titles = puzzles.map((p) => norm(p.title));
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(titles).size).toBe(titles.length);
  });

  it('has every difficulty', () => {
    const present = new Set(puzzles.map((p) => p.difficulty));
    for (const d of DifficultySchema.options) expect(present.has(d), `no ${d} puzzle`).toBe(true);
  });

  it.each(puzzles.map((p) => [p.id, p] as const))('%s: its questions include yes, no and irrelevant answers', (_id, p) => {
    const answers = new Set(p.questions.map((q) => q.answer));
    expect(answers.has('yes')).toBe(true);
    expect(answers.has('no')).toBe(true);
    expect(answers.has('irrelevant')).toBe(true);
    const asked = p.questions.map((q) => norm(q.question));
    expect(new Set(asked).size, 'a question is listed twice').toBe(asked.length);
  });

  it.each(puzzles.map((p) => [p.id, p] as const))('%s: no key fact is a copy of the surface, and none repeats', (_id, p) => {
    const surface = norm(p.surface);
    for (const fact of p.keyFacts) {
      const f = norm(fact);
      expect(f.length).toBeGreaterThan(0);
      expect(f, `key fact copies the surface: ${fact}`).not.toBe(surface);
      expect(surface.includes(f), `key fact is part of the surface: ${fact}`).toBe(false);
    }
    expect(new Set(p.keyFacts.map(norm)).size).toBe(p.keyFacts.length);
  });

  it.each(puzzles.map((p) => [p.id, p] as const))('%s: is credited, and its hints do not repeat the hidden story', (_id, p) => {
    expect(p.author).toBe('Tandem');
    const hidden = norm(p.hidden);
    for (const h of p.hints) expect(norm(h)).not.toBe(hidden);
  });
});
