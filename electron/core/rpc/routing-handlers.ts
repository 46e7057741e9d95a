import { CodedError } from '../../../shared/ipc/errors';
import type { Handlers } from './handlers';

type RoutingRoute = 'route.decide' | 'route.estimate' | 'route.vote' | 'route.learn' | 'usage.summary' | 'cache.clear' | 'cache.stats';

/** Auto's routes: decisions, estimates, votes, outcomes, usage and the response cache. */
export function createRoutingHandlers(): Pick<Handlers, RoutingRoute> {
  const missing = () => {
    throw new CodedError('UNSUPPORTED', 'Auto is not wired in this build yet');
  };
  return {
    'route.decide': missing,
    'route.estimate': missing,
    'route.vote': missing,
    'route.learn': missing,
    'usage.summary': missing,
    'cache.clear': missing,
    'cache.stats': missing,
  };
}
