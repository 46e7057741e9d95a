import { describe, expect, test } from 'vitest';
import { extractiveCondense, groundedShare, GROUNDED_SHARE } from '../../../electron/core/strategies/grounding';

const SOURCES = [
  '[1] ferry.md § The ferry — Parking is limited near the pier. The Solvik ferry crossing takes 47 minutes. A café serves soup all year.',
  '[2] bakery.md § The bakery — Guided tours run on weekends. The Oakridge bakery bakes 340 loaves every morning.',
  '[3] bridge.md § The bridge — Visitors often arrive early. Several festivals take place nearby.',
];

describe('grounding a condensation', () => {
  test('copied facts count as grounded; a story in the model’s own words does not', () => {
    const copied = '[1] The Solvik ferry crossing takes 47 minutes.';
    const story = 'Once upon a time there was a little girl named Lily who loved to play with her dog in the sunny park.';
    expect(groundedShare(copied, SOURCES.join('\n'))).toBeGreaterThanOrEqual(GROUNDED_SHARE);
    expect(groundedShare(story, SOURCES.join('\n'))).toBeLessThan(GROUNDED_SHARE);
    expect(groundedShare('', SOURCES.join('\n'))).toBe(0);
  });

  test('the extractive condensation keeps the sentences that answer, under their own markers, and drops the rest', () => {
    const condensed = extractiveCondense('How long does the Solvik ferry crossing take?', SOURCES);
    expect(condensed).toBe('[1] ferry.md § The ferry — The Solvik ferry crossing takes 47 minutes.');
    expect(condensed.length).toBeLessThan(SOURCES.join('\n').length / 2);
  });

  test('when no sentence shares a word with the question, every source keeps its first sentence within the budget', () => {
    const condensed = extractiveCondense('Zzz?', SOURCES);
    expect(condensed.split('\n')[0]).toBe('[1] ferry.md § The ferry — Parking is limited near the pier.');
    for (const line of condensed.split('\n')) expect(line).toMatch(/^\[[123]\] /);
  });
});
