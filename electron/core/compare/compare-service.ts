import { randomUUID } from 'node:crypto';
import { answeringModel } from '../chats/answering-model';
import type { ChatMessage } from '../../../shared/ipc/domain';
import type { Citation } from '../../../shared/ipc/routes/documents';
import { CodedError, type ErrorCode } from '../../../shared/ipc/errors';
import type { CompareColumn, ComparePart, CompareVerdict, Leaderboard, TaskTag } from '../../../shared/ipc/routes/compare';
import { TASK_TAGS } from '../../../shared/ipc/routes/compare';
import { AUTO_MODEL_ID } from '../../../shared/ipc/routes/routing';
import type { FinishReason, StreamPart, Usage } from '../../../shared/ipc/stream-parts';
import type { ChatStore } from '../chats/chat-store';
import type { ChatTurnRunner } from '../chats/chat-turn-runner';
import { conversationForPrompt } from '../chats/prompt-history';
import { promptFromMessage } from '../mcp/tool-history';
import type { GenerateRequest, LanguageModel, PromptMessage } from '../models/language-model';
import type { LocalRuntime } from '../models/local-runtime';
import { requestPromptTokens } from '../providers/token-estimate';
import { routeContextOf, type RouteContext, type RoutingService } from '../routing/routing-service';
import { AnswerStatsTracker } from './answer-stats';
import { bradleyTerry, gamesOf, type Game } from './bradley-terry';
import { localColumnsFit, localWaitOf, type LocalWait } from './column-schedule';
import { detectTaskTag, taskTagOf } from './task-tags';
import type { StreamStartResult } from '../rpc/handlers';

/** How often streamed text is made durable (as for a chat answer). */
const PERSIST_INTERVAL_MS = 100;
/** Live stats go out at most this often per column. */
const STATS_INTERVAL_MS = 250;
const LABELS = ['A', 'B', 'C', 'D'];
const WAITING_FOR_MEMORY = 'Waiting for memory';
const WAITING_FOR_TURN = 'Waiting for its turn on this computer';
/** After Stop, a model has this long to end its stream (and report its usage) before the column ends without it. */
const STOP_GRACE_MS = 250;

export interface CompareServiceOptions {
  store: ChatStore;
  /** One turn per chat at a time: a compare and a chat answer never overlap. */
  turns: ChatTurnRunner;
  resolveModel: (modelId: string, context: RouteContext) => Promise<LanguageModel>;
  /** Whether a model id is a cloud model (`PROVIDER/MODEL`). */
  isCloud: (modelId: string) => boolean;
  runtime: LocalRuntime;
  routing: RoutingService;
  hasLocalOnlyContent: (collectionIds: string[]) => boolean;
  maxTokens: () => number;
  onChatChanged: (chatId: string) => void;
  /**
   * Estimated bytes a local model holds once loaded for chat (as the runtime
   * estimates it before loading); without it, local columns are assumed to fit.
   */
  localNeedBytes?: (modelId: string) => Promise<number>;
  /**
   * Document retrieval for chats with `collectionIds` (every local-only chunk
   * included: the cloud columns of such a chat are refused anyway).
   */
  retrieve?: (collectionIds: string[], query: string) => Promise<{ citations: Citation[]; systemText: string } | null>;
  /**
   * Loads a local model ahead of its column (while the column before it
   * generates), so it starts at once when its turn comes; optional.
   */
  prepareLocal?: (modelId: string, signal: AbortSignal) => Promise<void>;
  /** Shuffles the models of a blind compare (tests pass a fixed order). */
  shuffle?: <T>(items: T[]) => T[];
}

/** What `compare.send` answers at once. */
export interface CompareStartInfo {
  userMessageId: string;
  groupId: string;
  columns: CompareColumn[];
}

interface ColumnPlan extends CompareColumn {
  /** The resolved model; null when resolving failed (`failure` says why). */
  model: LanguageModel | null;
  failure: { code: ErrorCode; message: string } | null;
  /** A local model: waits for memory when the local models do not fit together. */
  local: boolean;
}

/** How a column's message ends (ChatStore.endMessage's record). */
type ColumnEnd = Parameters<ChatStore['endMessage']>[2];

interface RunningCompare {
  chatId: string;
  /** The client that started the compare: only it may stop its columns (as with `stream.cancel`). */
  clientId: string | undefined;
  controllers: AbortController[];
  ended: Set<number>;
}

