import type { CompareService } from '../compare/compare-service';
import type { Handlers } from './handlers';

type CompareRoute = 'compare.send' | 'compare.stopColumn' | 'compare.vote' | 'compare.choose' | 'compare.leaderboard';

/** Compare: answers side by side, votes, "Continue with this answer", the leaderboard. */
export function createCompareHandlers(compare: CompareService): Pick<Handlers, CompareRoute> {
  return {
    'compare.send': (input, { clientId }) => compare.start(input, clientId),
    'compare.stopColumn': (input, { clientId }) => compare.stopColumn(input, clientId),
    'compare.vote': (input) => compare.vote(input),
    'compare.choose': (input) => compare.choose(input),
    'compare.leaderboard': (input) => compare.leaderboard(input),
  };
}
