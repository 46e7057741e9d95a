import type { HardwareInfo, LoadedModelStatus, LoadOptions, ModelDetails, ModelFolder } from '../../../shared/ipc/routes/models';
import { describeError, TandemClientError } from '../client/tandem-client-error';
import type { LoadStatus, SliceCreator } from './app-state';

/** A model's header details, or why they could not be read. */
export type DetailsEntry = { status: 'ready'; details: ModelDetails } | { status: 'error'; error: string };

export interface LibrarySlice {
  /** Header details and fit estimates by model id, filled in as they arrive. */
  modelDetails: Record<string, DetailsEntry>;
  /** Models loaded or loading now, by id (from `models.loaded` and `models.status`). */
  loadedModels: Record<string, LoadedModelStatus>;
  hardware: HardwareInfo | null;
  libraryStatus: LoadStatus;
  /** Reads hardware, loaded models and every usable model's details. */
  loadLibrary(): Promise<void>;
  /** Loads a model; `options` are also remembered for it by the backend. */
  loadLocalModel(modelId: string, options?: LoadOptions): Promise<void>;
  /** The folders scanned for models (`models.folders`). */
  modelFolders: ModelFolder[];
  loadModelFolders(): Promise<void>;
  /** Adds a folder to settings; false (with a notice) when it was refused. */
  addModelFolder(path: string): Promise<boolean>;
  removeModelFolder(path: string): Promise<void>;
  /** Copies a GGUF into the data dir's models folder; false (with a notice) when refused. */
  importModelFile(path: string): Promise<boolean>;
  unloadLocalModel(modelId: string): Promise<void>;
  cancelLocalLoad(modelId: string): Promise<void>;
  receiveModelStatus(status: LoadedModelStatus): void;
}

export const createLibrarySlice: SliceCreator<LibrarySlice> = (set, get, { client }) => {
  // Bumped by every status change; a `models.loaded` snapshot older than the last change is stale.
  let statusVersion = 0;
  const putStatus = (status: LoadedModelStatus) => {
    statusVersion++;
    set((state) => {
      const loadedModels = { ...state.loadedModels };
      if (status.state === 'unloaded') delete loadedModels[status.modelId];
      else loadedModels[status.modelId] = status;
      return { loadedModels };
    });
  };
  const dropStatus = (modelId: string) => {
    statusVersion++;
    set((state) => {
      const loadedModels = { ...state.loadedModels };
      delete loadedModels[modelId];
      return { loadedModels };
    });
  };

  return {
    modelDetails: {},
    loadedModels: {},
    hardware: null,
    libraryStatus: 'idle',
    modelFolders: [],

    loadModelFolders: async () => {
      try {
        set({ modelFolders: await client.request('models.folders', {}) });
      } catch (error) {
        get().notify(`Could not read the model folders: ${describeError(error)}`);
      }
    },

    addModelFolder: async (path) => {
      try {
        set({ modelFolders: await client.request('models.addFolder', { path }) });
        return true;
      } catch (error) {
        get().notify(`Could not add the folder: ${describeError(error)}`);
        return false;
      }
    },

    removeModelFolder: async (path) => {
      try {
        set({ modelFolders: await client.request('models.removeFolder', { path }) });
      } catch (error) {
        get().notify(`Could not remove the folder: ${describeError(error)}`);
      }
    },

    importModelFile: async (path) => {
      try {
        await client.request('models.import', { path });
        return true;
      } catch (error) {
        get().notify(`Could not import the file: ${describeError(error)}`);
        return false;
      }
    },

    loadLibrary: async () => {
      set({ libraryStatus: 'loading' });
      const versionAtRequest = statusVersion;
      try {
        const [hardware, loaded] = await Promise.all([client.request('hardware.info', {}), client.request('models.loaded', {})]);
        set({ hardware, libraryStatus: 'ready' });
        if (versionAtRequest === statusVersion) set({ loadedModels: Object.fromEntries(loaded.map((status) => [status.modelId, status])) });
      } catch (error) {
        set({ libraryStatus: 'error' });
        get().notify(`Could not read the hardware and loaded models: ${describeError(error)}`);
      }
      // One at a time: inspecting reads each file's header and estimates its fit.
      for (const model of get().models) {
        if (model.problem !== null || get().modelDetails[model.id]?.status === 'ready') continue;
        let entry: DetailsEntry;
        try {
          entry = { status: 'ready', details: await client.request('models.inspect', { modelId: model.id }) };
        } catch (error) {
          entry = { status: 'error', error: describeError(error) };
        }
        set((state) => ({ modelDetails: { ...state.modelDetails, [model.id]: entry } }));
      }
    },

    loadLocalModel: async (modelId, options) => {
      const model = get().models.find((m) => m.id === modelId);
      putStatus({
        modelId,
        path: model?.path ?? '',
        state: 'loading',
        kind: 'chat',
        memoryBytes: 0,
        contextSize: null,
        gpuLayers: null,
        threads: null,
        lastUsedAt: null,
        error: null,
      });
      try {
        putStatus(await client.request('models.load', options ? { modelId, options } : { modelId }));
      } catch (error) {
        const current = get().loadedModels[modelId];
        if (current?.state === 'loading') dropStatus(modelId);
        if (!(error instanceof TandemClientError && error.code === 'CANCELLED')) {
          get().notify(`Could not load ${model?.name ?? modelId}: ${describeError(error)}`);
        }
      }
    },

    unloadLocalModel: async (modelId) => {
      try {
        await client.request('models.unload', { modelId });
        dropStatus(modelId);
      } catch (error) {
        get().notify(`Could not unload the model: ${describeError(error)}`);
      }
    },

    cancelLocalLoad: async (modelId) => {
      try {
        await client.request('models.cancelLoad', { modelId });
      } catch (error) {
        get().notify(`Could not cancel loading: ${describeError(error)}`);
      }
    },

    receiveModelStatus: putStatus,
  };
};
