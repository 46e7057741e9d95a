import { join } from 'node:path';
import type { ChatSettings } from '../../../shared/ipc/chat-settings';
import type { Settings } from '../../../shared/ipc/domain';
import { CodedError } from '../../../shared/ipc/errors';
import type { PresetId } from '../../../shared/ipc/routes/providers';
import {
  AUTO_MODEL_ID,
  RouteDecisionSchema,
  type RouteDecision,
  type RouteFeatures,
  type RoutingPriority,
  type UsageSummary,
} from '../../../shared/ipc/routes/routing';
import type { Logger } from '../app/logger';
import type { GenerateRequest, LanguageModel, PromptMessage } from '../models/language-model';
import { costUsd, type Price } from '../providers/pricing';
import { estimatePromptTokens, requestPromptTokens } from '../providers/token-estimate';
import { messageText } from '../providers/openai-request';
import { AutoModel } from './auto-model';
import { BudgetGuard } from './budget-guard';
import { CandidateCatalog, type CandidateSources } from './candidate-catalog';
import { CircuitBreaker } from './circuit-breaker';
import { withCache, withCircuit, withQueue } from './guarded-model';
import { JsonlLog } from './jsonl-log';
import { meteredModel } from './metered-model';
import { parseOutcomeLines } from './outcome-file';
import { OutcomeLog } from './outcome-log';
import { PromptEmbeddingCache, unitVector, type PromptEmbedder } from './prompt-embeddings';
import { ProviderQueue, providerLimitsFor } from './provider-queue';
import { ResponseCache, responseCacheDir } from './response-cache';
import { decideRoute, EXPECTED_OUTPUT_TOKENS, looksLikeCode } from './router-policy';
import { openSpendLedger, type SpendLedger } from './spend-ledger';
import type { ModelCallInfo } from './types';

/** What a request carries that routing must respect, besides the messages. */
export interface RouteContext {
  chatId: string | null;
  /** The chat's priority; the setting's default when absent. */
  priority?: RoutingPriority;
  /** A private chat: nothing goes to a cloud model. */
  private: boolean;
  collectionIds: string[];
  /** An attached collection is local-only. */
  localOnlyContent: boolean;
  /** false: never answer from (or store in) the response cache — the lab measures the model itself. */
  cache?: false;
}

export const NO_ROUTE_CONTEXT: RouteContext = { chatId: null, private: false, collectionIds: [], localOnlyContent: false };

/** A chat's routing context from its settings (priority, privacy, collections) and whether its content is local-only. */
export function routeContextOf(chatId: string | null, settings: ChatSettings, localOnlyContent: boolean): RouteContext {
  return {
    chatId,
    priority: settings.priority,
    private: settings.private ?? false,
    collectionIds: settings.collectionIds ?? [],
    localOnlyContent,
  };
}

export interface RoutingServiceOptions {
  dataDir: string;
  logger: Logger;
  settings: () => Settings;
  sources: CandidateSources;
  /** The bare model for an id (a provider's model or a local one), without routing's wrappers. */
  resolveRaw: (modelId: string) => Promise<LanguageModel>;
  /** `PROVIDER` of a cloud model id and its preset; null for local model ids. */
  providerOf: (modelId: string) => { provider: string; preset: PresetId } | null;
  /** The price of a cloud model id (per million tokens); null when unknown. */
  priceOf: (modelId: string) => Price | null;
  onUsageChanged?: () => void;
  /** The local embedding model, when there is one: similarity between prompts is then by embeddings. */
  embedder?: () => Promise<PromptEmbedder | null>;
}

/** Decisions kept in memory, and how much of the log's end is read at start to find them. */
const RECENT_DECISIONS = 500;
const DECISION_TAIL_BYTES = 4 * 1024 * 1024;

/** Longest prompt tail embedded (characters): the question usually comes last, and embedders have short contexts. */
const EMBED_CHARS = 1200;
/** Longest wait for the prompt's embedding at decision time; past it the decision uses lexical similarity. */
const EMBED_TIMEOUT_MS = 300;

