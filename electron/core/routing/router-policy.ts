import { randomUUID } from 'node:crypto';
import type {
  ExclusionCode,
  PinnedRule,
  RouteCandidate,
  RouteDecision,
  RouteFeatures,
  RoutingPriority,
} from '../../../shared/ipc/routes/routing';
import { costUsd, type Price } from '../providers/pricing';
import { rankCandidates } from './priority-scoring';
import type { QualityPrediction } from './quality-model';

/** A model Auto may send to, as known in memory (library, providers, health). */
export interface CandidateProfile {
  modelId: string;
  kind: 'local' | 'cloud';
  provider: string | null;
  /** Tokens the model can hold (prompt + answer); null when unknown (assumed enough). */
  contextWindow: number | null;
  tools: boolean;
  json: boolean;
  /** Per million tokens; null when unknown (then treated as free and said so). */
  price: Price | null;
  /** The documented prior quality, used when no outcome mentions the model. */
  priorQuality: number;
  expectedTtftMs: number | null;
  expectedTokensPerSec: number | null;
}

export interface PolicyInput {
  features: RouteFeatures;
  /** The prompt text, for pinned rules (never logged). */
  prompt: string;
  priority: RoutingPriority;
  rules: readonly PinnedRule[];
  candidates: readonly CandidateProfile[];
  /** Predicted quality per model id (from outcomes); models missing here get their prior. */
  predictions: ReadonlyMap<string, QualityPrediction>;
  /** Why a paid request of this worst case cannot go out now (a budget cap), or null. */
  budgetRefusal: (candidate: CandidateProfile, worstCaseUsd: number) => string | null;
  /** Why the provider is not taking requests (its circuit is open), or null. */
  circuitRefusal: (candidate: CandidateProfile) => string | null;
  now?: () => Date;
}

/** Tokens an answer is expected to take when estimating cost and time (max tokens when smaller). */
export const EXPECTED_OUTPUT_TOKENS = 400;

/** Dollars for a request on a candidate; an unknown price counts as free (and the candidate shows $0). */
function requestCostUsd(price: Price | null, inputTokens: number, outputTokens: number): number {
  return price ? costUsd(price, inputTokens, outputTokens) : 0;
}

