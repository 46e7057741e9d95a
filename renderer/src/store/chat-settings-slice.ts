import type { ChatSettings } from '../../../shared/ipc/chat-settings';
import { describeError } from '../client/tandem-client-error';
import type { SliceCreator } from './app-state';

export interface ChatSettingsSlice {
  /** Replaces a chat's sampling settings and system prompt; false (with a notice) when it failed. */
  updateChatSettings(chatId: string, settings: ChatSettings): Promise<boolean>;
}

export const createChatSettingsSlice: SliceCreator<ChatSettingsSlice> = (set, get, { client }) => ({
  updateChatSettings: async (chatId, settings) => {
    try {
      const summary = await client.request('chats.updateSettings', { chatId, settings });
      set((state) => ({ chats: state.chats.map((chat) => (chat.id === chatId ? summary : chat)) }));
      return true;
    } catch (error) {
      get().notify(`Could not save the chat settings: ${describeError(error)}`);
      return false;
    }
  },
});
