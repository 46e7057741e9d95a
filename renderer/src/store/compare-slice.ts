import type { CompareSetup } from '../../../shared/ipc/chat-settings';
import type { ChatMessage } from '../../../shared/ipc/domain';
import type { CompareColumn, ComparePart, CompareVerdict } from '../../../shared/ipc/routes/compare';
import { FrameBatcher } from '../client/frame-batcher';
import type { StreamEnd } from '../client/tandem-client';
import { describeError, TandemClientError } from '../client/tandem-client-error';
import type { AppState, SliceCreator } from './app-state';
import { applyCompareParts, type LiveCompareColumn } from './compare-parts';
import { endMessage } from './stream-reducer';

export type { ColumnWait, LiveCompareColumn } from './compare-parts';

/** A compare that is streaming (or has just ended and waits for the saved messages). */
export interface LiveCompare {
  chatId: string;
  streamId: string;
  groupId: string;
  userMessageId: string;
  blind: boolean;
  columns: LiveCompareColumn[];
}

/** The key of compare mode for the next new chat (none open yet). */
export const NEW_CHAT_KEY = '';

export interface CompareSlice {
  /** Compare mode per chat id (`NEW_CHAT_KEY` for the next new chat): the composer sends to these models. */
  compareModes: Record<string, CompareSetup>;
  /** Running compares by group id. */
  liveCompares: Record<string, LiveCompare>;
  /** Turns compare mode on for a chat (null: the next new chat). */
  startCompareMode(chatId: string | null, setup: CompareSetup): void;
  /** Leaves compare mode: the composer sends to the chat's model again. */
  stopCompareMode(chatId: string | null): void;
  /** Sends `text` to every model of the open chat's compare mode (creating a chat first when none is open). False when not sent. */
  sendCompare(text: string): Promise<boolean>;
  /** Stops one column of a running compare; the others go on. */
  stopCompareColumn(groupId: string, column: number): Promise<void>;
  /** Saves the verdict on a compare of the open chat; false (with a notice) when it failed. */
  voteCompare(groupId: string, verdict: CompareVerdict): Promise<boolean>;
  /** "Continue with this answer": the column becomes the chat's reply, the picker follows its model, compare mode ends. */
  chooseCompareColumn(groupId: string, column: number): Promise<boolean>;
}

function withoutKey<T>(record: Record<string, T>, key: string): Record<string, T> {
  const copy = { ...record };
  delete copy[key];
  return copy;
}

function columnMessage(column: CompareColumn, groupId: string, blind: boolean, createdAt: string): ChatMessage {
  return {
    id: column.messageId,
    role: 'assistant',
    text: '',
    createdAt,
    status: 'streaming',
    modelId: column.modelId,
    finishReason: null,
    usage: null,
    error: null,
    compare: { groupId, column: column.column, label: column.label, blind },
  };
}

/** Sets `change` on the compare info of every message of a group. */
function patchGroup(messages: ChatMessage[], groupId: string, change: (message: ChatMessage) => Partial<NonNullable<ChatMessage['compare']>>): ChatMessage[] {
  return messages.map((m) => (m.compare?.groupId === groupId ? { ...m, compare: { ...m.compare, ...change(m) } } : m));
}