/** Compare: one prompt to 2–4 models, answers side by side, votes into outcomes, the leaderboard. */
export class CompareService {
  private readonly running = new Map<string, RunningCompare>();

  constructor(readonly options: CompareServiceOptions) {}

  /**
   * Starts a compare: saves the user message and one assistant message per
   * column, remembers the setup in the chat's settings, and answers with the
   * columns; `run` streams every column's parts. Holds the chat's turn lock
   * until every column has ended (CONFLICT while a turn or compare runs).
   */
  async start(
    input: { chatId: string; text: string; modelIds: string[]; blind?: boolean },
    clientId?: string,
  ): Promise<StreamStartResult<CompareStartInfo, ComparePart>> {
    const { store, turns } = this.options;
    const { chatId, text } = input;
    const blind = input.blind ?? false;
    const summary = store.summary(chatId); // NOT_FOUND first
    const chatSettings = summary.settings ?? {};
    const release = turns.claim(chatId);
    try {
      const {
        collectionIds,
        tools: _tools,
        private: _private,
        priority: _priority,
        strategy: _strategy,
        compare: _compare,
        ...sampling
      } = chatSettings;
      // Retrieval first, as for a chat turn: a retrieved local-only chunk keeps the compare local even if a collection's flags were stale.
      const retrieved = collectionIds?.length && this.options.retrieve ? await this.options.retrieve(collectionIds, text).catch(() => null) : null;
      const localOnlyContent =
        (collectionIds?.length ? this.options.hasLocalOnlyContent(collectionIds) : false) || (retrieved?.citations.some((c) => c.localOnly) ?? false);
      if (retrieved) sampling.systemPrompt = sampling.systemPrompt ? `${sampling.systemPrompt}\n\n${retrieved.systemText}` : retrieved.systemText;
      const context = routeContextOf(chatId, chatSettings, localOnlyContent);
      const order = blind ? (this.options.shuffle ?? shuffle)([...input.modelIds]) : [...input.modelIds];
      const groupId = randomUUID();
      const plans: ColumnPlan[] = await Promise.all(
        order.map(async (modelId, column): Promise<ColumnPlan> => {
          const base = { column, label: LABELS[column]!, messageId: randomUUID(), modelId };
          const local = modelId !== AUTO_MODEL_ID && !this.options.isCloud(modelId);
          try {
            return { ...base, model: await this.options.resolveModel(modelId, context), failure: null, local };
          } catch (error) {
            // LOCAL_ONLY for a cloud model in a private chat, MODEL_NOT_FOUND, …: this column's error; the others go on.
            const coded = error instanceof CodedError ? error : null;
            return { ...base, model: null, failure: { code: coded?.code ?? 'GENERATION_FAILED', message: (error as Error)?.message ?? String(error) }, local: false };
          }
        }),
      );
      // Nothing could answer (no such models, or only cloud models in a private chat): refused, nothing saved, as a chat turn is.
      if (plans.every((p) => p.failure)) {
        const messages = [...new Set(plans.map((p) => p.failure!.message))];
        throw new CodedError(plans[0]!.failure!.code, messages.length === 1 ? messages[0]! : `No model of the compare can answer. ${messages.join(' ')}`);
      }
      const history = await store.get(chatId);
      const prompt: PromptMessage[] = [
        ...conversationForPrompt(history.messages).flatMap((m) => promptFromMessage(m, 20_000)),
        { role: 'user', text },
      ];
      const request: GenerateRequest = { ...sampling, messages: prompt, maxTokens: sampling.maxTokens ?? this.options.maxTokens() };

      const now = new Date().toISOString();
      const user: ChatMessage = message('user', text, now, null, 'complete');
      const answers: ChatMessage[] = plans.map((plan) => ({
        ...message('assistant', '', now, plan.model?.id ?? plan.modelId, 'streaming'),
        id: plan.messageId,
        compare: { groupId, column: plan.column, label: plan.label, blind },
        ...(retrieved && plan.model ? { citations: retrieved.citations } : {}),
      }));
      await store.appendMessages(chatId, [user, ...answers]);
      // A compare does not change the model the chat goes on with; "Continue with this answer" does.
      if (store.summary(chatId).modelId !== summary.modelId) await store.setModelId(chatId, summary.modelId);
      await store.updateSettings(chatId, { ...store.summary(chatId).settings, compare: { modelIds: [...input.modelIds], blind } });
      this.options.onChatChanged(chatId);

      const columns: CompareColumn[] = plans.map(({ column, label, messageId, modelId }) => ({ column, label, messageId, modelId }));
      return {
        info: { userMessageId: user.id, groupId, columns },
        run: (emit, signal) => {
          // The sources come first in each answering column, so its [n] can link as it streams.
          if (retrieved) for (const plan of plans) if (plan.model) emit({ type: 'column', column: plan.column, part: { type: 'citations', citations: retrieved.citations } });
          return this.run(chatId, groupId, plans, request, emit, signal, clientId).finally(release);
        },
      };
    } catch (error) {
      release();
      throw error;
    }
  }

