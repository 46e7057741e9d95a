/**
 * Whether the local models of a compare can be loaded side by side: the sum
 * of their estimated memory (each distinct model once) fits the memory
 * budget.
 */
export function localColumnsFit(needs: ReadonlyMap<string, number>, budgetBytes: number): boolean {
  let total = 0;
  for (const bytes of needs.values()) total += bytes;
  return total <= budgetBytes;
}

/** Why a local column waits for the one before it. */
export type LocalWait = 'queue' | 'memory';

/**
 * Local columns always run one after another (the local runtime generates one
 * answer at a time). A waiting local column waits for its turn (`queue`; its
 * model is loaded ahead, beside the running one) when the two fit in memory
 * together, else for memory (`memory`: the running model is unloaded first).
 */
export function localWaitOf(fitsBesideThePrevious: boolean): LocalWait {
  return fitsBesideThePrevious ? 'queue' : 'memory';
}
