import type { TandemClient } from '../client/tandem-client';
import type { AppStore } from './app-state';

/**
 * Loads what the first screen needs, keeps the store in step with backend
 * events, and reloads everything after a reconnect. Returns a teardown.
 */
export function startApp(store: AppStore, client: TandemClient): () => void {
  const state = store.getState;

  const loadAll = async () => {
    await Promise.all([
      state().loadAppInfo(),
      state().loadAppNotices(),
      state().loadSettings().then(() => state().loadModels()),
      state().loadChats(),
      state().loadProviders(),
      state().refreshActiveChat(),
      state().loadDownloads(),
      state().loadMcp(),
      state().loadPendingSampling(),
      state().loadPendingElicitations(),
      state().loadCollections(),
      state().page === 'usage' ? state().loadUsage() : undefined,
      state().page === 'lab' ? state().loadLab() : undefined,
      state().page === 'api' ? state().loadApi() : undefined,
      state().page === 'games' ? state().loadSoup() : undefined,
      state().page === 'models' ? state().loadRuntime() : undefined,
      state().page === 'usage' ? state().loadApiRequests() : undefined,
    ]);
  };

  let wasOpen = client.connection().state === 'open';
  let hasConnectedBefore = wasOpen;
  const teardown = [
    client.on('chats.changed', ({ chatId }) => {
      void state().loadChats();
      // A running answer in the open chat is ahead of what is saved; it refreshes when it ends.
      if (chatId !== null && chatId === state().activeChatId && !state().streams[chatId]) void state().refreshActiveChat();
    }),
    client.on('models.changed', () => void state().loadModels()),
    client.on('downloads.progress', (status) => state().receiveDownload(status)),
    client.on('models.status', (status) => state().receiveModelStatus(status)),
    client.on('settings.changed', (settings) => state().receiveSettings(settings)),
    client.on('app.notice', (notice) => state().receiveAppNotice(notice)),
    client.on('mcp.changed', ({ name, status }) => state().receiveMcpChanged(name, status)),
    client.on('mcp.samplingRequested', (request) => state().receiveSamplingRequest(request)),
    client.on('mcp.elicitationRequested', (request) => state().receiveElicitationRequest(request)),
    client.on('mcp.elicitationEnded', ({ requestId }) => state().receiveElicitationEnded(requestId)),
    client.on('collections.progress', (progress) => state().receiveIndexProgress(progress)),
    client.on('collections.changed', () => void state().loadCollections()),
    client.on('lab.changed', () => state().receiveLabChanged()),
    client.on('api.changed', () => state().receiveApiChanged()),
    client.on('soup.changed', () => state().receiveSoupChanged()),
    client.on('runtime.changed', (info) => state().receiveRuntime(info)),
    client.on('usage.changed', () => {
      if (state().page === 'usage') {
        void state().loadUsage();
        void state().loadCacheStats();
      }
    }),
    client.onConnection((status) => {
      state().setConnection(status);
      const reconnected = status.state === 'open' && !wasOpen;
      if (status.state === 'open') {
        // The very first open only releases the requests already queued by loadAll.
        if (reconnected && hasConnectedBefore) void loadAll();
        hasConnectedBefore = true;
      }
      wasOpen = status.state === 'open';
    }),
  ];

  void loadAll();
  return () => {
    for (const off of teardown) off();
  };
}