  /** Stops one column of a running compare; false when it had ended (or the compare is not running). */
  stopColumn(input: { chatId: string; groupId: string; column: number }, clientId?: string): { stopped: boolean } {
    const running = this.running.get(input.groupId);
    if (!running || running.chatId !== input.chatId) return { stopped: false };
    // Only the client that started the compare stops its columns (another window or socket gets `false`, as with stream.cancel).
    if (running.clientId !== undefined && running.clientId !== clientId) return { stopped: false };
    const controller = running.controllers[input.column];
    if (!controller || running.ended.has(input.column) || controller.signal.aborted) return { stopped: false };
    controller.abort();
    return { stopped: true };
  }

  /**
   * Whether the compare's local models can be loaded side by side: their
   * estimated memory (each model once) against the runtime's memory budget.
   */
  async memoryPlan(modelIds: readonly string[]): Promise<{ needs: Map<string, number>; budgetBytes: number; fits: boolean }> {
    const local = [...new Set(modelIds.filter((id) => id !== AUTO_MODEL_ID && !this.options.isCloud(id)))];
    const needs = new Map<string, number>();
    if (local.length < 2 || !this.options.localNeedBytes) return { needs, budgetBytes: Infinity, fits: true };
    for (const id of local) needs.set(id, await this.options.localNeedBytes(id).catch(() => 0));
    const budgetBytes = await this.options.runtime.memoryBudgetBytes();
    return { needs, budgetBytes, fits: localColumnsFit(needs, budgetBytes) };
  }

  /**
   * Runs every column. Cloud, Auto and failed columns start at once; local
   * columns run one after another (the local runtime generates one answer at
   * a time, so "in parallel" would only put the wait into the next column's
   * time to first token). A waiting local column says why: `queue` when its
   * model fits in memory beside the one before it (it is then loaded ahead,
   * while that one generates), `memory` when it does not. A waiting column's
   * own Stop ends it at once. An Auto column that routes to a local model
   * still starts at once and queues inside the runtime; its clock restarts
   * at its route decision (the runtime's wait is not excluded).
   */
  private async run(
    chatId: string,
    groupId: string,
    plans: ColumnPlan[],
    request: GenerateRequest,
    emit: (part: ComparePart) => void,
    signal: AbortSignal,
    clientId?: string,
  ): Promise<void> {
    const controllers = plans.map(() => new AbortController());
    const stopAll = () => controllers.forEach((c) => c.abort());
    signal.addEventListener('abort', stopAll, { once: true });
    if (signal.aborted) stopAll();
    const running: RunningCompare = { chatId, clientId, controllers, ended: new Set() };
    this.running.set(groupId, running);
    const started = new Set<number>();
    /** Columns whose end was saved, and the ends that could not be. */
    const saved = new Set<number>();
    const unsaved = new Map<number, ColumnEnd>();
    try {
      const inputTokens = requestPromptTokens(request);
      const runColumn = async (column: number) => {
        started.add(column);
        try {
          if (await this.runColumn(chatId, plans[column]!, request, inputTokens, emit, controllers[column]!.signal, unsaved)) saved.add(column);
        } finally {
          running.ended.add(column);
        }
      };
      const local = plans.filter((p) => p.local);
      const waits = await Promise.all(
        local.map(async (plan, index) => (index === 0 ? null : localWaitOf((await this.memoryPlan([local[index - 1]!.modelId, plan.modelId]).catch(() => ({ fits: true }))).fits))),
      );
      local.forEach((plan, index) => {
        const wait = waits[index];
        if (wait) emit({ type: 'column-wait', column: plan.column, wait, message: wait === 'memory' ? WAITING_FOR_MEMORY : WAITING_FOR_TURN });
      });
      const tasks: Promise<void>[] = plans.filter((p) => !p.local).map((p) => runColumn(p.column));
      // The local chain: each column waits for the ones before it (or for its own Stop, which ends it at once).
      let busy: Promise<void> = Promise.resolve();
      local.forEach((plan, index) => {
        const own = controllers[plan.column]!.signal;
        const before = busy;
        const mine = (async () => {
          await Promise.race([before, abortedPromise(own)]);
          if (index > 0 && !own.aborted) emit({ type: 'column-wait', column: plan.column, wait: null, message: '' });
          if (!own.aborted) this.prepareNext(local, index, waits, controllers);
          await runColumn(plan.column);
        })();
        tasks.push(mine);
        busy = before.then(() => mine).catch(() => undefined);
      });
      // A column's failure never ends the others; a column that did not save its end is ended below.
      await Promise.allSettled(tasks);
    } finally {
      signal.removeEventListener('abort', stopAll);
      // Every column that never ended (a crash before it started, a save that failed) ends now, so none stays `streaming`.
      for (const plan of plans) {
        if (saved.has(plan.column)) continue;
        const status = controllers[plan.column]!.signal.aborted ? 'cancelled' : 'error';
        const error = status === 'error' ? { code: 'GENERATION_FAILED' as ErrorCode, message: started.has(plan.column) ? 'The column could not be saved' : 'The column never started' } : null;
        const end: ColumnEnd = unsaved.get(plan.column) ?? { text: '', status, finishReason: status === 'cancelled' ? 'cancelled' : null, usage: null, error };
        await this.options.store.endMessage(chatId, plan.messageId, end).catch(() => undefined);
        running.ended.add(plan.column);
      }
      this.running.delete(groupId);
      this.options.onChatChanged(chatId);
    }
  }

