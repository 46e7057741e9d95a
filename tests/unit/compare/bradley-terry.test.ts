import { describe, expect, test } from 'vitest';
import { bradleyTerry, gamesOf, type Game } from '../../../electron/core/compare/bradley-terry';

function games(a: string, b: string, aWins: number, bWins: number, ties = 0): Game[] {
  return [
    ...Array.from({ length: aWins }, (): Game => ({ a, b, scoreA: 1 })),
    ...Array.from({ length: bWins }, (): Game => ({ a, b, scoreA: 0 })),
    ...Array.from({ length: ties }, (): Game => ({ a, b, scoreA: 0.5 })),
  ];
}

describe('Bradley–Terry ratings', () => {
  test('a clearly stronger model ranks first, with its wins, losses and ties counted', () => {
    const rows = bradleyTerry([...games('strong', 'weak', 8, 2, 1), ...games('strong', 'middle', 6, 4), ...games('middle', 'weak', 6, 4)]);
    expect(rows.map((r) => r.modelId)).toEqual(['strong', 'middle', 'weak']);
    expect(rows[0]).toMatchObject({ modelId: 'strong', wins: 14, losses: 6, ties: 1 });
    expect(rows[2]).toMatchObject({ modelId: 'weak', wins: 6, losses: 14, ties: 1 });
    // Elo scale centred on 1000; the stronger one well above, the interval around its rating.
    expect(rows.reduce((sum, r) => sum + r.rating, 0) / rows.length).toBeCloseTo(1000, 6);
    expect(rows[0]!.rating).toBeGreaterThan(1050);
    expect(rows[2]!.rating).toBeLessThan(950);
    for (const row of rows) {
      expect(row.ratingLow).toBeLessThan(row.rating);
      expect(row.ratingHigh).toBeGreaterThan(row.rating);
    }
  });

  test('80% wins against one opponent is about 240 Elo points apart (shrunk a little by the prior)', () => {
    const [a, b] = bradleyTerry(games('a', 'b', 80, 20));
    const gap = a!.rating - b!.rating;
    expect(gap).toBeGreaterThan(200);
    expect(gap).toBeLessThan(400 * Math.log10(4) + 1);
  });

  test('intervals shrink with more games', () => {
    const few = bradleyTerry(games('a', 'b', 3, 2));
    const many = bradleyTerry(games('a', 'b', 300, 200));
    const width = (rows: typeof few) => rows[0]!.ratingHigh - rows[0]!.ratingLow;
    expect(width(many)).toBeLessThan(width(few) / 5);
    // The same share of wins: about the same ratings once the prior no longer matters.
    expect(many[0]!.rating - many[1]!.rating).toBeGreaterThan(few[0]!.rating - few[1]!.rating);
  });

  test('a model that won every game stays finite; all ties rate everyone equal', () => {
    const [top, bottom] = bradleyTerry(games('a', 'b', 5, 0));
    expect(Number.isFinite(top!.rating) && Number.isFinite(bottom!.rating)).toBe(true);
    expect(Number.isFinite(top!.ratingHigh)).toBe(true);
    expect(top!.modelId).toBe('a');
    const tied = bradleyTerry(games('a', 'b', 0, 0, 4));
    expect(tied[0]!.rating).toBeCloseTo(1000, 6);
    expect(tied[1]!.rating).toBeCloseTo(1000, 6);
    expect(bradleyTerry([])).toEqual([]);
  });

  test('an outcome over several models is every pair: higher score wins, equal ties', () => {
    expect(gamesOf({ x: { score: 1 }, y: { score: 0 }, z: { score: 0 } })).toEqual([
      { a: 'x', b: 'y', scoreA: 1 },
      { a: 'x', b: 'z', scoreA: 1 },
      { a: 'y', b: 'z', scoreA: 0.5 },
    ]);
    expect(gamesOf({ x: { score: 0.2 }, y: { score: 0.7 } })).toEqual([{ a: 'x', b: 'y', scoreA: 0 }]);
    expect(gamesOf({ x: { score: 1 } })).toEqual([]);
  });
});
