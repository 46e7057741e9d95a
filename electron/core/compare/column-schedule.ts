/**
 * Whether the local models of a compare can be loaded side by side: the sum
 * of their estimated memory (each distinct model once) fits the memory
 * budget. When it does not, local columns run one after another (each
 * waiting column says "Waiting for memory"); cloud columns never wait.
 */
export function localColumnsFit(needs: ReadonlyMap<string, number>, budgetBytes: number): boolean {
  let total = 0;
  for (const bytes of needs.values()) total += bytes;
  return total <= budgetBytes;
}

/**
 * Waves of columns: every cloud (and Auto, and failed-before-start) column
 * starts at once with the first local one; the other local columns join the
 * first wave when the local models fit together, else each runs after the
 * one before it.
 */
export function columnWaves(columns: readonly { column: number; local: boolean }[], localFit: boolean): number[][] {
  const immediate = columns.filter((c) => !c.local).map((c) => c.column);
  const local = columns.filter((c) => c.local).map((c) => c.column);
  if (localFit || local.length <= 1) return [[...immediate, ...local].sort((a, b) => a - b)];
  return [[...immediate, local[0]!].sort((a, b) => a - b), ...local.slice(1).map((c) => [c])];
}