/**
 * Auto and everything around every model call: the quality model learned
 * from outcomes, the candidate catalog, budgets and the spend ledger, the
 * circuit breaker, provider queues and the response cache. `model(id)` gives
 * the model a chat streams: Auto for `auto`, else the named model with
 * budget, queue, circuit, cache and metering around it.
 */
export class RoutingService {
  readonly catalog: CandidateCatalog;
  readonly breaker: CircuitBreaker;
  readonly queue: ProviderQueue;
  readonly cache: ResponseCache;
  readonly outcomes: OutcomeLog;
  private readonly decisions: JsonlLog<RouteDecision>;
  /** The latest decisions, newest last (replayed from the log's tail at start). */
  private recent: RouteDecision[] = [];
  private priors = new Map<string, number>();
  private spendLedger: SpendLedger | null = null;
  private budgetGuard: BudgetGuard | null = null;
  private unsubscribe: (() => void) | null = null;
  private readonly embeddings: PromptEmbeddingCache;
  private embedder: PromptEmbedder | null = null;
  private embedding: Promise<void> | null = null;
  private embedAgain = false;
  private readonly stopping = new AbortController();

  constructor(private readonly options: RoutingServiceOptions) {
    const routing = () => options.settings().routing;
    const warn = (what: string) => (error: Error) => options.logger.warn(`could not write ${what}: ${error.message}`);
    this.catalog = new CandidateCatalog(options.sources, options.logger);
    this.breaker = new CircuitBreaker({ settings: () => routing().circuit });
    this.queue = new ProviderQueue({
      limits: (provider) => providerLimitsFor(provider, this.presetOfProvider(provider), routing().providerLimits),
    });
    this.cache = new ResponseCache({ dir: responseCacheDir(options.dataDir), settings: () => routing().cache });
    this.outcomes = new OutcomeLog(options.dataDir, { prior: (modelId) => this.priors.get(modelId) ?? 0.5 }, warn('the outcome log'));
    this.decisions = new JsonlLog(join(options.dataDir, 'routing', 'decisions.jsonl'), RouteDecisionSchema, warn('the decision log'));
    this.embeddings = new PromptEmbeddingCache(join(options.dataDir, 'routing'));
  }

  /** Replays the outcome and spend logs (damaged lines are reported, never fatal) and opens the cache. */
  async init(): Promise<void> {
    const { logger } = this.options;
    for (const problem of await this.outcomes.load()) logger.warn(problem);
    const decisions = await this.decisions.replay({ tailBytes: DECISION_TAIL_BYTES });
    for (const problem of decisions.problems) logger.warn(problem);
    this.recent = decisions.records.slice(-RECENT_DECISIONS);
    this.spendLedger = await openSpendLedger(this.options.dataDir, (error) => logger.warn(`could not write the spend ledger: ${error.message}`));
    for (const problem of this.spendLedger.problems) logger.warn(problem);
    this.unsubscribe = this.spendLedger.onChange(() => this.options.onUsageChanged?.());
    this.budgetGuard = new BudgetGuard({ settings: () => this.options.settings().routing.budget, ledger: this.spendLedger });
    const cache = await this.cache.init().catch((error: Error) => {
      logger.warn(`the response cache could not be opened: ${error.message}`);
      return null;
    });
    if (cache?.removed) logger.warn(`${cache.removed} damaged response cache entries were removed`);
    if (this.outcomes.size > 0) {
      // Fit the quality model now rather than in the first decision (about a second at 10,000 outcomes).
      setTimeout(() => {
        if (!this.stopping.signal.aborted) this.outcomes.quality.prepare();
      }, 0).unref();
      void this.refreshEmbeddings();
    }
  }

