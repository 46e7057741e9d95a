import type { CatalogItem, DownloadStatus } from '../../../shared/ipc/routes/downloads';
import { describeError } from '../client/tandem-client-error';
import type { LoadStatus, SliceCreator } from './app-state';

export interface DownloadsSlice {
  catalog: CatalogItem[];
  catalogStatus: LoadStatus;
  catalogError: string | null;
  /** Downloads by id, in the order they were first seen. */
  downloads: Record<string, DownloadStatus>;
  /** Download ids the person dismissed (finished, failed or cancelled ones). */
  dismissedDownloads: string[];
  /** An error from starting a download (bad URL, no such catalog entry). */
  downloadStartError: string | null;
  loadCatalog(): Promise<void>;
  loadDownloads(): Promise<void>;
  receiveDownload(status: DownloadStatus): void;
  startDownload(source: { uri: string } | { catalogId: string }): Promise<boolean>;
  pauseDownload(id: string): Promise<void>;
  resumeDownload(id: string): Promise<void>;
  cancelDownload(id: string): Promise<void>;
  dismissDownload(id: string): void;
  removeLocalModel(modelId: string): Promise<void>;
}

/** The name a download goes by in the UI: its file name without `.gguf`. */
export function downloadName(status: Pick<DownloadStatus, 'fileName'>): string {
  return status.fileName.replace(/\.gguf$/i, '');
}

export const createDownloadsSlice: SliceCreator<DownloadsSlice> = (set, get, { client }) => {
  const act = async (fn: () => Promise<DownloadStatus>) => {
    try {
      get().receiveDownload(await fn());
    } catch (error) {
      get().notify(describeError(error));
    }
  };
  return {
    catalog: [],
    catalogStatus: 'idle',
    catalogError: null,
    downloads: {},
    dismissedDownloads: [],
    downloadStartError: null,

    loadCatalog: async () => {
      set({ catalogStatus: 'loading' });
      try {
        const catalog = await client.request('models.catalog', {});
        set({ catalog, catalogStatus: 'ready', catalogError: null });
      } catch (error) {
        set({ catalogStatus: 'error', catalogError: describeError(error) });
      }
    },

    loadDownloads: async () => {
      try {
        const list = await client.request('downloads.list', {});
        set((state) => {
          const downloads = { ...state.downloads };
          for (const item of list) downloads[item.id] = item;
          return { downloads };
        });
      } catch (error) {
        get().notify(`Could not list downloads: ${describeError(error)}`);
      }
    },

    receiveDownload: (status) => {
      const before = get().downloads[status.id];
      set((state) => ({
        downloads: { ...state.downloads, [status.id]: status },
        // A download that moves again shows again.
        dismissedDownloads:
          status.state === 'downloading' || status.state === 'queued' ? state.dismissedDownloads.filter((id) => id !== status.id) : state.dismissedDownloads,
      }));
      if (status.state === 'completed' && before?.state !== 'completed') void get().loadCatalog();
    },

    startDownload: async (source) => {
      set({ downloadStartError: null });
      try {
        get().receiveDownload(await client.request('downloads.start', source));
        return true;
      } catch (error) {
        set({ downloadStartError: describeError(error) });
        return false;
      }
    },

    pauseDownload: (id) => act(() => client.request('downloads.pause', { downloadId: id })),
    resumeDownload: (id) => act(() => client.request('downloads.resume', { downloadId: id })),
    cancelDownload: (id) => act(() => client.request('downloads.cancel', { downloadId: id })),
    dismissDownload: (id) => set((state) => ({ dismissedDownloads: [...state.dismissedDownloads.filter((d) => d !== id), id] })),

    removeLocalModel: async (modelId) => {
      try {
        await client.request('models.remove', { modelId });
        await get().loadModels();
        void get().loadCatalog();
      } catch (error) {
        get().notify(describeError(error));
      }
    },
  };
};
