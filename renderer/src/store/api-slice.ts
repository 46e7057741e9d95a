import type { RouteOutput } from '../../../shared/ipc/contract';
import type { ApiKeyLimits, ApiKeySummary, ApiRequestLogEntry } from '../../../shared/ipc/routes/api';
import { describeError } from '../client/tandem-client-error';
import type { LoadStatus, SliceCreator } from './app-state';

export type ApiServerStatus = RouteOutput<'api.status'>;
/** A key just made or rotated: its secret is shown once. */
export type NewApiKey = RouteOutput<'apiKeys.add'>;

export interface ApiSlice {
  apiStatus: ApiServerStatus | null;
  apiKeys: ApiKeySummary[];
  apiKeysStatus: LoadStatus;
  apiKeysError: string | null;
  apiRequests: ApiRequestLogEntry[];
  apiRequestsStatus: LoadStatus;
  /** The API page: the server's status and the keys. */
  loadApi(): Promise<void>;
  /** The request log on the Usage page. */
  loadApiRequests(): Promise<void>;
  /** The backend said the server, the keys or the log changed: reloads what is on screen. */
  receiveApiChanged(): void;
  /** Makes a key; throws with a readable message (the form shows it). */
  addApiKey(input: { name: string } & Partial<ApiKeyLimits>): Promise<NewApiKey>;
  /** A new secret; null (with a notice) when it failed. */
  rotateApiKey(id: string): Promise<NewApiKey | null>;
  revokeApiKey(id: string): Promise<boolean>;
}

export const createApiSlice: SliceCreator<ApiSlice> = (set, get, { client }) => {
  let apiTicket = 0;
  let requestsTicket = 0;
  return {
    apiStatus: null,
    apiKeys: [],
    apiKeysStatus: 'idle',
    apiKeysError: null,
    apiRequests: [],
    apiRequestsStatus: 'idle',

    loadApi: async () => {
      const ticket = ++apiTicket;
      set((state) => ({ apiKeysStatus: state.apiKeysStatus === 'ready' ? 'ready' : 'loading' }));
      try {
        const [status, keys] = await Promise.all([client.request('api.status', {}), client.request('apiKeys.list', {})]);
        if (ticket === apiTicket) set({ apiStatus: status, apiKeys: keys, apiKeysStatus: 'ready', apiKeysError: null });
      } catch (error) {
        if (ticket === apiTicket) set({ apiKeysStatus: 'error', apiKeysError: describeError(error) });
      }
    },

    loadApiRequests: async () => {
      const ticket = ++requestsTicket;
      set((state) => ({ apiRequestsStatus: state.apiRequestsStatus === 'ready' ? 'ready' : 'loading' }));
      try {
        const requests = await client.request('api.requests', { limit: 200 });
        if (ticket === requestsTicket) set({ apiRequests: requests, apiRequestsStatus: 'ready' });
      } catch {
        if (ticket === requestsTicket) set({ apiRequestsStatus: 'error' });
      }
    },

    receiveApiChanged: () => {
      const { page } = get();
      if (page === 'api') void get().loadApi();
      if (page === 'usage') void get().loadApiRequests();
    },

    addApiKey: async (input) => {
      try {
        const made = await client.request('apiKeys.add', input);
        void get().loadApi();
        return made;
      } catch (error) {
        throw new Error(describeError(error));
      }
    },

    rotateApiKey: async (id) => {
      try {
        const made = await client.request('apiKeys.rotate', { id });
        void get().loadApi();
        return made;
      } catch (error) {
        get().notify(`Could not rotate the key: ${describeError(error)}`);
        return null;
      }
    },

    revokeApiKey: async (id) => {
      try {
        await client.request('apiKeys.revoke', { id });
        set((state) => ({ apiKeys: state.apiKeys.filter((k) => k.id !== id) }));
        void get().loadApi();
        return true;
      } catch (error) {
        get().notify(`Could not revoke the key: ${describeError(error)}`);
        return false;
      }
    },
  };
};
