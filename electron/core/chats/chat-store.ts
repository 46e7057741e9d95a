import { mkdir, open, readdir, readFile, rename, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import {
  ChatSummarySchema,
  type Chat,
  type ChatMessage,
  type ChatSummary,
} from '../../../shared/ipc/domain';
import type { ChatSettings } from '../../../shared/ipc/chat-settings';
import type { Fallback, RouteDecision } from '../../../shared/ipc/routes/routing';
import { CodedError } from '../../../shared/ipc/errors';
import type { AnswerStats, Condensed, ContextTrimmed, FinishReason, StepRecord, ToolCallRecord, Usage } from '../../../shared/ipc/stream-parts';
import type { CompareVerdict } from '../../../shared/ipc/routes/compare';
import { fsyncDir, writeFileAtomic } from '../fs/atomic-write';
import { replayChatLog, type ChatLogRecord } from './chat-log';
import { SerialQueue } from './serial-queue';

export const DEFAULT_CHAT_TITLE = 'New chat';
const META = 'meta.json';
const LOG = 'messages.jsonl';

/**
 * Conversations on disk, one folder per chat:
 *   chats/<id>/meta.json       title and counters, written atomically
 *   chats/<id>/messages.jsonl  append-only log, fsynced after every append
 *
 * Why append-only JSONL rather than SQLite or LanceDB: no native module to
 * rebuild for Electron, appends are the natural shape of a streaming answer,
 * a `kill -9` can at worst tear the last line (which replay skips), and the
 * files stay readable by people and other tools. LanceDB stays for vectors.
 */
export class ChatStore {
  private readonly summaries = new Map<string, ChatSummary>();
  private readonly queues = new Map<string, SerialQueue>();
  private readonly logHandles = new Map<string, FileHandle>();
  /** Messages streaming right now: replay would call them interrupted, but they are still growing. */
  private readonly live = new Set<string>();

  constructor(private readonly dir: string) {}

  /** Loads every chat's summary; repairs leftovers of an interrupted create or delete. */
  async init(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const entries = await readdir(this.dir, { withFileTypes: true });
    for (const entry of entries) {
      if (!entry.isDirectory()) continue;
      if (entry.name.startsWith('.')) {
        // `.new-*` never finished being created; `.deleted-*` was being removed.
        await rm(join(this.dir, entry.name), { recursive: true, force: true });
        continue;
      }
      const summary = await this.readSummary(entry.name);
      if (summary) this.summaries.set(summary.id, summary);
    }
  }

  list(query?: string): ChatSummary[] {
    const needle = query?.trim().toLocaleLowerCase();
    return [...this.summaries.values()]
      .filter((chat) => !needle || chat.title.toLocaleLowerCase().includes(needle))
      .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt) || b.createdAt.localeCompare(a.createdAt));
  }

  summary(chatId: string): ChatSummary {
    const summary = this.summaries.get(chatId);
    if (!summary) throw new CodedError('NOT_FOUND', `No chat with id ${chatId}`);
    return summary;
  }

  async create(options: { title?: string; modelId?: string | null } = {}): Promise<ChatSummary> {
    const id = randomUUID();
    const now = new Date().toISOString();
    const summary: ChatSummary = {
      id,
      title: options.title ?? DEFAULT_CHAT_TITLE,
      createdAt: now,
      updatedAt: now,
      modelId: options.modelId ?? null,
      messageCount: 0,
    };
    const staging = join(this.dir, `.new-${id}`);
    await mkdir(staging, { recursive: true });
    await writeFileAtomic(join(staging, META), JSON.stringify(summary));
    await writeFileAtomic(join(staging, LOG), '');
    await rename(staging, join(this.dir, id));
    await fsyncDir(this.dir);
    this.summaries.set(id, summary);
    return summary;
  }

  async get(chatId: string): Promise<Chat> {
    const summary = this.summary(chatId);
    return this.queue(chatId).run(async () => {
      const text = await readFile(join(this.dir, chatId, LOG), 'utf8').catch(() => '');
      const { messages } = replayChatLog(text);
      for (const message of messages) if (message.status === 'interrupted' && this.live.has(message.id)) message.status = 'streaming';
      return { ...summary, messages };
    });
  }

  async rename(chatId: string, title: string): Promise<ChatSummary> {
    return this.updateSummary(chatId, { title });
  }

  /** Replaces the chat's settings (sampling, system prompt, context policy). */
  async updateSettings(chatId: string, settings: ChatSettings): Promise<ChatSummary> {
    return this.updateSummary(chatId, { settings });
  }

  /** Sets the model the chat goes on with (the picker's default for its next message). */
  async setModelId(chatId: string, modelId: string | null): Promise<ChatSummary> {
    return this.updateSummary(chatId, { modelId });
  }

  async delete(chatId: string): Promise<void> {
    this.summary(chatId);
    await this.queue(chatId).run(async () => {
      await this.closeLog(chatId);
      const doomed = join(this.dir, `.deleted-${chatId}`);
      await rename(join(this.dir, chatId), doomed);
      await fsyncDir(this.dir);
      this.summaries.delete(chatId);
      await rm(doomed, { recursive: true, force: true });
    });
    this.queues.delete(chatId);
  }

  /** Adds one whole message. */
  appendMessage(chatId: string, message: ChatMessage): Promise<void> {
    return this.appendMessages(chatId, [message]);
  }

  /**
   * Adds whole messages (a user message, and the assistant message that
   * starts empty and streams) in one durable append.
   */
  async appendMessages(chatId: string, messages: ChatMessage[]): Promise<void> {
    const summary = this.summary(chatId);
    if (messages.length === 0) return;
    await this.append(chatId, messages.map((message) => ({ t: 'msg' as const, message })));
    for (const message of messages) if (message.status === 'streaming') this.live.add(message.id);
    const last = messages.at(-1)!;
    const patch: Partial<ChatSummary> = { messageCount: summary.messageCount + messages.length, updatedAt: last.createdAt };
    const firstUser = messages.find((m) => m.role === 'user');
    if (firstUser && summary.title === DEFAULT_CHAT_TITLE && summary.messageCount === 0) {
      patch.title = titleFromText(firstUser.text);
    }
    const modelId = messages.findLast((m) => m.modelId)?.modelId;
    if (modelId) patch.modelId = modelId;
    this.updateCounters(chatId, patch);
  }

  /** Appends streamed text to a message; safe from a killed process when the promise resolves. */
  async appendDelta(chatId: string, messageId: string, text: string): Promise<void> {
    if (text.length === 0) return;
    await this.append(chatId, [{ t: 'delta', id: messageId, text }], { sync: false });
  }

  /** Adds a finished tool call to a streaming message; durable (fsynced) when the promise resolves. */
  async appendToolCall(chatId: string, messageId: string, call: ToolCallRecord): Promise<void> {
    await this.append(chatId, [{ t: 'tool', id: messageId, call }]);
  }

  /** Saves Auto's decision (or a fallback) with a streaming message; durable when the promise resolves. */
  async appendRouting(chatId: string, messageId: string, record: { decision: RouteDecision } | { fallback: Fallback }): Promise<void> {
    await this.append(chatId, ['decision' in record ? { t: 'route', id: messageId, decision: record.decision } : { t: 'fallback', id: messageId, fallback: record.fallback }]);
  }

  /** Updates a compare column: its final stats, the group's verdict (null clears it), or whether it is the chosen answer. */
  async updateCompare(
    chatId: string,
    messageId: string,
    patch: { stats?: AnswerStats; verdict?: CompareVerdict | null; chosen?: boolean },
  ): Promise<void> {
    await this.append(chatId, [{ t: 'compare', id: messageId, ...patch }]);
  }

  /** Saves a finished strategy step with its answer; durable when the promise resolves. */
  async appendStep(chatId: string, messageId: string, record: StepRecord): Promise<void> {
    await this.append(chatId, [{ t: 'step', id: messageId, record }]);
  }

  /** Saves the condense strategy's token counts with its answer. */
  async appendCondensed(chatId: string, messageId: string, condensed: Condensed): Promise<void> {
    await this.append(chatId, [{ t: 'condensed', id: messageId, condensed }]);
  }

  /** Records the user's vote on an assistant message (null takes it back). */
  async setVote(chatId: string, messageId: string, vote: 'good' | 'bad' | null): Promise<void> {
    this.summary(chatId); // NOT_FOUND first
    await this.append(chatId, [{ t: 'vote', id: messageId, vote }]);
  }

  async endMessage(
    chatId: string,
    messageId: string,
    end: {
      /** Streamed text not yet appended; saved in the same write as the end. */
      text?: string;
      status: 'complete' | 'cancelled' | 'error';
      finishReason: FinishReason | null;
      usage: Usage | null;
      error: ChatMessage['error'];
      contextTrimmed?: ContextTrimmed;
      cached?: boolean;
    },
  ): Promise<void> {
    try {
      await this.append(chatId, [{ t: 'end', id: messageId, ...end }]);
    } finally {
      this.live.delete(messageId);
    }
    this.updateCounters(chatId, { updatedAt: new Date().toISOString() });
  }

  async dispose(): Promise<void> {
    await Promise.all([...this.queues.values()].map((queue) => queue.idle()));
    await Promise.all([...this.logHandles.keys()].map((chatId) => this.closeLog(chatId)));
  }

  /**
   * Appends records to the chat's log. Whole messages and ends are fsynced;
   * streamed text batches are not (`sync: false`): a killed process loses
   * none of them (they are in the OS's cache), and only an OS crash can lose
   * the last moments of an answer, which then reads as interrupted.
   */
  private async append(chatId: string, records: ChatLogRecord[], options: { sync: boolean } = { sync: true }): Promise<void> {
    this.summary(chatId);
    await this.queue(chatId).run(async () => {
      const handle = await this.logHandle(chatId);
      await handle.appendFile(records.map((record) => `${JSON.stringify(record)}\n`).join(''));
      if (options.sync) await handle.datasync();
    });
  }

  private async updateSummary(chatId: string, patch: Partial<ChatSummary>, sync = true): Promise<ChatSummary> {
    const next = { ...this.summary(chatId), ...patch };
    this.summaries.set(chatId, next);
    await this.queue(chatId).run(() => writeFileAtomic(join(this.dir, chatId, META), JSON.stringify(next), { sync }));
    return next;
  }

  /**
   * Counters and times change with every message. They are updated in memory
   * at once and written in the chat's queue without waiting or fsync, so they
   * never delay an answer; the log stays the durable truth.
   */
  private updateCounters(chatId: string, patch: Partial<ChatSummary>): void {
    void this.updateSummary(chatId, patch, false).catch(() => {
      // the chat was deleted meanwhile, or the disk refused; the log still has everything
    });
  }

  private async readSummary(chatId: string): Promise<ChatSummary | null> {
    const folder = join(this.dir, chatId);
    try {
      const parsed = ChatSummarySchema.safeParse(JSON.parse(await readFile(join(folder, META), 'utf8')));
      if (parsed.success && parsed.data.id === chatId) return parsed.data;
    } catch {
      // fall through to rebuilding from the log
    }
    // meta.json missing or damaged: rebuild what we can from the log so no chat disappears.
    try {
      const { messages } = replayChatLog(await readFile(join(folder, LOG), 'utf8'));
      const first = messages[0];
      const last = messages.at(-1);
      const firstUser = messages.find((m) => m.role === 'user');
      const summary: ChatSummary = {
        id: chatId,
        title: firstUser ? titleFromText(firstUser.text) : DEFAULT_CHAT_TITLE,
        createdAt: first?.createdAt ?? new Date(0).toISOString(),
        updatedAt: last?.createdAt ?? new Date(0).toISOString(),
        modelId: last?.modelId ?? null,
        messageCount: messages.length,
      };
      await writeFileAtomic(join(folder, META), JSON.stringify(summary));
      return summary;
    } catch {
      return null;
    }
  }

  private async logHandle(chatId: string): Promise<FileHandle> {
    let handle = this.logHandles.get(chatId);
    if (!handle) {
      handle = await open(join(this.dir, chatId, LOG), 'a', 0o600);
      this.logHandles.set(chatId, handle);
    }
    return handle;
  }

  private async closeLog(chatId: string): Promise<void> {
    const handle = this.logHandles.get(chatId);
    this.logHandles.delete(chatId);
    await handle?.close();
  }

  private queue(chatId: string): SerialQueue {
    let queue = this.queues.get(chatId);
    if (!queue) {
      queue = new SerialQueue();
      this.queues.set(chatId, queue);
    }
    return queue;
  }
}

export function titleFromText(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  if (line.length === 0) return DEFAULT_CHAT_TITLE;
  return line.length > 60 ? `${line.slice(0, 57).trimEnd()}…` : line;
}
