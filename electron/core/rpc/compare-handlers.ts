import { CodedError } from '../../../shared/ipc/errors';
import type { CompareService } from '../compare/compare-service';
import type { Handlers } from './handlers';

type CompareRoute = 'compare.send' | 'compare.stopColumn' | 'compare.vote' | 'compare.choose' | 'compare.leaderboard';

/** Compare: answers side by side, votes, "Continue with this answer", the leaderboard. */
export function createCompareHandlers(compare: CompareService): Pick<Handlers, CompareRoute> {
  void compare;
  const todo = (): never => {
    throw new CodedError('UNSUPPORTED', 'not built yet');
  };
  return {
    'compare.send': async () => todo(),
    'compare.stopColumn': () => todo(),
    'compare.vote': () => todo(),
    'compare.choose': () => todo(),
    'compare.leaderboard': () => todo(),
  };
}
