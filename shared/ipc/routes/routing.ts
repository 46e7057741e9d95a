import { z } from 'zod';
import { ErrorCodeSchema } from '../errors';
import { IdSchema } from '../ids';
import { request } from '../route-def';
import type { PresetId } from './providers';

/** The model id of the router: a chat or request with this model lets Tandem pick per request. */
export const AUTO_MODEL_ID = 'auto';

/** What Auto optimises for in a chat. balanced is the default. */
export const RoutingPrioritySchema = z.enum(['balanced', 'speed', 'cost', 'quality', 'privacy']);
export type RoutingPriority = z.infer<typeof RoutingPrioritySchema>;

/** Why a candidate was left out before any scoring (hard rules) or by a budget, health or pinned rule. */
export const ExclusionCodeSchema = z.enum([
  'context-too-long',
  'no-tools',
  'no-json-schema',
  'over-budget',
  'circuit-open',
  'local-only-content',
  'unavailable',
]);
export type ExclusionCode = z.infer<typeof ExclusionCodeSchema>;

/** One model Auto considered, with what it expects of it. */
export const RouteCandidateSchema = z.object({
  modelId: z.string(),
  kind: z.enum(['local', 'cloud']),
  /** The provider's name for cloud models; null for local ones. */
  provider: z.string().nullable(),
  /** Expected quality for this prompt, 0–1 (from outcomes on similar prompts, shrunk toward the model's record, or the prior). */
  predictedQuality: z.number().min(0).max(1),
  /** Outcomes behind the prediction (0: the documented prior alone). */
  qualitySamples: z.number().nonnegative(),
  /** Dollars for this request: prompt tokens × input price + expected output × output price (0 for local and free models). */
  estimatedCostUsd: z.number().nonnegative(),
  /** Expected time to the first token, from recent requests or a prior. */
  expectedTtftMs: z.number().nonnegative().nullable(),
  expectedTokensPerSec: z.number().nonnegative().nullable(),
  /** The ranking score at the chat's priority; null when excluded. */
  score: z.number().nullable(),
  /** Why it cannot take this request; null when eligible. */
  excluded: z.object({ code: ExclusionCodeSchema, reason: z.string() }).nullable(),
});
export type RouteCandidate = z.infer<typeof RouteCandidateSchema>;

/** The request as the router saw it: counts and features, never the text. */
export const RouteFeaturesSchema = z.object({
  promptTokens: z.number().int().nonnegative(),
  /** Tokens reserved for the answer (max tokens). */
  maxOutputTokens: z.number().int().nonnegative(),
  needsTools: z.boolean(),
  needsJsonSchema: z.boolean(),
  /** A private chat or a local-only collection: only local models may see it. */
  localOnly: z.boolean(),
  looksLikeCode: z.boolean(),
  collectionIds: z.array(z.string()),
});
export type RouteFeatures = z.infer<typeof RouteFeaturesSchema>;

/** Auto's decision for one request: emitted as a `route` part and saved with the answer. */
export const RouteDecisionSchema = z.object({
  id: z.string(),
  at: z.string(),
  /** The model that was sent the request (null only in a failed decision that `route` prints). */
  chosenModelId: z.string().nullable(),
  priority: RoutingPrioritySchema,
  /** One sentence a user can read: why this model. */
  reason: z.string(),
  /** The pinned rule that decided, when one matched. */
  rule: z.string().nullable(),
  features: RouteFeaturesSchema,
  /** Eligible candidates best first, then the excluded ones. */
  candidates: z.array(RouteCandidateSchema),
  /** How long the decision took (no model is called). */
  decisionMs: z.number().nonnegative(),
  /** How past prompts were compared with this one: embeddings (an embedding model is available), lexical (TF-IDF), or none (no outcomes yet: priors). */
  similarity: z.enum(['embeddings', 'lexical', 'none']).optional(),
});
export type RouteDecision = z.infer<typeof RouteDecisionSchema>;

/** A model failed after its retries (or its circuit was open) and the next candidate answers. */
export const FallbackSchema = z.object({
  failedModelId: z.string(),
  code: ErrorCodeSchema,
  message: z.string(),
  nextModelId: z.string(),
});
export type Fallback = z.infer<typeof FallbackSchema>;

/** A condition of a pinned rule. */
export const PinnedRuleConditionSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('prompt-looks-like-code') }),
  z.object({ type: z.literal('tokens-over'), tokens: z.number().int().min(1) }),
  z.object({ type: z.literal('collection-attached'), collectionId: z.string().min(1).max(128) }),
  /** A case-insensitive regular expression on the prompt. */
  z.object({ type: z.literal('prompt-matches'), pattern: z.string().min(1).max(500) }),
]);
export type PinnedRuleCondition = z.infer<typeof PinnedRuleConditionSchema>;

