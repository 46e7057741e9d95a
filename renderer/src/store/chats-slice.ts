import type { RouteOutput } from '../../../shared/ipc/contract';
import type { ChatSummary } from '../../../shared/ipc/domain';
import { describeError } from '../client/tandem-client-error';
import type { LoadStatus, SliceCreator } from './app-state';

export type ChatExport = RouteOutput<'chats.export'>;

export interface ChatsSlice {
  /** Chats matching `chatQuery`, newest first (the backend's order). */
  chats: ChatSummary[];
  chatsStatus: LoadStatus;
  chatQuery: string;
  loadChats(): Promise<void>;
  setChatQuery(query: string): void;
  createChat(options?: { title?: string; modelId?: string }): Promise<ChatSummary>;
  renameChat(chatId: string, title: string): Promise<boolean>;
  deleteChat(chatId: string): Promise<boolean>;
  exportChat(chatId: string, format: 'markdown' | 'json'): Promise<ChatExport | null>;
}

export const createChatsSlice: SliceCreator<ChatsSlice> = (set, get, { client }) => {
  // Only the newest list request may write the list; older answers are stale.
  let listRequest = 0;

  return {
    chats: [],
    chatsStatus: 'idle',
    chatQuery: '',

    loadChats: async () => {
      const ticket = ++listRequest;
      const query = get().chatQuery.trim();
      if (get().chatsStatus !== 'ready') set({ chatsStatus: 'loading' });
      try {
        const chats = await client.request('chats.list', query ? { query } : {});
        if (ticket === listRequest) set({ chats, chatsStatus: 'ready' });
      } catch (error) {
        if (ticket !== listRequest) return;
        set({ chatsStatus: 'error' });
        get().notify(`Could not load chats: ${describeError(error)}`);
      }
    },

    setChatQuery: (chatQuery) => {
      set({ chatQuery });
      void get().loadChats();
    },

    createChat: async (options = {}) => {
      const chat = await client.request('chats.create', options);
      set((state) => ({ chats: [chat, ...state.chats.filter((c) => c.id !== chat.id)] }));
      return chat;
    },

    renameChat: async (chatId, title) => {
      const before = get().chats.find((chat) => chat.id === chatId);
      const replace = (next: ChatSummary) =>
        set((state) => ({ chats: state.chats.map((chat) => (chat.id === chatId ? next : chat)) }));
      if (before) replace({ ...before, title }); // shown at once; put back if the backend refuses
      try {
        replace(await client.request('chats.rename', { chatId, title }));
        return true;
      } catch (error) {
        if (before) replace(before);
        get().notify(`Could not rename the chat: ${describeError(error)}`);
        return false;
      }
    },

    deleteChat: async (chatId) => {
      try {
        await client.request('chats.delete', { chatId });
      } catch (error) {
        get().notify(`Could not delete the chat: ${describeError(error)}`);
        return false;
      }
      set((state) => ({ chats: state.chats.filter((chat) => chat.id !== chatId) }));
      if (get().activeChatId === chatId) void get().openChat(null);
      return true;
    },

    exportChat: async (chatId, format) => {
      try {
        return await client.request('chats.export', { chatId, format });
      } catch (error) {
        get().notify(`Could not export the chat: ${describeError(error)}`);
        return null;
      }
    },
  };
};
