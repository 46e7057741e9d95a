import type { ChatMessage } from '../../../shared/ipc/domain';
import { AUTO_MODEL_ID, type RoutingPriority } from '../../../shared/ipc/routes/routing';
import type { StreamPart } from '../../../shared/ipc/stream-parts';
import { FrameBatcher } from '../client/frame-batcher';
import type { StreamEnd } from '../client/tandem-client';
import { describeError, TandemClientError } from '../client/tandem-client-error';
import type { AppState, LoadStatus, SliceCreator } from './app-state';
import type { ChatTools } from './mcp-slice';
import { applyParts, endMessage, replaceMessage, type StreamProgress } from './stream-reducer';

export interface ConversationSlice {
  /** The open chat; null is a new, not yet created chat. */
  activeChatId: string | null;
  /** The open chat's messages, oldest first. */
  messages: ChatMessage[];
  conversationStatus: LoadStatus;
  conversationError: string | null;
  /** The open chat's title as last fetched (the list may be filtered by a search). */
  activeChatTitle: string | null;
  /** Running answers by chat id (a chat has at most one). */
  streams: Record<string, StreamProgress>;
  openChat(chatId: string | null): Promise<void>;
  refreshActiveChat(): Promise<void>;
  /**
   * Sends `text` to the selected model (or `options.modelId` for this one message), creating a chat
   * first when none is open. False when it was not sent.
   */
  sendMessage(text: string, options?: { modelId?: string }): Promise<boolean>;
  stopStreaming(chatId: string): Promise<void>;
}

function withoutKey<T>(record: Record<string, T>, key: string): Record<string, T> {
  const copy = { ...record };
  delete copy[key];
  return copy;
}

/** The fetched messages, with a running answer's text as this client has it (it is ahead of what is saved). */
function overlayStream(messages: ChatMessage[], progress: StreamProgress | undefined): ChatMessage[] {
  const live = progress?.message;
  if (!live) return messages;
  return messages.some((m) => m.id === live.id) ? replaceMessage(messages, live) : [...messages, live];
}

/** Why a message was not sent, leading with what a person should know first for Auto's refusals. */
function sendFailure(error: unknown): string {
  const code = error instanceof TandemClientError ? error.code : null;
  if (code === 'BUDGET_EXCEEDED') return `Budget exceeded: ${describeError(error)}`;
  if (code === 'LOCAL_ONLY') return `Private content stays on this computer: ${describeError(error)}`;
  if (code === 'NO_MODEL_AVAILABLE') return `No model can take this request: ${describeError(error)}`;
  return `Could not send: ${describeError(error)}`;
}