  /**
   * Embeds outcome prompts in the background when an embedding model is
   * available (cached per model on disk); once all are embedded, decisions
   * compare prompts by embeddings. One pass at a time; a request during a
   * pass runs another after it.
   */
  refreshEmbeddings(): Promise<void> {
    if (!this.options.embedder || this.stopping.signal.aborted) return Promise.resolve();
    if (this.embedding) {
      this.embedAgain = true;
      return this.embedding;
    }
    const pass = async () => {
      do {
        this.embedAgain = false;
        const embedder = await this.options.embedder!();
        if (!embedder || this.stopping.signal.aborted) return;
        const truncated: PromptEmbedder = { id: embedder.id, embed: (texts, signal) => embedder.embed(texts.map((t) => t.slice(-EMBED_CHARS)), signal) };
        await this.outcomes.useEmbeddings(truncated, this.embeddings, this.stopping.signal);
        this.embedder = truncated;
      } while (this.embedAgain && !this.stopping.signal.aborted);
    };
    this.embedding = pass()
      .catch((error: Error) => this.options.logger.warn(`Auto could not embed outcome prompts (similarity stays lexical): ${error.message}`))
      .finally(() => {
        this.embedding = null;
      });
    return this.embedding;
  }

  get spend(): SpendLedger {
    if (!this.spendLedger) throw new CodedError('INTERNAL', 'routing is not initialised');
    return this.spendLedger;
  }

  get budget(): BudgetGuard {
    if (!this.budgetGuard) throw new CodedError('INTERNAL', 'routing is not initialised');
    return this.budgetGuard;
  }

  /**
   * The model a request streams from. `auto` decides per request; any other
   * id is that model, refused with LOCAL_ONLY when it is a cloud model and the
   * request holds private or local-only content.
   */
  async model(modelId: string, context: RouteContext): Promise<LanguageModel> {
    if (modelId === AUTO_MODEL_ID) {
      return new AutoModel({
        decide: (request) => this.decide(request, context),
        resolve: (id, decision) => this.wrapped(id, context, decision),
        logDecision: (decision) => this.logDecision(decision),
      });
    }
    if ((context.private || context.localOnlyContent) && this.options.providerOf(modelId)) {
      throw new CodedError(
        'LOCAL_ONLY',
        context.private
          ? `This chat is private: nothing in it goes to cloud models such as ${modelId}. Pick a local model or Auto.`
          : `A local-only collection is attached: its content never goes to cloud models such as ${modelId}. Pick a local model or Auto, or detach the collection.`,
      );
    }
    return this.wrapped(modelId, context, null);
  }

  /** Auto's latest decisions, oldest first (those of earlier runs included). */
  recentDecisions(): readonly RouteDecision[] {
    return this.recent;
  }

  private logDecision(decision: RouteDecision): void {
    this.decisions.append(decision);
    this.recent.push(decision);
    if (this.recent.length > RECENT_DECISIONS * 2) this.recent = this.recent.slice(-RECENT_DECISIONS);
  }

  /**
   * Auto's decision for a request, calling no model (but the embedding
   * model for the prompt, when outcomes are compared by embeddings and
   * `embed` is not false).
   */
  async decide(request: GenerateRequest, context: RouteContext, options: { embed?: boolean; /** The prompt's size when known (an MCP caller's context_length): the request is not padded to it. */ promptTokens?: number } = {}): Promise<RouteDecision> {
    const features = this.features(request, context);
    if (options.promptTokens !== undefined && options.promptTokens > features.promptTokens) features.promptTokens = options.promptTokens;
    const candidates = await this.catalog.profiles(features.promptTokens);
    for (const c of candidates) this.priors.set(c.modelId, c.priorQuality);
    const prompt = lastUserText(request.messages);
    const settings = this.options.settings();
    const embedding = options.embed === false ? undefined : await this.promptEmbedding(prompt);
    const decision = decideRoute({
      features,
      prompt,
      priority: context.priority ?? settings.routing.defaultPriority,
      rules: settings.routing.pinnedRules,
      candidates,
      predictions: this.outcomes.size > 0 ? this.outcomes.quality.predict(prompt, embedding) : new Map(),
      budgetRefusal: (candidate, worstCaseUsd) =>
        this.budget.refusal(candidate.provider, worstCaseUsd, {
          chatId: context.chatId ?? undefined,
          worstCaseTokens: features.promptTokens + features.maxOutputTokens,
        })?.message ?? null,
      circuitRefusal: (candidate) =>
        candidate.provider && !this.breaker.available(candidate.provider) ? `${candidate.provider} is failing; its circuit is open` : null,
    });
    return { ...decision, similarity: this.outcomes.size === 0 ? 'none' : embedding ? 'embeddings' : 'lexical' };
  }