  /** Loads the next local model that will run (its own) while this one generates, when it fits beside it. */
  private prepareNext(local: ColumnPlan[], index: number, waits: (LocalWait | null)[], controllers: AbortController[]): void {
    const prepare = this.options.prepareLocal;
    const next = local[index + 1];
    if (!prepare || !next || waits[index + 1] !== 'queue' || next.modelId === local[index]!.modelId) return;
    const signal = controllers[next.column]!.signal;
    if (signal.aborted) return;
    void prepare(next.modelId, signal).catch(() => undefined); // a failed load shows when the column runs
  }

  /**
   * Streams one column into its message; whatever happens, the message ends
   * and its stats are saved. True when its end was saved (a failed save is
   * left to `run`, which ends the message again).
   */
  private async runColumn(
    chatId: string,
    plan: ColumnPlan,
    request: GenerateRequest,
    inputTokens: number,
    emit: (part: ComparePart) => void,
    signal: AbortSignal,
    unsaved: Map<number, ColumnEnd>,
  ): Promise<boolean> {
    const { store, isCloud } = this.options;
    const { column, messageId } = plan;
    let answering = plan.model?.id ?? plan.modelId;
    const isAuto = plan.modelId === AUTO_MODEL_ID;
    let stats = new AnswerStatsTracker({ inputTokens, local: () => answering !== AUTO_MODEL_ID && !isCloud(answering) });
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
    // Live numbers a few times a second (the clock runs while a model is still thinking), and at once on the first token.
    const statsTimer = setInterval(() => emit({ type: 'column-stats', column, stats: stats.snapshot() }), STATS_INTERVAL_MS);
    let sawText = false;
    let sawRoute = false;
    let finishReason: FinishReason | null = null;
    let usage: Usage | null = null;
    let cached = false;
    let error: { code: ErrorCode; message: string } | null = plan.failure;
    const send = (part: StreamPart) => emit({ type: 'column', column, part });
    try {
      if (plan.failure) {
        send({ type: 'error', code: plan.failure.code, message: plan.failure.message, retryable: false });
      } else if (plan.model && !signal.aborted) {
        // A column stopped before it started never reaches its model (nor waits in the local runtime's queue).
        for await (const part of untilStopped(plan.model.stream(request, { signal }), signal)) {
          if (signal.aborted && (part.type === 'text-delta' || part.type === 'reasoning-delta')) continue;
          if (part.type === 'text-delta') {
            pending += part.text;
            stats.text(part.text);
          } else if (part.type === 'finish') finishReason = part.reason;
          else if (part.type === 'usage') {
            usage = part.usage;
            stats.setUsage(part.usage);
          } else if (part.type === 'cache-hit') cached = true;
          else if (part.type === 'error') error = { code: part.code, message: part.message };
          else if (part.type === 'route') {
            answering = part.decision.chosenModelId ?? answering;
            // Auto's clock starts at its decision (its first part), not when the compare began.
            if (isAuto && !sawRoute && !sawText) stats = new AnswerStatsTracker({ inputTokens, local: () => answering !== AUTO_MODEL_ID && !isCloud(answering) });
            sawRoute = true;
            await flush();
            await store.appendRouting(chatId, messageId, { decision: part.decision });
          } else if (part.type === 'fallback') {
            const { type: _type, ...fallback } = part;
            answering = fallback.nextModelId;
            await flush();
            await store.appendRouting(chatId, messageId, { fallback });
          }
          send(part);
          if (part.type === 'text-delta' && !sawText) {
            sawText = true;
            emit({ type: 'column-stats', column, stats: stats.snapshot() });
          }
        }
      }
    } catch (thrown) {
      const coded = thrown instanceof CodedError ? thrown : null;
      error = { code: coded?.code ?? 'GENERATION_FAILED', message: (thrown as Error)?.message ?? String(thrown) };
      send({ type: 'error', code: error.code, message: error.message, retryable: false });
    } finally {
      clearInterval(timer);
      clearInterval(statsTimer);
    }
    await flushing.catch(() => undefined);
    const text = pending;
    pending = '';
    const status = error ? 'error' : finishReason === 'cancelled' || signal.aborted ? 'cancelled' : 'complete';
    if (status === 'cancelled' && finishReason !== 'cancelled') {
      finishReason = 'cancelled';
      send({ type: 'finish', reason: 'cancelled' });
    }
    stats.finished(finishReason);
    const final = stats.snapshot();
    emit({ type: 'column-stats', column, stats: final });
    const end = { text, status, finishReason, usage, error, ...(cached ? { cached } : {}) } as const;
    try {
      await store.endMessage(chatId, messageId, end);
    } catch {
      unsaved.set(column, end); // `run` tries once more when every column has ended; the other columns go on
      return false;
    }
    await store.updateCompare(chatId, messageId, { stats: final }).catch(() => undefined);
    return true;
  }

