import type { RouteOutput } from '../../../shared/ipc/contract';
import type { Collection, IndexFailure, IndexProgress, SearchHit, SearchMode } from '../../../shared/ipc/routes/documents';
import { describeError } from '../client/tandem-client-error';
import type { DocumentLocation } from '../lib/document-location';
import type { LoadStatus, SliceCreator } from './app-state';

export type DocumentView = RouteOutput<'documents.view'>;
export type InventoryExport = RouteOutput<'collections.export'>;

/** What the document viewer opens: a file, and the place in it to scroll to and highlight. */
export interface ViewerTarget extends DocumentLocation {
  collectionId: string;
  snippet: string | null;
  /** Offset of the cited chunk in the file's parsed text (search hits know it; citations do not). */
  charStart: number | null;
}

export interface DocumentSearchState {
  status: LoadStatus;
  query: string;
  mode: SearchMode;
  hits: SearchHit[];
  notice: string | null;
  error: string | null;
}

export interface DocumentsSlice {
  collections: Collection[];
  collectionsStatus: LoadStatus;
  /** The running or last indexing job of each collection (this process's), as the progress events tell it. */
  indexJobs: Record<string, IndexProgress>;
  /** Files that failed, from the inventory, for collections whose job ran before this window opened. */
  inventoryFailures: Record<string, IndexFailure[]>;
  documentSearch: DocumentSearchState;
  /** Collections to attach to the chat that the next message creates. */
  draftCollectionIds: string[];
  viewer: ViewerTarget | null;

  loadCollections(): Promise<void>;
  receiveIndexProgress(progress: IndexProgress): void;
  loadIndexJob(collectionId: string): Promise<void>;
  loadInventoryFailures(collectionId: string): Promise<void>;
  /** Adds folders or files (a new collection, or more sources for one); an error message, or null when indexing started. */
  addCollection(input: { name: string; paths: string[]; localOnly: boolean }): Promise<string | null>;
  removeCollection(collectionId: string): Promise<boolean>;
  /** The system folder picker (desktop app): the chosen folders, [] when cancelled, null when it failed (a notice says why). */
  pickFolders(): Promise<string[] | null>;
  reindexCollection(collectionId: string): Promise<void>;
  cancelIndexing(collectionId: string): Promise<void>;
  /** Chooses the collection's reranking model (null: none). */
  setCollectionReranker(collectionId: string, modelId: string | null): Promise<void>;
  exportInventory(collectionId: string, format: 'json' | 'markdown'): Promise<InventoryExport | null>;
  searchDocuments(input: { query: string; mode: SearchMode; collectionIds: string[] }): Promise<void>;
  loadDocumentView(collectionId: string, path: string): Promise<DocumentView>;
  openInSystemViewer(target: ViewerTarget): Promise<void>;
  openViewer(target: ViewerTarget): void;
  closeViewer(): void;
  /** The collections a chat answers from: the open chat's settings, or the draft's before it exists. */
  setChatCollections(chatId: string | null, collectionIds: string[]): Promise<boolean>;
}

function upsert(list: Collection[], next: Collection): Collection[] {
  return list.some((c) => c.id === next.id) ? list.map((c) => (c.id === next.id ? next : c)) : [...list, next];
}

const FINISHED: ReadonlySet<IndexProgress['state']> = new Set(['done', 'cancelled', 'failed']);

