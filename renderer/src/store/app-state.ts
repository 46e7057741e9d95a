import type { StoreApi } from 'zustand/vanilla';
import type { TandemClient } from '../client/tandem-client';
import type { ApiSlice } from './api-slice';
import type { ChatSettingsSlice } from './chat-settings-slice';
import type { CompareSlice } from './compare-slice';
import type { ChatsSlice } from './chats-slice';
import type { ConnectionSlice } from './connection-slice';
import type { ConversationSlice } from './conversation-slice';
import type { DocumentsSlice } from './documents-slice';
import type { DownloadsSlice } from './downloads-slice';
import type { DraftSlice } from './draft-slice';
import type { LabSlice } from './lab-slice';
import type { LibrarySlice } from './library-slice';
import type { McpSlice } from './mcp-slice';
import type { ModelsSlice } from './models-slice';
import type { NavigationSlice } from './navigation-slice';
import type { NoticesSlice } from './notices-slice';
import type { ProvidersSlice } from './providers-slice';
import type { RoutingSlice } from './routing-slice';
import type { SettingsSlice } from './settings-slice';
import type { SoupSlice } from './soup-slice';
import type { RuntimeSlice } from './runtime-slice';

export type AppState = ChatsSlice &
  ConversationSlice &
  ModelsSlice &
  SettingsSlice &
  ConnectionSlice &
  NoticesSlice &
  DraftSlice &
  NavigationSlice &
  LibrarySlice &
  ProvidersSlice &
  ChatSettingsSlice &
  DownloadsSlice &
  McpSlice &
  DocumentsSlice &
  RoutingSlice &
  LabSlice &
  CompareSlice &
  ApiSlice &
  SoupSlice &
  RuntimeSlice;
export type AppStore = StoreApi<AppState>;

/** What the store's actions need from outside: only the client. */
export interface StoreDeps {
  client: TandemClient;
}

export type SetState = AppStore['setState'];
export type GetState = AppStore['getState'];

/** One slice: its state and actions, with access to the whole store. */
export type SliceCreator<Slice> = (set: SetState, get: GetState, deps: StoreDeps) => Slice;

export type LoadStatus = 'idle' | 'loading' | 'ready' | 'error';
