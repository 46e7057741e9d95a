import { CodedError } from '../../../shared/ipc/errors';
import type { Handlers } from './handlers';

type ApiRoute = 'api.status' | 'api.requests' | 'apiKeys.list' | 'apiKeys.add' | 'apiKeys.rotate' | 'apiKeys.update' | 'apiKeys.revoke';

/** Tandem's API server: status, request log, keys. */
export function createApiHandlers(): Pick<Handlers, ApiRoute> {
  const todo = (): never => {
    throw new CodedError('UNSUPPORTED', 'not built yet');
  };
  return {
    'api.status': () => todo(),
    'api.requests': () => todo(),
    'apiKeys.list': () => todo(),
    'apiKeys.add': () => todo(),
    'apiKeys.rotate': () => todo(),
    'apiKeys.update': () => todo(),
    'apiKeys.revoke': () => todo(),
  };
}
