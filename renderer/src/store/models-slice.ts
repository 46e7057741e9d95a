import type { LocalModel } from '../../../shared/ipc/domain';
import { describeError } from '../client/tandem-client-error';
import type { LoadStatus, SliceCreator } from './app-state';
import { chooseModel } from './model-choice';

export interface ModelsSlice {
  models: LocalModel[];
  modelsStatus: LoadStatus;
  modelsError: string | null;
  /** The model the next message goes to. */
  selectedModelId: string | null;
  loadModels(options?: { refresh?: boolean }): Promise<void>;
  /** Picks a model and remembers it as the default for new chats. */
  selectModel(modelId: string): void;
  /** Follows a chat's own model when it can be used, without changing the default. */
  followChatModel(modelId: string | null): void;
  /** Picks again once cloud models are known: the saved default may be one of them. */
  rechooseModel(): void;
}

export const createModelsSlice: SliceCreator<ModelsSlice> = (set, get, { client }) => ({
  models: [],
  modelsStatus: 'idle',
  modelsError: null,
  selectedModelId: null,

  loadModels: async ({ refresh = false } = {}) => {
    set({ modelsStatus: 'loading' });
    try {
      const models = await client.request('models.list', refresh ? { refresh } : {});
      const { selectedModelId, settings } = get();
      set({
        models,
        modelsStatus: 'ready',
        modelsError: null,
        selectedModelId: chooseModel(models, [selectedModelId, settings?.defaultModelId], get().cloudModels),
      });
    } catch (error) {
      set({ modelsStatus: 'error', modelsError: describeError(error) });
    }
  },

  selectModel: (modelId) => {
    set({ selectedModelId: modelId });
    if (get().settings?.defaultModelId !== modelId) void get().updateSettings({ defaultModelId: modelId });
  },

  followChatModel: (modelId) => {
    const { models, selectedModelId } = get();
    if (!modelId || modelId === selectedModelId) return;
    if (chooseModel(models, [modelId], get().cloudModels) === modelId) set({ selectedModelId: modelId });
  },

  rechooseModel: () => {
    const { models, selectedModelId, settings, cloudModels, modelsStatus } = get();
    if (modelsStatus !== 'ready') return; // loadModels chooses, cloud models included
    const defaultId = settings?.defaultModelId;
    // Keep a choice that differs from the default (a chat's own model); otherwise let the default win.
    const preferred = selectedModelId && selectedModelId !== defaultId && selectedModelId.includes('/') ? [selectedModelId, defaultId] : [defaultId, selectedModelId];
    const next = chooseModel(models, preferred, cloudModels);
    if (next !== selectedModelId) set({ selectedModelId: next });
  },
});