export const createDocumentsSlice: SliceCreator<DocumentsSlice> = (set, get, { client }) => {
  let listTicket = 0;
  let searchTicket = 0;

  const receiveCollection = (collection: Collection) => set((state) => ({ collections: upsert(state.collections, collection) }));

  return {
    collections: [],
    collectionsStatus: 'idle',
    indexJobs: {},
    inventoryFailures: {},
    documentSearch: { status: 'idle', query: '', mode: 'hybrid', hits: [], notice: null, error: null },
    draftCollectionIds: [],
    viewer: null,

    loadCollections: async () => {
      const ticket = ++listTicket;
      if (get().collectionsStatus !== 'ready') set({ collectionsStatus: 'loading' });
      try {
        const collections = await client.request('collections.list', {});
        if (ticket !== listTicket) return;
        set({ collections, collectionsStatus: 'ready' });
        // A job that started before this window opened (or in the CLI) shows its progress too.
        for (const collection of collections) {
          if (collection.state === 'indexing' && !get().indexJobs[collection.id]) void get().loadIndexJob(collection.id);
        }
      } catch (error) {
        if (ticket !== listTicket) return;
        set({ collectionsStatus: 'error' });
        get().notify(`Could not list the document collections: ${describeError(error)}`);
      }
    },

    receiveIndexProgress: (progress) => {
      const before = get().indexJobs[progress.collectionId];
      // Events can overtake a collections.job answer; never go back to an older moment of the same job.
      if (before && before.startedAt === progress.startedAt) {
        if (FINISHED.has(before.state) && !FINISHED.has(progress.state)) return;
        if (!FINISHED.has(progress.state) && progress.filesDone < before.filesDone) return;
      }
      set((state) => ({ indexJobs: { ...state.indexJobs, [progress.collectionId]: progress } }));
      if (FINISHED.has(progress.state) && !(before && FINISHED.has(before.state) && before.startedAt === progress.startedAt)) {
        void get().loadCollections();
      }
    },

    loadIndexJob: async (collectionId) => {
      try {
        const job = await client.request('collections.job', { collectionId });
        if (job) get().receiveIndexProgress(job);
      } catch {
        // No job to show; the collection's counts still are.
      }
    },

    loadInventoryFailures: async (collectionId) => {
      try {
        const files = await client.request('collections.inventory', { collectionId });
        const failures = files.flatMap((file) => (file.error ? [file.error] : []));
        set((state) => ({ inventoryFailures: { ...state.inventoryFailures, [collectionId]: failures } }));
      } catch {
        // The counts still say how many failed.
      }
    },

    addCollection: async ({ name, paths, localOnly }) => {
      try {
        const collection = await client.request('collections.add', { name, paths, localOnly });
        receiveCollection(collection);
        void get().loadIndexJob(collection.id);
        return null;
      } catch (error) {
        return describeError(error);
      }
    },

    pickFolders: async () => {
      try {
        return (await client.request('documents.pickFolder', {})).paths;
      } catch (error) {
        get().notify(`Could not open the folder picker: ${describeError(error)}`);
        return null;
      }
    },

    removeCollection: async (collectionId) => {
      try {
        await client.request('collections.remove', { collectionId });
      } catch (error) {
        get().notify(`Could not remove the collection: ${describeError(error)}`);
        return false;
      }
      set((state) => {
        const indexJobs = { ...state.indexJobs };
        delete indexJobs[collectionId];
        return {
          collections: state.collections.filter((c) => c.id !== collectionId),
          indexJobs,
          draftCollectionIds: state.draftCollectionIds.filter((id) => id !== collectionId),
          documentSearch: { ...state.documentSearch, hits: state.documentSearch.hits.filter((hit) => hit.collectionId !== collectionId) },
        };
      });
      return true;
    },

    reindexCollection: async (collectionId) => {
      try {
        receiveCollection(await client.request('collections.reindex', { collectionId }));
        void get().loadIndexJob(collectionId);
      } catch (error) {
        get().notify(`Could not re-index: ${describeError(error)}`);
      }
    },

    setCollectionReranker: async (collectionId, modelId) => {
      try {
        receiveCollection(await client.request('collections.setReranker', { collectionId, modelId }));
      } catch (error) {
        get().notify(`Could not change the reranker: ${describeError(error)}`);
      }
    },

    cancelIndexing: async (collectionId) => {
      try {
        receiveCollection(await client.request('collections.cancelIndex', { collectionId }));
      } catch (error) {
        get().notify(`Could not cancel indexing: ${describeError(error)}`);
      }
    },

    exportInventory: async (collectionId, format) => {
      try {
        return await client.request('collections.export', { collectionId, format });
      } catch (error) {
        get().notify(`Could not export the inventory: ${describeError(error)}`);
        return null;
      }
    },

    searchDocuments: async ({ query, mode, collectionIds }) => {
      const ticket = ++searchTicket;
      set((state) => ({ documentSearch: { ...state.documentSearch, status: 'loading', query, mode, error: null } }));
      try {
        const result = await client.request('documents.search', { query, mode, collectionIds });
        if (ticket !== searchTicket) return;
        set({ documentSearch: { status: 'ready', query, mode, hits: result.hits, notice: result.notice, error: null } });
      } catch (error) {
        if (ticket !== searchTicket) return;
        set({ documentSearch: { status: 'error', query, mode, hits: [], notice: null, error: describeError(error) } });
      }
    },

    loadDocumentView: (collectionId, path) => client.request('documents.view', { collectionId, path }),

    openInSystemViewer: async (target) => {
      try {
        await client.request('documents.openExternal', {
          collectionId: target.collectionId,
          path: target.path,
          ...(target.page !== null ? { page: target.page } : {}),
        });
      } catch (error) {
        get().notify(`Could not open the file: ${describeError(error)}`);
      }
    },

    openViewer: (viewer) => set({ viewer }),
    closeViewer: () => set({ viewer: null }),

    setChatCollections: async (chatId, collectionIds) => {
      if (chatId === null) {
        set({ draftCollectionIds: collectionIds });
        return true;
      }
      let settings = get().chats.find((chat) => chat.id === chatId)?.settings;
      if (!settings) {
        // The sidebar may be filtered; the other settings must survive, so read them first.
        try {
          settings = (await client.request('chats.get', { chatId })).settings ?? {};
        } catch (error) {
          get().notify(`Could not attach the collections: ${describeError(error)}`);
          return false;
        }
      }
      const { collectionIds: _previous, ...rest } = settings;
      return get().updateChatSettings(chatId, collectionIds.length > 0 ? { ...rest, collectionIds } : rest);
    },
  };
};