const CODE_PATTERN = /```|^\s*(def|class|function|import|from|#include|public|private|const|let|var|fn|func|package)\s|=>|[{};]\s*$|\bSELECT\b.+\bFROM\b|<\/?[a-z]+>/im;

/** Whether a prompt looks like it is about code (a fence, keywords at line starts, braces at line ends, SQL, tags). */
export function looksLikeCode(text: string): boolean {
  return CODE_PATTERN.test(text);
}

function ruleMatches(rule: PinnedRule, input: PolicyInput): boolean {
  const when = rule.when;
  switch (when.type) {
    case 'prompt-looks-like-code':
      return input.features.looksLikeCode;
    case 'tokens-over':
      return input.features.promptTokens > when.tokens;
    case 'collection-attached':
      return input.features.collectionIds.includes(when.collectionId);
    case 'prompt-matches':
      try {
        return new RegExp(when.pattern, 'i').test(input.prompt);
      } catch {
        return false; // an invalid pattern never matches (the editor validates it)
      }
  }
}

export function describeRule(rule: PinnedRule): string {
  const when = rule.when;
  const condition =
    when.type === 'prompt-looks-like-code'
      ? 'prompt looks like code'
      : when.type === 'tokens-over'
        ? `over ${when.tokens.toLocaleString('en-US')} tokens`
        : when.type === 'collection-attached'
          ? `collection ${when.collectionId} attached`
          : `prompt matches /${when.pattern}/i`;
  const target = rule.then.type === 'model' ? rule.then.modelId : rule.then.type;
  return `${condition} → ${target}`;
}

/**
 * Auto's decision, a pure function of the request's features and state held
 * in memory. Hard rules first (privacy, context, tools, JSON schema), then
 * health and budgets, then the first matching pinned rule, then the ranking
 * at the chat's priority. Calls no model.
 */
export function decideRoute(input: PolicyInput): RouteDecision {
  const started = performance.now();
  const { features, priority } = input;
  const outputTokens = Math.min(features.maxOutputTokens || EXPECTED_OUTPUT_TOKENS, EXPECTED_OUTPUT_TOKENS);
  const rows = input.candidates.map((candidate) => {
    const predicted = input.predictions.get(candidate.modelId);
    const estimatedCostUsd = requestCostUsd(candidate.price, features.promptTokens, outputTokens);
    const worstCaseUsd = requestCostUsd(candidate.price, features.promptTokens, features.maxOutputTokens);
    const expectedSeconds =
      candidate.expectedTtftMs === null && candidate.expectedTokensPerSec === null
        ? null
        : (candidate.expectedTtftMs ?? 1000) / 1000 + outputTokens / Math.max(1, candidate.expectedTokensPerSec ?? 20);
    return {
      candidate,
      quality: predicted?.quality ?? candidate.priorQuality,
      samples: predicted?.samples ?? 0,
      estimatedCostUsd,
      expectedSeconds,
      excluded: exclusion(candidate, worstCaseUsd, input),
    };
  });
  const eligible = rows.filter((row) => row.excluded === null);

  let rule: PinnedRule | null = null;
  let pool = eligible;
  let forced: (typeof rows)[number] | null = null;
  for (const candidateRule of input.rules) {
    if (!candidateRule.enabled || !ruleMatches(candidateRule, input)) continue;
    const target = candidateRule.then;
    if (target.type === 'model') {
      const row = eligible.find((r) => r.candidate.modelId === target.modelId);
      if (!row) continue; // the pinned model cannot take this request: the next rule, then the ranking
      forced = row;
    } else {
      const kind = target.type;
      const subset = eligible.filter((r) => r.candidate.kind === kind);
      if (subset.length === 0) continue;
      pool = subset;
    }
    rule = candidateRule;
    break;
  }

  const rank = (subset: typeof rows) =>
    rankCandidates(
      priority,
      subset.map((row) => ({ row, modelId: row.candidate.modelId, quality: row.quality, costUsd: row.estimatedCostUsd, expectedSeconds: row.expectedSeconds, local: row.candidate.kind === 'local' })),
    );
  const scores = new Map<string, number>();
  const ranked = rank(pool);
  for (const { candidate, score } of ranked) scores.set(candidate.modelId, score);
  const first = forced ? [forced, ...ranked.map((r) => r.candidate.row).filter((row) => row !== forced)] : ranked.map((r) => r.candidate.row);
  // Eligible models outside a rule's pool still follow (as fallbacks), then the excluded ones.
  const rest = rank(eligible.filter((row) => !first.includes(row)));
  for (const { candidate, score } of rest) scores.set(candidate.modelId, score);
  const ordered = [...first, ...rest.map((r) => r.candidate.row), ...rows.filter((row) => row.excluded !== null)];

  const candidates: RouteCandidate[] = ordered.map((row) => ({
    modelId: row.candidate.modelId,
    kind: row.candidate.kind,
    provider: row.candidate.provider,
    predictedQuality: round(row.quality, 4),
    qualitySamples: row.samples,
    estimatedCostUsd: round(row.estimatedCostUsd, 8),
    expectedTtftMs: row.candidate.expectedTtftMs === null ? null : Math.round(row.candidate.expectedTtftMs),
    expectedTokensPerSec: row.candidate.expectedTokensPerSec === null ? null : round(row.candidate.expectedTokensPerSec, 1),
    score: row.excluded ? null : round(scores.get(row.candidate.modelId) ?? 0, 4),
    excluded: row.excluded,
  }));
  const chosen = candidates.find((c) => c.excluded === null) ?? null;
  return {
    id: randomUUID(),
    at: (input.now?.() ?? new Date()).toISOString(),
    chosenModelId: chosen?.modelId ?? null,
    priority,
    reason: chosen ? reasonFor(chosen, candidates, rule, priority) : noModelReason(candidates),
    rule: rule ? describeRule(rule) : null,
    features,
    candidates,
    decisionMs: round(performance.now() - started, 3),
  };
}

function exclusion(candidate: CandidateProfile, worstCaseUsd: number, input: PolicyInput): { code: ExclusionCode; reason: string } | null {
  const { features } = input;
  if (features.localOnly && candidate.kind !== 'local') {
    return { code: 'local-only-content', reason: 'This request holds private or local-only content: it stays on this computer' };
  }
  const needed = features.promptTokens + Math.min(features.maxOutputTokens, 1024);
  if (candidate.contextWindow !== null && features.promptTokens >= candidate.contextWindow) {
    return { code: 'context-too-long', reason: `The prompt (${features.promptTokens} tokens) does not fit its ${candidate.contextWindow}-token context` };
  }
  if (candidate.contextWindow !== null && needed > candidate.contextWindow) {
    return { code: 'context-too-long', reason: `The prompt and answer (${needed} tokens) do not fit its ${candidate.contextWindow}-token context` };
  }
  if (features.needsTools && !candidate.tools) return { code: 'no-tools', reason: 'It cannot call tools, and this chat uses tools' };
  if (features.needsJsonSchema && !candidate.json) return { code: 'no-json-schema', reason: 'It cannot follow a JSON schema' };
  const circuit = input.circuitRefusal(candidate);
  if (circuit) return { code: 'circuit-open', reason: circuit };
  if (worstCaseUsd > 0) {
    const budget = input.budgetRefusal(candidate, worstCaseUsd);
    if (budget) return { code: 'over-budget', reason: budget };
  }
  return null;
}

function reasonFor(chosen: RouteCandidate, candidates: readonly RouteCandidate[], rule: PinnedRule | null, priority: RoutingPriority): string {
  if (rule) return `Pinned rule "${describeRule(rule)}" matched.`;
  const eligible = candidates.filter((c) => c.excluded === null);
  const quality = `predicted quality ${Math.round(chosen.predictedQuality * 100)}%`;
  const cost = chosen.estimatedCostUsd === 0 ? (chosen.kind === 'local' ? 'runs on this computer' : 'free') : `about $${chosen.estimatedCostUsd.toFixed(4)}`;
  const excluded = candidates.length - eligible.length;
  const tail = excluded > 0 ? `; ${excluded} other model${excluded === 1 ? '' : 's'} excluded` : '';
  if (eligible.length === 1) return `The only model that can take this request (${quality}, ${cost})${tail}.`;
  const label = { balanced: 'Best balance of quality, cost and speed', speed: 'Fastest answer at good quality', cost: 'Cheapest model that clears the quality bar', quality: 'Highest predicted quality', privacy: 'Best local model' }[priority];
  return `${label}: ${quality}, ${cost}${tail}.`;
}

function noModelReason(candidates: readonly RouteCandidate[]): string {
  if (candidates.length === 0) return 'No model is available: add a local model (Models page or `tandem models pull`) or a cloud provider.';
  const codes = new Set(candidates.map((c) => c.excluded?.code));
  const hints: string[] = [];
  if (codes.has('local-only-content')) hints.push('add a local model for private or local-only content');
  if (codes.has('context-too-long')) hints.push('shorten the conversation or pick a model with a longer context');
  if (codes.has('no-tools')) hints.push('turn tools off for this chat or add a model that calls tools');
  if (codes.has('no-json-schema')) hints.push('add a model that follows JSON schemas');
  if (codes.has('over-budget')) hints.push('raise the budget on the Usage page or add a local model');
  if (codes.has('circuit-open')) hints.push('wait for the failing provider to recover');
  return `No model can take this request: ${hints.join('; ') || 'every candidate was excluded'}.`;
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
