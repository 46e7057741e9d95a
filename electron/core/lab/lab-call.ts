import { toTandemError, type ErrorCode } from '../../../shared/ipc/errors';
import type { Usage } from '../../../shared/ipc/stream-parts';
import type { GenerateRequest, LanguageModel } from '../models/language-model';

/** What one lab call measured. */
export interface CallMeasurement {
  answer: string;
  /** From the request to the first text; null when no text came. */
  ttftMs: number | null;
  /** Output tokens after the first, over the time after the first; null with fewer than two tokens. */
  tokensPerSecond: number | null;
  totalMs: number;
  inputTokens: number;
  outputTokens: number;
  /** The usage's cost when it has one; else 0 for a local answer (or a call that failed before any usage), null for an unpriced cloud answer. */
  costUsd: number | null;
  /** The model that actually answered (Auto's pick, or the last fallback's model); the model asked when nothing said otherwise. */
  answeredBy: string;
  /** Whether that model runs on this computer. */
  local: boolean;
  error: { code: ErrorCode; message: string } | null;
  /** The error said another try might work (a provider's passing trouble, not the model's answer). */
  errorRetryable: boolean;
  /** The run was stopped during the call: the call is not a result. */
  cancelled: boolean;
  /** Replayed from the response cache (its times are not the model's). */
  cached: boolean;
}

/**
 * Streams one request and measures it. Never throws: a model that cannot be
 * resolved, an error part or a thrown error is the measurement's `error`.
 * Whether the answer was local (and so free) is the answering model's: Auto's
 * `route` part and any `fallback` part name it; `isLocal` tells its kind.
 */
export async function measureCall(
  resolve: () => Promise<LanguageModel>,
  request: GenerateRequest,
  modelId: string,
  isLocal: (modelId: string) => boolean,
  signal: AbortSignal,
): Promise<CallMeasurement> {
  let answeredBy = modelId;
  const started = performance.now();
  let firstAt: number | null = null;
  let answer = '';
  let usage: Usage | null = null;
  let error: CallMeasurement['error'] = null;
  let errorRetryable = false;
  let cancelled = false;
  let cached = false;
  try {
    const model = await resolve();
    for await (const part of model.stream(request, { signal })) {
      if (part.type === 'text-delta') {
        if (part.text !== '' && firstAt === null) firstAt = performance.now();
        answer += part.text;
      } else if (part.type === 'usage') {
        usage = part.usage;
      } else if (part.type === 'route') {
        answeredBy = part.decision.chosenModelId ?? answeredBy;
      } else if (part.type === 'fallback') {
        answeredBy = part.nextModelId;
      } else if (part.type === 'cache-hit') {
        cached = true;
      } else if (part.type === 'error') {
        error = { code: part.code, message: part.message };
        errorRetryable = part.retryable;
      } else if (part.type === 'finish' && part.reason === 'cancelled') {
        cancelled = true;
      }
    }
  } catch (thrown) {
    const { code, message, retryable } = toTandemError(thrown);
    if (code === 'CANCELLED') cancelled = true;
    else {
      error = { code, message };
      errorRetryable = retryable;
    }
  }
  if (signal.aborted) cancelled = true;
  const ended = performance.now();
  const local = isLocal(answeredBy);
  const outputTokens = usage?.outputTokens ?? (answer === '' ? 0 : Math.max(1, Math.ceil(answer.length / 4)));
  const streamingMs = firstAt === null ? 0 : ended - firstAt;
  return {
    answer,
    ttftMs: firstAt === null ? null : firstAt - started,
    tokensPerSecond: outputTokens >= 2 && streamingMs > 0 ? (outputTokens - 1) / (streamingMs / 1000) : null,
    totalMs: ended - started,
    inputTokens: usage?.inputTokens ?? 0,
    outputTokens,
    costUsd: usage?.costUsd ?? (local || (usage === null && error) ? 0 : null),
    answeredBy,
    local,
    error,
    errorRetryable,
    cancelled,
    cached,
  };
}
