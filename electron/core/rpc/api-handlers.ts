import { CodedError } from '../../../shared/ipc/errors';
import type { ApiKeyService } from '../server/api-keys/api-key-service';
import type { ApiService } from '../server/api-service';
import type { Handlers } from './handlers';

type ApiRoute = 'api.status' | 'api.requests' | 'apiKeys.list' | 'apiKeys.add' | 'apiKeys.rotate' | 'apiKeys.update' | 'apiKeys.revoke';

export interface ApiHandlerDeps {
  api: Pick<ApiService, 'status'>;
  keys: ApiKeyService;
}

/** Tandem's API server: status, request log, keys. Without deps (a core built without the API) every route is UNSUPPORTED. */
export function createApiHandlers(deps: ApiHandlerDeps | null = null): Pick<Handlers, ApiRoute> {
  if (!deps) {
    const unsupported = (): never => {
      throw new CodedError('UNSUPPORTED', 'The API server is not available in this mode');
    };
    return {
      'api.status': unsupported,
      'api.requests': unsupported,
      'apiKeys.list': unsupported,
      'apiKeys.add': unsupported,
      'apiKeys.rotate': unsupported,
      'apiKeys.update': unsupported,
      'apiKeys.revoke': unsupported,
    };
  }
  const { api, keys } = deps;
  return {
    'api.status': () => api.status(),
    'api.requests': ({ limit }) => keys.requests(limit ?? 100),
    'apiKeys.list': () => keys.list(),
    'apiKeys.add': (input) => keys.add(input),
    'apiKeys.rotate': ({ id }) => keys.rotate(id),
    'apiKeys.update': ({ id, ...limits }) => keys.update(id, limits),
    'apiKeys.revoke': async ({ id }) => {
      await keys.revoke(id);
      return { revoked: true as const };
    },
  };
}