/** Where a pinned rule sends the request: one model, or the best local / cloud candidate. */
export const PinnedRuleTargetSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('model'), modelId: z.string().min(1).max(1024) }),
  z.object({ type: z.literal('local') }),
  z.object({ type: z.literal('cloud') }),
]);

/** "prompt looks like code → MODEL": checked in order after the hard rules; the first match wins. */
export const PinnedRuleSchema = z.object({
  id: z.string().min(1).max(64),
  enabled: z.boolean(),
  when: PinnedRuleConditionSchema,
  then: PinnedRuleTargetSchema,
});
export type PinnedRule = z.infer<typeof PinnedRuleSchema>;

const Usd = z.number().nonnegative().nullable();

/** Spending caps (US dollars; null: no cap). A request that could break one never reaches a paid model. */
export const BudgetSettingsSchema = z.object({
  dailyUsd: Usd,
  monthlyUsd: Usd,
  perProvider: z.record(z.string().min(1).max(64), z.object({ dailyUsd: Usd, monthlyUsd: Usd })),
  /** Tokens (in + out) one chat may use on paid models; null: no cap. */
  perChatTokens: z.number().int().min(1).nullable(),
  /** Share of a cap (0–1) at which the user is warned. */
  alertAt: z.number().min(0).max(1),
});
export type BudgetSettings = z.infer<typeof BudgetSettingsSchema>;

export const ProviderLimitsSchema = z.object({
  concurrency: z.number().int().min(1).max(1000),
  requestsPerMinute: z.number().int().min(1).max(100_000),
});
export type ProviderLimits = z.infer<typeof ProviderLimitsSchema>;

/** Hosted APIs: below the lowest paid tiers' limits (OpenAI tier 1: 500 requests a minute), so a burst queues here rather than failing with 429s. */
const HOSTED_LIMITS: ProviderLimits = { concurrency: 8, requestsPerMinute: 500 };
/** A local server answers one request at a time well; it has no rate limit worth the name. */
const LOCAL_SERVER_LIMITS: ProviderLimits = { concurrency: 1, requestsPerMinute: 10_000 };
/** Self-hosted or gateway endpoints batch requests and set their own limits. */
const OWN_SERVER_LIMITS: ProviderLimits = { concurrency: 16, requestsPerMinute: 10_000 };

/** What a provider without a `routing.providerLimits` entry gets, by its preset. */
export const DEFAULT_PROVIDER_LIMITS: Readonly<Record<PresetId, ProviderLimits>> = {
  openai: HOSTED_LIMITS,
  anthropic: HOSTED_LIMITS,
  gemini: HOSTED_LIMITS,
  xai: HOSTED_LIMITS,
  qwen: HOSTED_LIMITS,
  openrouter: HOSTED_LIMITS,
  groq: HOSTED_LIMITS,
  deepseek: HOSTED_LIMITS,
  mistral: HOSTED_LIMITS,
  together: HOSTED_LIMITS,
  ollama: LOCAL_SERVER_LIMITS,
  lmstudio: LOCAL_SERVER_LIMITS,
  llamacpp: LOCAL_SERVER_LIMITS,
  vllm: OWN_SERVER_LIMITS,
  custom: OWN_SERVER_LIMITS,
};

/** The `routing` section of settings. */
export const RoutingSettingsSchema = z.object({
  /** Priority of new chats that use Auto. */
  defaultPriority: RoutingPrioritySchema,
  pinnedRules: z.array(PinnedRuleSchema).max(100),
  budget: BudgetSettingsSchema,
  /** Per provider name; a provider without an entry uses its preset's defaults. */
  providerLimits: z.record(z.string().min(1).max(64), ProviderLimitsSchema),
  circuit: z.object({
    /** Failures within `windowMs` that open a provider's circuit. */
    failures: z.number().int().min(1).max(1000),
    windowMs: z.number().int().min(1000),
    /** How long an open circuit waits before one probe request (half-open). */
    cooldownMs: z.number().int().min(100),
  }),
  cache: z.object({
    enabled: z.boolean(),
    ttlDays: z.number().min(0).max(3650),
    maxBytes: z.number().int().min(1024),
    /** Cache answers sampled above temperature 0.7 too. */
    cacheHighTemperature: z.boolean(),
  }),
});
export type RoutingSettings = z.infer<typeof RoutingSettingsSchema>;