  /**
   * The user's verdict: saved on every column, and written to the router's
   * outcomes for the prompt (winner 1, the others 0; a tie 0.5 each; all bad
   * 0 each), crediting the model that actually answered each column. Failed
   * columns, stopped columns with no text and Auto columns without a route
   * decision are left out of the outcome. A later vote replaces the earlier.
   */
  async vote(input: { chatId: string; groupId: string; verdict: CompareVerdict }): Promise<{ verdict: CompareVerdict }> {
    const { chatId, verdict } = input;
    const { group, prompt, chat } = await this.group(chatId, input.groupId);
    if (group.some((m) => m.status === 'streaming')) throw new CodedError('CONFLICT', 'The compare is still running; vote when every column has ended');
    if (typeof verdict === 'number') {
      const winner = group.find((m) => m.compare!.column === verdict);
      if (!winner) throw new CodedError('INVALID_INPUT', `The compare has no column ${verdict}`);
      if (winner.status === 'error') throw new CodedError('INVALID_INPUT', 'That column failed; it cannot be the best answer');
    }
    for (const m of group) await this.options.store.updateCompare(chatId, m.id, { verdict });
    const outcomes: Record<string, { score: number; costUsd?: number }> = {};
    for (const m of group) {
      // Failed columns, stopped columns that wrote nothing, and Auto columns that never decided say nothing about a model.
      if (m.status === 'error') continue;
      if (m.status === 'cancelled' && m.text.trim() === '') continue;
      if (m.modelId === AUTO_MODEL_ID && !m.route?.chosenModelId && !m.fallbacks?.length) continue;
      const score = verdict === 'tie' ? 0.5 : verdict === 'all-bad' ? 0 : m.compare!.column === verdict ? 1 : 0;
      const modelId = answeringModel(m) ?? 'unknown';
      const previous = outcomes[modelId];
      const cost = m.compare?.stats?.costUsd;
      if (!previous || score > previous.score) outcomes[modelId] = { score, ...(typeof cost === 'number' ? { costUsd: cost } : {}) };
    }
    if (Object.keys(outcomes).length > 0) {
      const documents = (chat.settings?.collectionIds?.length ?? 0) > 0;
      this.options.routing.recordOutcome(`compare:${chatId}:${input.groupId}`, { prompt, task: detectTaskTag(prompt, { documents }), outcomes }, 'compare');
    }
    this.options.onChatChanged(chatId);
    return { verdict };
  }

