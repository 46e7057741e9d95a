import type { RouteInput } from '../../../shared/ipc/contract';
import type { CloudModel, ProviderHealth, ProviderInfo, ProviderPreset } from '../../../shared/ipc/routes/providers';
import { describeError, TandemClientError } from '../client/tandem-client-error';
import type { LoadStatus, SliceCreator } from './app-state';

/** The last "Test connection" of one provider. */
export type ConnectionTest =
  | { status: 'testing' }
  | { status: 'ok'; latencyMs: number; models: CloudModel[] }
  | { status: 'error'; code: string; message: string };

export type AddProviderInput = RouteInput<'providers.add'>;

export interface ProvidersSlice {
  providers: ProviderInfo[];
  presets: ProviderPreset[];
  providersStatus: LoadStatus;
  /** Each provider's models, for the model picker (`PROVIDER/MODEL`). */
  cloudModels: Record<string, CloudModel[]>;
  health: ProviderHealth[];
  connectionTests: Record<string, ConnectionTest>;
  loadProviders(): Promise<void>;
  loadProviderModels(name: string, options?: { freeOnly?: boolean }): Promise<void>;
  /** Adds a provider; answers an error message, or null when it was added. */
  addProvider(input: AddProviderInput): Promise<string | null>;
  removeProvider(name: string): Promise<void>;
  setProviderKey(name: string, apiKey: string | null): Promise<boolean>;
  testProvider(name: string): Promise<void>;
  loadHealth(): Promise<void>;
}

export const createProvidersSlice: SliceCreator<ProvidersSlice> = (set, get, { client }) => ({
  providers: [],
  presets: [],
  providersStatus: 'idle',
  cloudModels: {},
  health: [],
  connectionTests: {},

  loadProviders: async () => {
    if (get().providersStatus !== 'ready') set({ providersStatus: 'loading' });
    try {
      const [providers, presets] = await Promise.all([client.request('providers.list', {}), client.request('providers.presets', {})]);
      set({ providers, presets, providersStatus: 'ready' });
      await Promise.all([get().loadHealth(), ...providers.map((p) => get().loadProviderModels(p.name))]);
    } catch (error) {
      set({ providersStatus: 'error' });
      get().notify(`Could not load providers: ${describeError(error)}`);
    }
  },

  loadProviderModels: async (name, { freeOnly = false } = {}) => {
    try {
      const models = await client.request('providers.models', freeOnly ? { name, freeOnly } : { name });
      set((state) => ({ cloudModels: { ...state.cloudModels, [name]: models } }));
      get().rechooseModel();
    } catch {
      // An unreachable provider simply offers no models in the picker; its page shows why on "Test connection".
    }
  },

  addProvider: async (input) => {
    try {
      await client.request('providers.add', input);
    } catch (error) {
      return describeError(error);
    }
    await get().loadProviders();
    return null;
  },

  removeProvider: async (name) => {
    try {
      await client.request('providers.remove', { name });
    } catch (error) {
      get().notify(`Could not remove ${name}: ${describeError(error)}`);
      return;
    }
    set((state) => {
      const cloudModels = { ...state.cloudModels };
      delete cloudModels[name];
      const connectionTests = { ...state.connectionTests };
      delete connectionTests[name];
      return { providers: state.providers.filter((p) => p.name !== name), cloudModels, connectionTests };
    });
    get().rechooseModel(); // its models may have been the chosen one
  },

  setProviderKey: async (name, apiKey) => {
    try {
      const info = await client.request('providers.setKey', { name, apiKey });
      set((state) => ({ providers: state.providers.map((p) => (p.name === name ? info : p)) }));
      return true;
    } catch (error) {
      get().notify(`Could not save the key for ${name}: ${describeError(error)}`);
      return false;
    }
  },

  testProvider: async (name) => {
    set((state) => ({ connectionTests: { ...state.connectionTests, [name]: { status: 'testing' } } }));
    let result: ConnectionTest;
    try {
      const { latencyMs, models } = await client.request('providers.test', { name });
      result = { status: 'ok', latencyMs, models };
      set((state) => ({ cloudModels: { ...state.cloudModels, [name]: models } }));
    } catch (error) {
      result = { status: 'error', code: error instanceof TandemClientError ? error.code : 'INTERNAL', message: describeError(error) };
    }
    set((state) => ({ connectionTests: { ...state.connectionTests, [name]: result } }));
    void get().loadHealth();
  },

  loadHealth: async () => {
    try {
      set({ health: await client.request('providers.health', {}) });
    } catch {
      // Health is a nice-to-have; the list still works without it.
    }
  },
});
