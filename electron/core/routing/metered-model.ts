import { CodedError } from '../../../shared/ipc/errors';
import type { StreamPart, Usage } from '../../../shared/ipc/stream-parts';
import type { GenerateRequest, LanguageModel } from '../models/language-model';
import { costUsd } from '../providers/pricing';
import { requestPromptTokens } from '../providers/token-estimate';
import type { BudgetGuard, Reservation } from './budget-guard';
import type { ModelCallInfo, SpendEntry, SpendRecorder } from './types';

export interface MeteredModelDeps {
  guard: BudgetGuard;
  /** Where the request's spend entry goes; the guard's ledger (directly or through a fan-out), so settled money is counted at once. */
  recorder: SpendRecorder;
  /** Max output tokens assumed when the request sets none (the `maxTokens` setting). */
  maxTokensDefault: number;
  now?: () => Date;
}

/** Characters per token for answers cut short before the provider reported usage. */
const CHARS_PER_TOKEN = 4;

/**
 * Wraps a model so every request is budgeted and metered. A cloud model's
 * worst case (estimated prompt tokens × input price + max tokens × output
 * price) is reserved before the inner model is called; a request that would
 * break a cap ends with one BUDGET_EXCEEDED `error` part and never reaches the
 * model. The reservation is settled at the `usage` part (at its cost, or the
 * price applied to its tokens), released when the request failed or was
 * cancelled before any output, and settled at an estimate (prompt tokens plus
 * streamed characters / 4) when it was cut short mid-answer, the consumer
 * returning early included. One spend entry is recorded per request: for local
 * models costUsd 0 and savedUsd priced at `info.referencePrice`.
 */
export function meteredModel(model: LanguageModel, info: ModelCallInfo, deps: MeteredModelDeps): LanguageModel {
  return {
    id: model.id,
    stream: (request, options) => meter(model, info, deps, request, options.signal),
  };
}

async function* meter(
  model: LanguageModel,
  info: ModelCallInfo,
  deps: MeteredModelDeps,
  request: GenerateRequest,
  signal: AbortSignal,
): AsyncGenerator<StreamPart> {
  const now = deps.now ?? (() => new Date());
  const promptTokens = requestPromptTokens(request);
  const maxTokens = request.maxTokens ?? deps.maxTokensDefault;
  const cloud = info.kind === 'cloud';
  const price = cloud ? info.price : null;

  const entry = (inputTokens: number, outputTokens: number, spentUsd: number, errorCode: string | null): SpendEntry => ({
    at: now().toISOString(),
    modelId: info.modelId,
    provider: info.provider,
    kind: info.kind,
    inputTokens,
    outputTokens,
    costUsd: cloud ? spentUsd : 0,
    savedUsd: !cloud && info.referencePrice ? costUsd(info.referencePrice, inputTokens, outputTokens) : 0,
    errorCode,
    chatId: info.chatId,
    decisionId: info.decisionId,
  });

  let reservation: Reservation | null = null;
  if (cloud) {
    const worstCaseUsd = price ? costUsd(price, promptTokens, maxTokens) : 0;
    try {
      reservation = deps.guard.reserve(info.provider, worstCaseUsd, { chatId: info.chatId, worstCaseTokens: promptTokens + maxTokens });
    } catch (error) {
      if (!(error instanceof CodedError) || error.code !== 'BUDGET_EXCEEDED') throw error;
      deps.recorder.record(entry(0, 0, 0, error.code));
      yield { type: 'error', code: 'BUDGET_EXCEEDED', message: error.message, retryable: false };
      return;
    }
  }

  let done = false;
  /** Records the request and settles (or releases) its hold in one step, once. */
  const finish = (usage: { inputTokens: number; outputTokens: number; costUsd?: number } | null, errorCode: string | null) => {
    if (done) return;
    done = true;
    // The hold goes before the entry is recorded (same tick, so no reservation can slip between): the
    // ledger's listeners then never see the request counted twice, as spend and as a hold.
    if (usage === null) {
      reservation?.release();
      deps.recorder.record(entry(0, 0, 0, errorCode));
      return;
    }
    const spent = usage.costUsd ?? (price ? costUsd(price, usage.inputTokens, usage.outputTokens) : 0);
    reservation?.settle(spent, usage.inputTokens + usage.outputTokens);
    deps.recorder.record(entry(usage.inputTokens, usage.outputTokens, spent, errorCode));
  };

  let streamedChars = 0;
  let errorCode: string | null = null;
  try {
    for await (const part of model.stream(request, { signal })) {
      if (part.type === 'text-delta' || part.type === 'reasoning-delta') streamedChars += part.text.length;
      else if (part.type === 'tool-call') streamedChars += JSON.stringify(part.args ?? null).length + part.toolName.length;
      else if (part.type === 'usage') finish(part.usage satisfies Usage, null);
      else if (part.type === 'error') errorCode = part.code;
      yield part;
    }
  } catch (error) {
    errorCode ??= error instanceof CodedError ? error.code : 'INTERNAL';
    throw error;
  } finally {
    // No usage part: the request failed, was cancelled, or its consumer stopped reading.
    if (streamedChars === 0) finish(null, errorCode);
    else finish({ inputTokens: promptTokens, outputTokens: Math.ceil(streamedChars / CHARS_PER_TOKEN) }, errorCode);
  }
}