  /** "Continue with this answer": the column becomes the chat's reply, and the chat goes on with its model. */
  async choose(input: { chatId: string; groupId: string; column: number }): Promise<{ modelId: string }> {
    const { chatId } = input;
    const { group } = await this.group(chatId, input.groupId);
    const chosen = group.find((m) => m.compare!.column === input.column);
    if (!chosen) throw new CodedError('INVALID_INPUT', `The compare has no column ${input.column}`);
    if (chosen.status === 'streaming') throw new CodedError('CONFLICT', 'That column is still answering; wait for it or stop it');
    if (chosen.status === 'error') throw new CodedError('INVALID_INPUT', 'That column failed; continue with another answer');
    for (const m of group) await this.options.store.updateCompare(chatId, m.id, { chosen: m.id === chosen.id });
    const modelId = chosen.modelId ?? answeringModel(chosen) ?? 'unknown';
    await this.options.store.setModelId(chatId, modelId);
    this.options.onChatChanged(chatId);
    return { modelId };
  }

  /**
   * Wins, losses, ties and Bradley–Terry ratings from every outcome that
   * scores two or more models (compare votes, judge scores, lab tasks), for
   * all prompts or those of one task tag.
   */
  leaderboard(input: { tag?: TaskTag }): Leaderboard {
    const tag = input.tag ?? null;
    const byTag = Object.fromEntries(TASK_TAGS.map((t) => [t, 0])) as Record<TaskTag, number>;
    const games: Game[] = [];
    for (const record of this.options.routing.outcomes.all()) {
      if (Object.keys(record.outcomes).length < 2) continue;
      const recordTag = taskTagOf(record.task, record.prompt);
      const recordGames = gamesOf(record.outcomes);
      byTag[recordTag] += recordGames.length;
      if (tag === null || recordTag === tag) games.push(...recordGames);
    }
    return { tag, rows: bradleyTerry(games), comparisons: games.length, byTag };
  }

  /** The group's column messages (in column order), its prompt and the chat; NOT_FOUND when there is no such compare. */
  private async group(chatId: string, groupId: string) {
    const chat = await this.options.store.get(chatId);
    const first = chat.messages.findIndex((m) => m.compare?.groupId === groupId);
    if (first < 0) throw new CodedError('NOT_FOUND', `No compare ${groupId} in this chat`);
    const group = chat.messages.filter((m) => m.compare?.groupId === groupId).sort((a, b) => a.compare!.column - b.compare!.column);
    const prompt = chat.messages.slice(0, first).findLast((m) => m.role === 'user')?.text ?? '';
    return { chat, group, prompt };
  }
}

/** A promise that resolves when `signal` aborts (never, if it does not). */
function abortedPromise(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

/**
 * The model's parts until it ends, or until STOP_GRACE_MS after `signal`
 * aborts: a stopped column then ends at once even when its model is still
 * waiting (in a provider's queue or the local runtime's), which sees the
 * abort itself when its turn comes.
 */
async function* untilStopped(parts: AsyncIterable<StreamPart>, signal: AbortSignal): AsyncGenerator<StreamPart> {
  const iterator = parts[Symbol.asyncIterator]();
  const stopped = abortedPromise(signal).then(() => new Promise<'stopped'>((resolve) => setTimeout(() => resolve('stopped'), STOP_GRACE_MS)));
  for (;;) {
    const next = iterator.next();
    const result = await Promise.race([next, stopped]);
    if (result === 'stopped') {
      next.then(() => iterator.return?.(), () => undefined).catch(() => undefined);
      return;
    }
    if (result.done) return;
    yield result.value;
  }
}

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i -= 1) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

function message(role: ChatMessage['role'], text: string, createdAt: string, modelId: string | null, status: ChatMessage['status']): ChatMessage {
  return { id: randomUUID(), role, text, createdAt, status, modelId, finishReason: null, usage: null, error: null };
}
