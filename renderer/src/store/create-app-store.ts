import { createStore } from 'zustand/vanilla';
import type { AppState, AppStore, StoreDeps } from './app-state';
import { createApiSlice } from './api-slice';
import { createChatSettingsSlice } from './chat-settings-slice';
import { createChatsSlice } from './chats-slice';
import { createCompareSlice } from './compare-slice';
import { createConnectionSlice } from './connection-slice';
import { createConversationSlice } from './conversation-slice';
import { createDocumentsSlice } from './documents-slice';
import { createDownloadsSlice } from './downloads-slice';
import { createDraftSlice } from './draft-slice';
import { createLabSlice } from './lab-slice';
import { createLibrarySlice } from './library-slice';
import { createMcpSlice } from './mcp-slice';
import { createModelsSlice } from './models-slice';
import { createNavigationSlice } from './navigation-slice';
import { createNoticesSlice } from './notices-slice';
import { createProvidersSlice } from './providers-slice';
import { createRoutingSlice } from './routing-slice';
import { createSettingsSlice } from './settings-slice';
import { createSoupSlice } from './soup-slice';
import { createRuntimeSlice } from './runtime-slice';

/** The renderer's one store, built from its slices around a client. */
export function createAppStore(deps: StoreDeps): AppStore {
  return createStore<AppState>()((set, get) => ({
    ...createConnectionSlice(set, get, deps),
    ...createSettingsSlice(set, get, deps),
    ...createModelsSlice(set, get, deps),
    ...createChatsSlice(set, get, deps),
    ...createConversationSlice(set, get, deps),
    ...createNoticesSlice(set, get, deps),
    ...createDraftSlice(set, get, deps),
    ...createNavigationSlice(set, get, deps),
    ...createLibrarySlice(set, get, deps),
    ...createProvidersSlice(set, get, deps),
    ...createChatSettingsSlice(set, get, deps),
    ...createDownloadsSlice(set, get, deps),
    ...createMcpSlice(set, get, deps),
    ...createDocumentsSlice(set, get, deps),
    ...createRoutingSlice(set, get, deps),
    ...createLabSlice(set, get, deps),
    ...createCompareSlice(set, get, deps),
    ...createApiSlice(set, get, deps),
    ...createSoupSlice(set, get, deps),
    ...createRuntimeSlice(set, get, deps),
  }));
}
