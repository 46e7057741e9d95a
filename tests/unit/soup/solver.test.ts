import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { lexicalOverlap } from '../../../electron/core/soup/lexical';
import { combineVerdict } from '../../../electron/core/soup/solver';
import { parseHostAnswer } from '../../../electron/core/soup/host';
import { bundledResources } from '../../../electron/core/app/resources-dir';
import { resourcesDir } from '../../support/paths';
import { PuzzleSchema, type Puzzle } from '../../../shared/ipc/routes/soup';
import { FIXTURE_PUZZLES } from './fixture-puzzles';

/** The fixtures and, when it is there, every puzzle of the shipped pack: the rule must hold for all, not one. */
const BUILTIN_PUZZLES = bundledResources(resourcesDir).puzzles;
const builtin: Puzzle[] = existsSync(BUILTIN_PUZZLES)
  ? (JSON.parse(readFileSync(BUILTIN_PUZZLES, 'utf8')) as unknown[]).flatMap((p) => {
      const parsed = PuzzleSchema.safeParse(p);
      return parsed.success ? [parsed.data] : [];
    })
  : [];
const puzzles = [...FIXTURE_PUZZLES, ...builtin];
const UNRELATED = 'A dragon baked a cake for the queen, and everyone danced in the garden until noon.';

/** Verdicts with a judge that always answers the same (a noisy tiny model does): only the word check can save the day. */
function judged(puzzle: Puzzle, guess: string, judge: boolean | null): boolean[] {
  return puzzle.keyFacts.map((fact) => combineVerdict(judge, lexicalOverlap(fact, guess, puzzle.keyFacts)).found);
}

describe('the solver, whatever a noisy judge says', () => {
  test('a judge that says yes to everything: the hidden story itself is solved', () => {
    for (const puzzle of puzzles) {
      const found = judged(puzzle, puzzle.hidden, true);
      expect({ id: puzzle.id, found }).toEqual({ id: puzzle.id, found: found.map(() => true) });
    }
  });

  test.each([true, false, null])('judge always %s: an unrelated guess finds nothing', (judge) => {
    for (const puzzle of puzzles) expect({ id: puzzle.id, found: judged(puzzle, UNRELATED, judge) }).toEqual({ id: puzzle.id, found: puzzle.keyFacts.map(() => false) });
  });

  test.each([true, false, null])('judge always %s: a guess with half the facts shows exactly those', (judge) => {
    for (const puzzle of puzzles) {
      const half = Math.floor(puzzle.keyFacts.length / 2);
      const found = judged(puzzle, puzzle.keyFacts.slice(0, half).join('. '), judge);
      expect({ id: puzzle.id, found }).toEqual({ id: puzzle.id, found: puzzle.keyFacts.map((_, i) => i < half) });
    }
  });

  test('how a verdict is decided', () => {
    expect(combineVerdict(true, 0.9)).toEqual({ found: true, by: 'both' });
    expect(combineVerdict(false, 0.9)).toEqual({ found: true, by: 'lexical' });
    expect(combineVerdict(null, 0.85)).toEqual({ found: true, by: 'lexical' });
    expect(combineVerdict(true, 0.45)).toEqual({ found: true, by: 'judge' });
    expect(combineVerdict(true, 0.05)).toEqual({ found: false, by: 'lexical' }); // a yes about a fact the guess never mentions
    expect(combineVerdict(false, 0.1)).toEqual({ found: false, by: 'both' });
    expect(combineVerdict(false, 0.6)).toEqual({ found: false, by: 'judge' });
  });

  test('word overlap: stems and prefixes match, filler does not, a negated fact needs a negation', () => {
    expect(lexicalOverlap('He was shipwrecked on an island', 'the ship wrecked him; shipwrecks happen on islands')).toBeGreaterThanOrEqual(0.5);
    expect(lexicalOverlap('The man drowned', 'the man was drowning')).toBe(1);
    expect(lexicalOverlap('The woman was a lighthouse keeper', 'it was the and of a')).toBe(0);
    expect(lexicalOverlap('His pipes did not burst', 'his pipes burst')).toBeLessThan(0.4);
    expect(lexicalOverlap('His pipes did not burst', "his pipes didn't burst")).toBe(1);
  });
});

describe('the host reply', () => {
  test('only the four answers get through', () => {
    expect(parseHostAnswer('{"answer": "yes"}')).toBe('yes');
    expect(parseHostAnswer('{ "answer" : "yes-and-no" }')).toBe('yes-and-no');
    expect(parseHostAnswer('```json\n{"answer": "irrelevant"}\n```')).toBe('irrelevant');
    expect(parseHostAnswer('No.')).toBe('no');
    expect(parseHostAnswer('Yes and no')).toBe('yes-and-no');
    expect(parseHostAnswer('{"answer": "maybe"}')).toBeNull();
    expect(parseHostAnswer('Yes, because his wife died on the island.')).toBeNull();
    expect(parseHostAnswer('')).toBeNull();
  });
});