  /** The prompt's unit embedding when outcomes are compared by embeddings, within a short wait; else undefined (lexical). */
  private async promptEmbedding(prompt: string): Promise<Float32Array | undefined> {
    const embedder = this.embedder;
    if (!embedder || !this.outcomes.embeddedWith(embedder.id) || prompt === '') return undefined;
    // Past the wait the embedding is abandoned (aborted, so it does not hold the runtime's queue) and words decide.
    const abandon = new AbortController();
    const timer = setTimeout(() => abandon.abort(), EMBED_TIMEOUT_MS);
    const abandoned = new Promise<undefined>((resolve) => abandon.signal.addEventListener('abort', () => resolve(undefined), { once: true }));
    try {
      return await Promise.race([embedder.embed([prompt], abandon.signal).then((vectors) => unitVector(vectors[0] ?? [])), abandoned]);
    } catch {
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }

  /** The decision for a bare prompt (`tandem route`, "Why this model?" before sending; the composer's estimate without embedding). */
  decideText(text: string, context: RouteContext, options: { embed?: boolean } = {}): Promise<RouteDecision> {
    return this.decide({ messages: [{ role: 'user', text }], maxTokens: this.options.settings().maxTokens }, context, options);
  }

  /** Tokens of a prompt and what it would cost on a model (for Auto: its current pick). */
  async estimate(text: string, modelId: string, context: RouteContext): Promise<{ promptTokens: number; modelId: string | null; estimatedCostUsd: number | null }> {
    const promptTokens = estimatePromptTokens([{ role: 'user', text }]);
    if (modelId === AUTO_MODEL_ID) {
      // Called while the user types: words only, never the embedding model.
      const decision = await this.decideText(text, context, { embed: false });
      const chosen = decision.candidates.find((c) => c.modelId === decision.chosenModelId);
      return { promptTokens, modelId: decision.chosenModelId, estimatedCostUsd: chosen ? chosen.estimatedCostUsd : null };
    }
    if (!this.options.providerOf(modelId)) return { promptTokens, modelId, estimatedCostUsd: 0 };
    const price = this.options.priceOf(modelId);
    const output = Math.min(this.options.settings().maxTokens, EXPECTED_OUTPUT_TOKENS);
    return { promptTokens, modelId, estimatedCostUsd: price ? costUsd(price, promptTokens, output) : null };
  }

  /** Learns outcome lines (JSONL text); malformed lines are reported by number and skipped. */
  learn(jsonl: string): { learned: number; skipped: { line: number; message: string }[] } {
    const { lines, skipped } = parseOutcomeLines(jsonl);
    this.outcomes.learn(lines.map((l) => l.outcome));
    if (lines.length > 0) void this.refreshEmbeddings();
    return { learned: lines.length, skipped };
  }

  /** A vote on an answer becomes an outcome for the model that gave it (good 1, bad 0; null takes it back). */
  vote(key: string, entry: { prompt: string; modelId: string; vote: 'good' | 'bad' } | null): void {
    this.outcomes.setKeyed(key, entry ? { prompt: entry.prompt, modelId: entry.modelId, score: entry.vote === 'good' ? 1 : 0 } : null);
    if (entry) void this.refreshEmbeddings();
  }

  /**
   * An outcome over one or more models: a compare vote, a judge's scores, a
   * lab task's grades. A key replaces an earlier record with that key (a
   * changed vote); empty `outcomes` with a key takes it back.
   */
  recordOutcome(
    key: string | null,
    outcome: { prompt: string; task?: string; outcomes: Record<string, { score: number; costUsd?: number }> },
    source: 'compare' | 'lab' | 'judge' | 'vote',
  ): void {
    this.outcomes.record(key, outcome, source);
    if (Object.keys(outcome.outcomes).length > 0) void this.refreshEmbeddings();
  }

  usageSummary(period: { since?: string; until?: string }): UsageSummary {
    return this.spend.summary(period, this.options.settings().routing.budget, this.budget.reservedUsd());
  }

  async dispose(): Promise<void> {
    this.stopping.abort();
    await this.embedding;
    this.unsubscribe?.();
    this.queue.dispose();
    await Promise.all([this.outcomes.flush(), this.decisions.flush(), this.spendLedger?.flush(), this.cache.dispose()]);
  }

  /** The named model with routing's wrappers: cache → metering and budget → circuit → queue → the model. */
  private async wrapped(modelId: string, context: RouteContext, decision: RouteDecision | null): Promise<LanguageModel> {
    const raw = await this.options.resolveRaw(modelId);
    const cloud = this.options.providerOf(modelId);
    const reference = decision ? referenceCloud(decision, this.options.priceOf) : null;
    const info: ModelCallInfo = {
      modelId,
      kind: cloud ? 'cloud' : 'local',
      provider: cloud?.provider ?? null,
      price: cloud ? this.options.priceOf(modelId) : null,
      chatId: context.chatId,
      decisionId: decision?.id ?? null,
      referencePrice: reference?.price ?? null,
      referenceModelId: reference?.modelId ?? null,
    };
    let model = raw;
    if (cloud) model = withCircuit(withQueue(model, cloud.provider, this.queue), cloud.provider, this.breaker);
    model = !cloud && !decision ? this.meteredWithReference(model, info, context) : meteredModel(model, info, this.meterDeps());
    if (context.cache === false) return model;
    return withCache(model, info, this.cache, () => this.options.settings().routing.cache, this.spend);
  }

  private meterDeps() {
    return { guard: this.budget, recorder: this.spend, maxTokensDefault: this.options.settings().maxTokens };
  }

  /**
   * A local model chosen by hand: what it saved is priced at the cloud model
   * Auto would have picked for the same request. That decision (words only,
   * memory only) runs beside the answer, never before it; the ledger reads
   * the price when the answer ends.
   */
  private meteredWithReference(model: LanguageModel, info: ModelCallInfo, context: RouteContext): LanguageModel {
    return {
      id: model.id,
      stream: (request, options) => {
        const referenced: ModelCallInfo = { ...info };
        void this.decide(request, { ...context, private: false, localOnlyContent: false }, { embed: false })
          .then((decision) => {
            const reference = referenceCloud(decision, this.options.priceOf);
            referenced.referencePrice = reference?.price ?? null;
            referenced.referenceModelId = reference?.modelId ?? null;
          })
          .catch(() => undefined); // no reference: the answer saved nothing that can be priced
        return meteredModel(model, referenced, this.meterDeps()).stream(request, options);
      },
    };
  }

  private features(request: GenerateRequest, context: RouteContext): RouteFeatures {
    const text = lastUserText(request.messages);
    return {
      promptTokens: requestPromptTokens(request),
      maxOutputTokens: request.maxTokens ?? this.options.settings().maxTokens,
      needsTools: (request.tools?.length ?? 0) > 0,
      needsJsonSchema: request.responseFormat?.type === 'json_schema',
      localOnly: context.private || context.localOnlyContent || (context.priority ?? this.options.settings().routing.defaultPriority) === 'privacy',
      looksLikeCode: looksLikeCode(text),
      collectionIds: context.collectionIds,
    };
  }

  private presetOfProvider(provider: string): PresetId {
    return this.options.providerOf(`${provider}/x`)?.preset ?? 'custom';
  }
}

/** The cloud model Auto ranked best for the request, whatever kept it out (privacy, budget): what a local answer is priced at. */
function referenceCloud(decision: RouteDecision, priceOf: (modelId: string) => Price | null): { modelId: string; price: Price } | null {
  for (const candidate of decision.candidates) {
    if (candidate.kind !== 'cloud') continue;
    const price = priceOf(candidate.modelId);
    if (price) return { modelId: candidate.modelId, price };
  }
  return null;
}

function lastUserText(messages: readonly PromptMessage[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i]!;
    if (message.role === 'user') return messageText(message);
  }
  return '';
}