/** One outcome line (`tandem route learn` reads files of these; votes and the lab write them too). */
export const OutcomeLineSchema = z.object({
  prompt: z.string().min(1),
  task: z.string().optional(),
  outcomes: z.record(z.string().min(1), z.object({ score: z.number().min(0).max(1), costUsd: z.number().nonnegative().optional() })),
});
export type OutcomeLine = z.infer<typeof OutcomeLineSchema>;

const DateString = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD');

/** Spend and traffic for the Usage page and `tandem usage`. */
export const UsageSummarySchema = z.object({
  since: z.string(),
  until: z.string(),
  /** One row per day in the period (days without traffic included), oldest first. */
  days: z.array(
    z.object({
      date: z.string(),
      /** Dollars per `PROVIDER/MODEL` (local models and cache hits are 0). */
      costByModel: z.record(z.string(), z.number()),
      costByProvider: z.record(z.string(), z.number()),
      inputTokens: z.number(),
      outputTokens: z.number(),
      requests: z.number(),
      errors: z.number(),
      savedUsd: z.number(),
    }),
  ),
  /** Per model (local ones included), most expensive first. */
  models: z.array(
    z.object({
      modelId: z.string(),
      provider: z.string().nullable(),
      kind: z.enum(['local', 'cloud', 'cache']),
      requests: z.number(),
      errors: z.number(),
      inputTokens: z.number(),
      outputTokens: z.number(),
      costUsd: z.number(),
      savedUsd: z.number(),
    }),
  ),
  totals: z.object({
    costUsd: z.number(),
    inputTokens: z.number(),
    outputTokens: z.number(),
    requests: z.number(),
    errors: z.number(),
    /** What local and cached answers would have cost on the cloud model Auto would otherwise have picked. */
    savedUsd: z.number(),
  }),
  budget: z.object({
    spentTodayUsd: z.number(),
    spentMonthUsd: z.number(),
    /** Reserved for requests in flight (worst case), not yet settled. */
    reservedUsd: z.number(),
    dailyUsd: Usd,
    monthlyUsd: Usd,
    /** Spend so far this month extrapolated to its last day. */
    forecastMonthUsd: z.number(),
    /** Caps at or past the alert threshold, as sentences. */
    alerts: z.array(z.string()),
  }),
});
export type UsageSummary = z.infer<typeof UsageSummarySchema>;

export const routingRoutes = {
  /** What Auto would do with this prompt in this chat; sends nothing. */
  'route.decide': request(
    z.strictObject({
      text: z.string().max(200_000),
      chatId: IdSchema.optional(),
      priority: RoutingPrioritySchema.optional(),
      collectionIds: z.array(z.string().min(1).max(128)).max(16).optional(),
    }),
    RouteDecisionSchema,
  ),
  /** The composer's estimate: prompt tokens and the cost of the model (for Auto: of its current pick). */
  'route.estimate': request(
    z.strictObject({ text: z.string().max(200_000), chatId: IdSchema.optional(), modelId: z.string().min(1).max(1024) }),
    z.object({ promptTokens: z.number().int(), modelId: z.string().nullable(), estimatedCostUsd: z.number().nullable() }),
  ),
  /** "Good answer" / "Bad answer" on an assistant message (null takes the vote back). Recorded as an outcome. */
  'route.vote': request(
    z.strictObject({ chatId: IdSchema, messageId: z.string().min(1).max(128), vote: z.enum(['good', 'bad']).nullable() }),
    z.object({ vote: z.enum(['good', 'bad']).nullable() }),
  ),
  /** Learns from outcome lines (JSONL text); malformed lines are reported with their numbers and skipped. */
  'route.learn': request(
    z.strictObject({ jsonl: z.string().max(50_000_000) }),
    z.object({ learned: z.number().int(), skipped: z.array(z.object({ line: z.number().int(), message: z.string() })) }),
  ),
  'usage.summary': request(z.strictObject({ since: DateString.optional(), until: DateString.optional() }), UsageSummarySchema),
  /** Empties the response cache. */
  'cache.clear': request(z.strictObject({}), z.object({ removed: z.number().int() })),
  'cache.stats': request(z.strictObject({}), z.object({ entries: z.number().int(), bytes: z.number().int(), hits: z.number().int(), savedUsd: z.number() })),
} as const;

export const routingEvents = {
  /** Spend changed (a request settled): the Usage page and budget notices refresh. */
  'usage.changed': z.object({}),
} as const;
