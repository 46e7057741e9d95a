import type { RouteDecision } from '../../../shared/ipc/routes/routing';
import type { ErrorCode } from '../../../shared/ipc/errors';
import { toTandemError } from '../../../shared/ipc/errors';
import type { StreamPart } from '../../../shared/ipc/stream-parts';
import type { GenerateRequest, LanguageModel } from '../models/language-model';

/** What Auto needs from the routing service for one turn. */
export interface AutoModelDeps {
  decide: (request: GenerateRequest) => Promise<RouteDecision>;
  /** The model to stream for a candidate, with budget, queue, circuit, cache and metering around it. */
  resolve: (modelId: string, decision: RouteDecision) => Promise<LanguageModel>;
  /** Decisions go to the append-only decision log. */
  logDecision: (decision: RouteDecision) => void;
}

/** Failures after which the next candidate answers: the provider (or model) is not serving, not the request being wrong. */
const FALLBACK_CODES = new Set<ErrorCode>([
  'SERVER',
  'RATE_LIMITED',
  'TIMEOUT',
  'NETWORK',
  'BAD_RESPONSE',
  'AUTH',
  'BUDGET_EXCEEDED',
  'MODEL_LOAD_FAILED',
  'MODEL_NOT_FOUND',
  'GENERATION_FAILED',
  'CONTEXT_TOO_LONG',
]);

/** Most models one request tries before it gives up (the chosen one and two fallbacks). */
const MAX_ATTEMPTS = 3;

/**
 * The model called `auto`: decides (no model is called for that), emits a
 * `route` part, and streams the chosen model's answer. When that model fails
 * before its first token with a provider failure (after its own retries), or
 * its circuit is open, or the budget refuses it at send time, a `fallback`
 * part names what failed and the next candidate answers. One instance serves
 * one chat turn: the tool loop's later steps stay with the model that answered.
 */
export class AutoModel implements LanguageModel {
  readonly id = 'auto';
  private decision: RouteDecision | null = null;
  private answering: string | null = null;

  constructor(private readonly deps: AutoModelDeps) {}

  async *stream(request: GenerateRequest, { signal }: { signal: AbortSignal }): AsyncIterable<StreamPart> {
    if (!this.decision) {
      try {
        this.decision = await this.deps.decide(request);
      } catch (thrown) {
        const error = toTandemError(thrown);
        yield { type: 'error', code: error.code, message: `Auto could not decide: ${error.message}`, retryable: error.retryable };
        return;
      }
      this.deps.logDecision(this.decision);
      yield { type: 'route', decision: this.decision };
    }
    const decision = this.decision;
    if (!decision.chosenModelId) {
      yield { type: 'error', code: 'NO_MODEL_AVAILABLE', message: decision.reason, retryable: false };
      return;
    }
    const eligible = decision.candidates.filter((c) => c.excluded === null).map((c) => c.modelId);
    const order = this.answering ? [this.answering, ...eligible.filter((id) => id !== this.answering)] : eligible;
    const tries = order.slice(0, MAX_ATTEMPTS);
    for (let i = 0; i < tries.length; i++) {
      const modelId = tries[i]!;
      const next = tries[i + 1];
      let failure: { code: ErrorCode; message: string; retryable: boolean } | null = null;
      let started = false;
      try {
        const model = await this.deps.resolve(modelId, decision);
        for await (const part of model.stream(request, { signal })) {
          if (part.type === 'error' && !started && next && FALLBACK_CODES.has(part.code) && !signal.aborted) {
            failure = part;
            break;
          }
          if (part.type === 'text-delta' || part.type === 'reasoning-delta' || part.type === 'tool-call' || part.type === 'cache-hit') {
            started = true;
            this.answering = modelId;
          }
          yield part;
        }
      } catch (thrown) {
        if (signal.aborted) {
          yield { type: 'finish', reason: 'cancelled' };
          return;
        }
        const error = toTandemError(thrown);
        if (started || !next || !FALLBACK_CODES.has(error.code)) {
          yield { type: 'error', code: error.code, message: error.message, retryable: error.retryable };
          return;
        }
        failure = error;
      }
      if (!failure) {
        this.answering = modelId;
        return;
      }
      yield { type: 'fallback', failedModelId: modelId, code: failure.code, message: failure.message, nextModelId: next! };
    }
  }
}