export const createCompareSlice: SliceCreator<CompareSlice> = (set, get, { client }) => {
  let localIds = 0;

  const modeKey = (chatId: string | null) => chatId ?? NEW_CHAT_KEY;

  const updateLive = (groupId: string, change: (live: LiveCompare) => LiveCompare) =>
    set((state) => {
      const live = state.liveCompares[groupId];
      return live ? { liveCompares: { ...state.liveCompares, [groupId]: change(live) } } : {};
    });

  const finishCompare = async (groupId: string, end: StreamEnd) => {
    const live = get().liveCompares[groupId];
    if (!live) return;
    updateLive(groupId, (current) => ({
      ...current,
      columns: current.columns.map((c) => (c.ended ? c : { ...c, ended: true, stopping: false, message: endMessage(c.message, end) })),
    }));
    set((state) => ({ streams: withoutKey(state.streams, live.chatId) }));
    if (end.error?.code === 'DISCONNECTED') get().notify(end.error.message);
    else if (end.status === 'failed' && end.error) get().notify(`The compare failed: ${end.error.message}`);
    // What the backend saved is the truth; the live columns stay on screen until it is here.
    if (get().activeChatId === live.chatId) await get().refreshActiveChat();
    set((state) => ({ liveCompares: withoutKey(state.liveCompares, groupId) }));
  };

  return {
    compareModes: {},
    liveCompares: {},

    startCompareMode: (chatId, setup) => set((state) => ({ compareModes: { ...state.compareModes, [modeKey(chatId)]: setup } })),

    stopCompareMode: (chatId) => set((state) => ({ compareModes: withoutKey(state.compareModes, modeKey(chatId)) })),

    sendCompare: async (rawText) => {
      const text = rawText.trim();
      if (!text) return false;
      let chatId = get().activeChatId;
      const setup = get().compareModes[modeKey(chatId)];
      if (!setup) return false;
      if (chatId && get().streams[chatId]) return false;
      if (!chatId) {
        try {
          const chat = await get().createChat({ modelId: get().selectedModelId ?? setup.modelIds[0] });
          chatId = chat.id;
          // Collections picked before the chat existed answer this first compare too.
          const attach = get().draftCollectionIds;
          if (attach.length > 0) {
            set({ draftCollectionIds: [] });
            await get().setChatCollections(chat.id, attach);
          }
          set((state) => ({
            compareModes: { ...withoutKey(state.compareModes, NEW_CHAT_KEY), [chat.id]: setup },
            activeChatId: chat.id,
            activeChatTitle: chat.title,
            messages: [],
            conversationStatus: 'ready',
            conversationError: null,
          }));
        } catch (error) {
          get().notify(`Could not start a chat: ${describeError(error)}`);
          return false;
        }
      }
      const sendingTo = chatId;
      const localId = `local-compare-${++localIds}`;
      const now = new Date().toISOString();
      const userMessage: ChatMessage = { id: localId, role: 'user', text, createdAt: now, status: 'complete', modelId: null, finishReason: null, usage: null, error: null };
      set((state) => ({
        // The chat's stream entry: the composer shows Stop, and its Stop (stream.cancel) stops every column.
        streams: { ...state.streams, [sendingTo]: { streamId: null, message: null, reasoning: '', stopping: false } },
        messages: state.activeChatId === sendingTo ? [...state.messages, userMessage] : state.messages,
      }));

      let groupId: string | null = null;
      const batcher = new FrameBatcher<ComparePart>((parts) => {
        if (groupId) updateLive(groupId, (live) => ({ ...live, columns: applyCompareParts(live.columns, parts) }));
      });
      try {
        await client.stream(
          'compare.send',
          { chatId: sendingTo, text, modelIds: setup.modelIds, blind: setup.blind },
          {
            onStart: ({ streamId, info }) => {
              groupId = info.groupId;
              const columns = [...info.columns].sort((a, b) => a.column - b.column);
              const live: LiveCompare = {
                chatId: sendingTo,
                streamId,
                groupId: info.groupId,
                userMessageId: info.userMessageId,
                blind: setup.blind,
                columns: columns.map((column) => ({
                  column: column.column,
                  label: column.label,
                  modelId: column.modelId,
                  message: columnMessage(column, info.groupId, setup.blind, now),
                  reasoning: '',
                  retry: null,
                  queued: null,
                  tools: [],
                  stats: null,
                  wait: null,
                  stopping: false,
                  ended: false,
                })),
              };
              const stopping = get().streams[sendingTo]?.stopping ?? false;
              set((state) => ({
                liveCompares: { ...state.liveCompares, [info.groupId]: live },
                streams: { ...state.streams, [sendingTo]: { streamId, message: null, reasoning: '', stopping } },
                messages:
                  state.activeChatId === sendingTo
                    ? [...state.messages.map((m) => (m.id === localId ? { ...m, id: info.userMessageId } : m)), ...live.columns.map((c) => c.message)]
                    : state.messages,
              }));
              if (stopping) void client.cancel(streamId).catch(() => undefined);
            },
            onPart: (part) => batcher.push(part),
            onEnd: (end) => {
              batcher.flush();
              batcher.dispose();
              if (groupId) void finishCompare(groupId, end);
              else set((state) => ({ streams: withoutKey(state.streams, sendingTo) }));
            },
          },
        );
        return true;
      } catch (error) {
        batcher.dispose();
        set((state) => ({ streams: withoutKey(state.streams, sendingTo), messages: state.messages.filter((m) => m.id !== localId) }));
        const code = error instanceof TandemClientError ? error.code : null;
        get().notify(code === 'UNSUPPORTED' ? `Compare is not available: ${describeError(error)}` : `Could not compare: ${describeError(error)}`);
        return false;
      }
    },

    stopCompareColumn: async (groupId, column) => {
      const live = get().liveCompares[groupId];
      const target = live?.columns.find((c) => c.column === column);
      if (!live || !target || target.ended || target.stopping) return;
      const mark = (stopping: boolean) => updateLive(groupId, (current) => ({ ...current, columns: current.columns.map((c) => (c.column === column ? { ...c, stopping } : c)) }));
      mark(true);
      try {
        await client.request('compare.stopColumn', { chatId: live.chatId, groupId, column });
      } catch (error) {
        mark(false);
        get().notify(`Could not stop the answer: ${describeError(error)}`);
      }
    },

    voteCompare: async (groupId, verdict) => {
      const chatId = get().activeChatId;
      if (!chatId) return false;
      try {
        const saved = await client.request('compare.vote', { chatId, groupId, verdict });
        if (get().activeChatId === chatId) set((state) => ({ messages: patchGroup(state.messages, groupId, () => ({ verdict: saved.verdict })) }));
        return true;
      } catch (error) {
        get().notify(`Could not save your vote: ${describeError(error)}`);
        return false;
      }
    },

    chooseCompareColumn: async (groupId, column) => {
      const chatId = get().activeChatId;
      if (!chatId) return false;
      try {
        const { modelId } = await client.request('compare.choose', { chatId, groupId, column });
        get().stopCompareMode(chatId);
        if (get().activeChatId === chatId) {
          set((state): Partial<AppState> => ({ messages: patchGroup(state.messages, groupId, (m) => ({ chosen: m.compare?.column === column })) }));
          get().followChatModel(modelId);
        }
        return true;
      } catch (error) {
        get().notify(`Could not continue with this answer: ${describeError(error)}`);
        return false;
      }
    },
  };
};
