import { randomUUID } from 'node:crypto';
import type { Strategy } from '../../../shared/ipc/chat-settings';
import type { ChatMessage } from '../../../shared/ipc/domain';
import { CodedError, type ErrorCode } from '../../../shared/ipc/errors';
import type { ContextTrimmed, FinishReason, StreamPart, ToolCallRecord, Usage } from '../../../shared/ipc/stream-parts';
import type { StreamStartResult } from '../rpc/handlers';
import { promptFromMessage } from '../mcp/tool-history';
import { conversationForPrompt } from './prompt-history';
import type { ToolLoop, ToolLoopTurn } from '../mcp/tool-loop';
import type { ResourceRef } from '../mcp/resource-context';
import type { GenerateRequest, LanguageModel, PromptMessage } from '../models/language-model';
import type { ChatStore } from './chat-store';
import { routeContextOf, type RouteContext } from '../routing/routing-service';
import { StrategyRunner, type RetrievedSources, type StrategyRunnerOptions } from '../strategies/strategy-runner';

/** How often streamed text is made durable; a crash loses at most this much of an answer. */
const PERSIST_INTERVAL_MS = 100;

export interface ChatTurnRunnerOptions {
  store: ChatStore;
  /**
   * Resolves a model id to something that streams (`auto`: the router);
   * throws MODEL_NOT_FOUND / MODEL_LOAD_FAILED, or LOCAL_ONLY for a cloud
   * model when the turn holds private or local-only content.
   */
  resolveModel: (modelId: string, context: RouteContext) => Promise<LanguageModel>;
  /** Whether any of these collections holds local-only content. */
  hasLocalOnlyContent?: (collectionIds: string[]) => boolean;
  maxTokens: () => number;
  onChatChanged: (chatId: string) => void;
  /** Runs turns of chats with `tools.servers` and reads attached resources; null when there is no MCP host. */
  toolLoop?: ToolLoop | null;
  /** Settings `mcp.maxToolResultChars`, for tool results in the history of later turns. */
  maxToolResultChars?: () => number;
  /**
   * Document retrieval for chats with `collectionIds`: numbered sources for
   * the system prompt and the citations shown and saved with the answer.
   */
  retrieve?: (collectionIds: string[], query: string, modelId: string) => Promise<RetrievedSources | null>;
  /** Whether a model id is a cloud model (strategies keep local-only chunks from cloud steps); without it none is. */
  isCloud?: (modelId: string) => boolean;
  /** Best of N's judge scores, written as router outcomes. */
  recordOutcome?: StrategyRunnerOptions['recordOutcome'];
}

/** What a turn is asked for: `chat.send`'s input, and the client that owns the stream. */
export interface ChatTurnInput {
  chatId: string;
  text: string;
  modelId: string;
  resources?: ResourceRef[];
  /** Only this client may answer the turn's tool approval cards. */
  clientId?: string;
}

/**
 * Runs one chat turn: saves the user message, opens an assistant message,
 * streams the model's parts to the caller while appending the text to the
 * chat log in small batches, and closes the message with how it ended.
 */
export class ChatTurnRunner {
  private readonly running = new Set<string>();
  /** Chats whose running turn holds private or local-only content. */
  private readonly confidential = new Set<string>();

  private readonly strategies: StrategyRunner;

  constructor(private readonly options: ChatTurnRunnerOptions) {
    this.strategies = new StrategyRunner({
      resolveModel: options.resolveModel,
      isCloud: options.isCloud ?? (() => false),
      hasLocalOnlyContent: options.hasLocalOnlyContent,
      retrieve: options.retrieve,
      recordOutcome: options.recordOutcome,
    });
  }