export const createConversationSlice: SliceCreator<ConversationSlice> = (set, get, { client }) => {
  // Only the newest chats.get for the open chat may write its messages.
  let loadTicket = 0;
  let localIds = 0;

  const fetchActive = async (chatId: string, ticket: number) => {
    try {
      const chat = await client.request('chats.get', { chatId });
      if (ticket !== loadTicket || get().activeChatId !== chatId) return;
      set((state) => ({
        messages: overlayStream(chat.messages, state.streams[chatId]),
        activeChatTitle: chat.title,
        conversationStatus: 'ready',
        conversationError: null,
      }));
      get().followChatModel(chat.modelId);
    } catch (error) {
      if (ticket !== loadTicket || get().activeChatId !== chatId) return;
      if (error instanceof TandemClientError && error.code === 'NOT_FOUND') {
        get().notify('That chat no longer exists.', 'info');
        set({ activeChatId: null, activeChatTitle: null, messages: [], conversationStatus: 'idle', conversationError: null });
        return;
      }
      set({ conversationStatus: 'error', conversationError: describeError(error) });
    }
  };

  const applyBatch = (chatId: string, parts: StreamPart[]) => {
    set((state) => {
      const progress = state.streams[chatId];
      if (!progress?.message) return {};
      const next = applyParts(
        { message: progress.message, reasoning: progress.reasoning, retry: progress.retry ?? null, tools: progress.tools, queued: progress.queued ?? null },
        parts,
      );
      const changes: Partial<AppState> = { streams: { ...state.streams, [chatId]: { ...progress, ...next } } };
      if (state.activeChatId === chatId) changes.messages = replaceMessage(state.messages, next.message);
      return changes;
    });
  };

  const finishStream = (chatId: string, end: StreamEnd) => {
    const progress = get().streams[chatId];
    if (!progress) return;
    const final = progress.message ? endMessage(progress.message, end) : null;
    set((state) => ({
      streams: withoutKey(state.streams, chatId),
      messages: final && state.activeChatId === chatId ? replaceMessage(state.messages, final) : state.messages,
    }));
    if (end.error?.code === 'DISCONNECTED') get().notify(end.error.message);
    // What the backend saved is the truth (it may hold a few tokens generated after Stop).
    if (get().activeChatId === chatId) void get().refreshActiveChat();
  };

  return {
    activeChatId: null,
    messages: [],
    conversationStatus: 'idle',
    conversationError: null,
    activeChatTitle: null,
    streams: {},

    openChat: async (chatId) => {
      const ticket = ++loadTicket;
      if (chatId === null) {
        set({ activeChatId: null, activeChatTitle: null, messages: [], conversationStatus: 'idle', conversationError: null });
        return;
      }
      set({ activeChatId: chatId, activeChatTitle: null, messages: [], conversationStatus: 'loading', conversationError: null });
      await fetchActive(chatId, ticket);
    },

    refreshActiveChat: async () => {
      const chatId = get().activeChatId;
      if (!chatId) return;
      await fetchActive(chatId, ++loadTicket);
    },

    sendMessage: async (rawText, options = {}) => {
      const text = rawText.trim();
      const modelId = options.modelId ?? get().selectedModelId;
      if (!text) return false;
      if (!modelId) {
        get().notify('Choose a model first.');
        return false;
      }
      let chatId = get().activeChatId;
      if (chatId && get().streams[chatId]) return false;
      let createdTools: ChatTools | null = null;
      let createdPriority: RoutingPriority | null = null;
      if (!chatId) {
        try {
          const chat = await get().createChat({ modelId });
          chatId = chat.id;
          // Collections picked before the chat existed answer this first message too.
          const attach = get().draftCollectionIds;
          if (attach.length > 0) {
            set({ draftCollectionIds: [] });
            await get().setChatCollections(chat.id, attach);
          }
          ++loadTicket;
          set({ activeChatId: chat.id, activeChatTitle: chat.title, messages: [], conversationStatus: 'ready', conversationError: null });
          createdTools = get().newChatTools;
          createdPriority = modelId === AUTO_MODEL_ID ? get().newChatPriority : null;
        } catch (error) {
          get().notify(`Could not start a chat: ${describeError(error)}`);
          return false;
        }
      }
      const sendingTo = chatId;
      const resources = get().attachedResources.map(({ server, uri }) => ({ server, uri }));
      const localId = `local-${++localIds}`;
      const now = new Date().toISOString();
      const userMessage: ChatMessage = {
        id: localId,
        role: 'user',
        text,
        createdAt: now,
        status: 'complete',
        modelId: null,
        finishReason: null,
        usage: null,
        error: null,
      };
      set((state) => ({
        streams: { ...state.streams, [sendingTo]: { streamId: null, message: null, reasoning: '', stopping: false } },
        messages: state.activeChatId === sendingTo ? [...state.messages, userMessage] : state.messages,
      }));

      // Tools chosen before the chat existed become its settings before the first answer (saved once the
      // stream entry exists, so the chats.changed this causes does not reload the chat over the local message).
      if (createdTools || createdPriority) {
        await get().updateChatSettings(sendingTo, {
          ...(createdTools ? { tools: createdTools } : {}),
          ...(createdPriority ? { priority: createdPriority } : {}),
        });
        set({ newChatTools: null, newChatPriority: null });
      }

      const batcher = new FrameBatcher<StreamPart>((parts) => applyBatch(sendingTo, parts));
      try {
        await client.stream(
          'chat.send',
          { chatId: sendingTo, text, modelId, ...(resources.length ? { resources } : {}) },
          {
            onStart: ({ streamId, info }) => {
              const assistant: ChatMessage = {
                id: info.assistantMessageId,
                role: 'assistant',
                text: '',
                createdAt: now,
                status: 'streaming',
                modelId,
                finishReason: null,
                usage: null,
                error: null,
              };
              const stopping = get().streams[sendingTo]?.stopping ?? false;
              set((state) => ({
                streams: { ...state.streams, [sendingTo]: { streamId, message: assistant, reasoning: '', stopping } },
                messages:
                  state.activeChatId === sendingTo
                    ? [...state.messages.map((m) => (m.id === localId ? { ...m, id: info.userMessageId } : m)), assistant]
                    : state.messages,
              }));
              // Stop was pressed before the backend answered.
              if (stopping) void client.cancel(streamId).catch(() => undefined);
            },
            onPart: (part) => batcher.push(part),
            onEnd: (end) => {
              batcher.flush();
              batcher.dispose();
              finishStream(sendingTo, end);
            },
          },
        );
        if (resources.length) get().clearAttachments();
        return true;
      } catch (error) {
        batcher.dispose();
        set((state) => ({
          streams: withoutKey(state.streams, sendingTo),
          messages: state.messages.filter((m) => m.id !== localId),
        }));
        get().notify(sendFailure(error));
        return false;
      }
    },

    stopStreaming: async (chatId) => {
      const progress = get().streams[chatId];
      if (!progress || progress.stopping) return;
      set((state) => ({ streams: { ...state.streams, [chatId]: { ...progress, stopping: true } } }));
      if (!progress.streamId) return; // onStart cancels it
      try {
        await client.cancel(progress.streamId);
      } catch (error) {
        get().notify(`Could not stop the answer: ${describeError(error)}`);
        set((state) => {
          const current = state.streams[chatId];
          return current ? { streams: { ...state.streams, [chatId]: { ...current, stopping: false } } } : {};
        });
      }
    },
  };
};