  async start(input: ChatTurnInput): Promise<
    StreamStartResult<{ userMessageId: string; assistantMessageId: string }, StreamPart>
  > {
    const { store } = this.options;
    const { chatId, text, modelId } = input;
    const { settings: chatSettings = {} } = store.summary(chatId); // NOT_FOUND before anything is written
    // Collections, tools, privacy and priority are the chat's, not sampling settings: retrieval, the tool loop and routing read them.
    const { collectionIds, tools, private: isPrivate, priority: _priority, strategy, compare: _compare, ...settings } = chatSettings;
    if (this.running.has(chatId)) throw new CodedError('CONFLICT', 'An answer is already streaming in this chat; stop it first');
    this.running.add(chatId);
    try {
      // A strategy answers with its own models (the chat.send model is not asked).
      if (strategy) return await this.startStrategy(input, strategy, settings);
      // Retrieval first: a retrieved local-only chunk keeps the turn local even if the collection's flags were stale.
      const retrieved = collectionIds?.length && this.options.retrieve ? await this.options.retrieve(collectionIds, text, modelId).then((r) => (r?.citations.length ? r : null)).catch(() => null) : null; // a removed collection never blocks the chat
      const localOnlyContent =
        (collectionIds?.length ? (this.options.hasLocalOnlyContent?.(collectionIds) ?? false) : false) ||
        (retrieved?.citations.some((c) => c.localOnly) ?? false);
      const model = await this.options.resolveModel(modelId, routeContextOf(chatId, chatSettings, localOnlyContent));
      if (isPrivate || localOnlyContent) this.confidential.add(chatId);
      const attached = input.resources?.length ? await this.attachResources(input.resources) : '';
      const history = await store.get(chatId);
      if (retrieved) settings.systemPrompt = settings.systemPrompt ? `${settings.systemPrompt}\n\n${retrieved.systemText}` : retrieved.systemText;
      const now = new Date().toISOString();
      const user: ChatMessage = message('user', text, now, null, 'complete');
      const assistant: ChatMessage = message('assistant', '', now, model.id, 'streaming');
      if (retrieved) assistant.citations = retrieved.citations;
      await store.appendMessages(chatId, [user, assistant]);
      this.options.onChatChanged(chatId);
      const maxToolResultChars = this.options.maxToolResultChars?.() ?? 20_000;
      const prompt: PromptMessage[] = [
        ...conversationForPrompt(history.messages).flatMap((m) => promptFromMessage(m, maxToolResultChars)),
        { role: 'user', text: attached ? `${attached}\n\n${text}` : text },
      ];
      const request: GenerateRequest = { ...settings, messages: prompt, maxTokens: settings.maxTokens ?? this.options.maxTokens() };
      const toolLoop = this.options.toolLoop;
      const toolTurn: ToolLoopTurn | null =
        toolLoop && tools?.servers.length
          ? { model, request, servers: tools.servers, maxSteps: tools.maxSteps, clientId: input.clientId ?? null }
          : null;
      return {
        info: { userMessageId: user.id, assistantMessageId: assistant.id },
        run: (emit, signal) => {
          // The sources come first, so the answer's [n] can link as it streams.
          if (retrieved) emit({ type: 'citations', citations: retrieved.citations });
          return this.run(
            chatId,
            assistant.id,
            toolLoop && toolTurn ? toolLoop.stream(toolTurn, { signal }) : model.stream(request, { signal }),
            emit,
            signal,
          );
        },
      };
    } catch (error) {
      this.running.delete(chatId);
      this.confidential.delete(chatId);
      throw error;
    }
  }

  /**
   * Holds the chat's turn lock for other work on the chat (a compare), so a
   * turn and that work never overlap; CONFLICT while either runs. The
   * returned function releases it (more calls do nothing).
   */
  claim(chatId: string): () => void {
    if (this.running.has(chatId)) throw new CodedError('CONFLICT', 'An answer is already streaming in this chat; stop it first');
    this.running.add(chatId);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.running.delete(chatId);
    };
  }

  /**
   * A turn under a strategy: everything that may refuse it (privacy,
   * resolving every step's model) happens before anything is saved or sent;
   * the steps then stream and are saved as they end.
   */
  private async startStrategy(
    input: ChatTurnInput,
    strategy: Strategy,
    settings: Omit<GenerateRequest, 'messages'>,
  ): Promise<StreamStartResult<{ userMessageId: string; assistantMessageId: string }, StreamPart>> {
    const { store } = this.options;
    const { chatId, text } = input;
    const chatSettings = store.summary(chatId).settings ?? {};
    const attached = input.resources?.length ? await this.attachResources(input.resources) : '';
    const history = await store.get(chatId);
    const maxToolResultChars = this.options.maxToolResultChars?.() ?? 20_000;
    const prepared = await this.strategies.prepare({
      chatId,
      settings: chatSettings,
      strategy,
      question: text,
      userText: attached ? `${attached}\n\n${text}` : text,
      history: history.messages,
      toPrompt: (messages) => conversationForPrompt(messages).flatMap((m) => promptFromMessage(m, maxToolResultChars)),
      request: { ...settings, maxTokens: settings.maxTokens ?? this.options.maxTokens() },
    });
    if (prepared.confidential) this.confidential.add(chatId);
    const now = new Date().toISOString();
    const user: ChatMessage = message('user', text, now, null, 'complete');
    const assistant: ChatMessage = message('assistant', '', now, prepared.modelId, 'streaming');
    if (prepared.citations) assistant.citations = prepared.citations;
    await store.appendMessages(chatId, [user, assistant]);
    this.options.onChatChanged(chatId);
    return {
      info: { userMessageId: user.id, assistantMessageId: assistant.id },
      run: (emit, signal) => {
        if (prepared.citations) emit({ type: 'citations', citations: prepared.citations });
        return this.run(chatId, assistant.id, prepared.stream(signal), emit, signal);
      },
    };
  }

  /**
   * Whether a running turn holds private or local-only content. An MCP
   * server's sampling request during such a turn may carry that content, so
   * it is answered by local models only.
   */
  holdsConfidentialContent(): boolean {
    return this.confidential.size > 0;
  }

  private async attachResources(refs: ResourceRef[]): Promise<string> {
    if (!this.options.toolLoop) throw new CodedError('UNSUPPORTED', 'MCP resources cannot be attached: there is no MCP host in this build');
    return this.options.toolLoop.attachResources(refs);
  }

  private async run(
    chatId: string,
    messageId: string,
    parts: AsyncIterable<StreamPart>,
    emit: (part: StreamPart) => void,
    signal: AbortSignal,
  ): Promise<void> {
    const { store } = this.options;
    let pending = '';
    let flushing: Promise<void> = Promise.resolve();
    const flush = () => {
      if (pending.length === 0) return flushing;
      const text = pending;
      pending = '';
      flushing = flushing.then(() => store.appendDelta(chatId, messageId, text));
      return flushing;
    };
    const timer = setInterval(() => void flush().catch(() => undefined), PERSIST_INTERVAL_MS);
    let finishReason: FinishReason | null = null;
    let usage: Usage | null = null;
    let contextTrimmed: ContextTrimmed | undefined;
    let error: { code: ErrorCode; message: string } | null = null;
    let cached = false;
    const toolArgs = new Map<string, unknown>();
    try {
      for await (const part of parts) {
        // After Stop, text already in flight is dropped here too, so what is saved is what the user saw.
        if (signal.aborted && (part.type === 'text-delta' || part.type === 'reasoning-delta' || part.type === 'step-delta')) continue;
        if (part.type === 'text-delta') pending += part.text;
        else if (part.type === 'finish') finishReason = part.reason;
        else if (part.type === 'usage') usage = part.usage;
        else if (part.type === 'context-trimmed') contextTrimmed = { droppedMessages: part.droppedMessages, droppedTokens: part.droppedTokens };
        else if (part.type === 'error') error = { code: part.code, message: part.message };
        else if (part.type === 'tool-call') toolArgs.set(part.toolCallId, part.args);
        else if (part.type === 'cache-hit') cached = true;
        else if (part.type === 'route') {
          // Why this model, and what failed before it, are saved before the answer's first token.
          await flush();
          await store.appendRouting(chatId, messageId, { decision: part.decision });
        } else if (part.type === 'fallback') {
          const { type: _type, ...fallback } = part;
          await flush();
          await store.appendRouting(chatId, messageId, { fallback });
        } else if (part.type === 'step-end') {
          // A strategy's step (draft, condense, candidate, judge) is saved as soon as it ends.
          await flush();
          await store.appendStep(chatId, messageId, part.record);
        } else if (part.type === 'condensed') {
          const { type: _type, ...condensed } = part;
          await store.appendCondensed(chatId, messageId, condensed);
        } else if (part.type === 'tool-result') {
          // Text before the call goes first, then the call, fsynced: a crash keeps every finished call.
          const { type: _type, ...result } = part;
          const record: ToolCallRecord = { args: toolArgs.get(part.toolCallId) ?? {}, ...result };
          await flush();
          await store.appendToolCall(chatId, messageId, record);
        }
        // A `retry` part (waiting before another attempt) goes to the client only; it is never saved.
        emit(part);
      }
    } catch (thrown) {
      const coded = thrown instanceof CodedError ? thrown : null;
      error = { code: coded?.code ?? 'GENERATION_FAILED', message: (thrown as Error)?.message ?? String(thrown) };
      emit({ type: 'error', code: error.code, message: error.message, retryable: false });
    } finally {
      clearInterval(timer);
      try {
        await flushing; // earlier batches first; the rest goes out with the end record
        const text = pending;
        pending = '';
        const status = error ? 'error' : finishReason === 'cancelled' || signal.aborted ? 'cancelled' : 'complete';
        if (status === 'cancelled' && finishReason === null) {
          finishReason = 'cancelled';
          emit({ type: 'finish', reason: 'cancelled' });
        }
        await store.endMessage(chatId, messageId, {
          text,
          status,
          finishReason,
          usage,
          error,
          ...(contextTrimmed ? { contextTrimmed } : {}),
          ...(cached ? { cached } : {}),
        });
      } finally {
        this.running.delete(chatId);
        this.confidential.delete(chatId);
        this.options.onChatChanged(chatId);
      }
    }
  }
}

function message(
  role: ChatMessage['role'],
  text: string,
  createdAt: string,
  modelId: string | null,
  status: ChatMessage['status'],
): ChatMessage {
  return { id: randomUUID(), role, text, createdAt, status, modelId, finishReason: null, usage: null, error: null };
}
