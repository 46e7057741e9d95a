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
  /** 0 for local models; null for a cloud answer whose price is unknown. */
  costUsd: number | null;
  error: { code: ErrorCode; message: string } | null;
  /** The run was stopped during the call: the call is not a result. */
  cancelled: boolean;
  /** Replayed from the response cache (its times are not the model's). */
  cached: boolean;
}

/**
 * Streams one request and measures it. Never throws: a model that cannot be
 * resolved, an error part or a thrown error is the measurement's `error`.
 */
export async function measureCall(
  resolve: () => Promise<LanguageModel>,
  request: GenerateRequest,
  kind: 'local' | 'cloud',
  signal: AbortSignal,
): Promise<CallMeasurement> {
  const started = performance.now();
  let firstAt: number | null = null;
  let answer = '';
  let usage: Usage | null = null;
  let error: CallMeasurement['error'] = null;
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
      } else if (part.type === 'cache-hit') {
        cached = true;
      } else if (part.type === 'error') {
        error = { code: part.code, message: part.message };
      } else if (part.type === 'finish' && part.reason === 'cancelled') {
        cancelled = true;
      }
    }
  } catch (thrown) {
    const { code, message } = toTandemError(thrown);
    if (code === 'CANCELLED') cancelled = true;
    else error = { code, message };
  }
  if (signal.aborted) cancelled = true;
  const ended = performance.now();
  const outputTokens = usage?.outputTokens ?? (answer === '' ? 0 : Math.max(1, Math.ceil(answer.length / 4)));
  const streamingMs = firstAt === null ? 0 : ended - firstAt;
  return {
    answer,
    ttftMs: firstAt === null ? null : firstAt - started,
    tokensPerSecond: outputTokens >= 2 && streamingMs > 0 ? (outputTokens - 1) / (streamingMs / 1000) : null,
    totalMs: ended - started,
    inputTokens: usage?.inputTokens ?? 0,
    outputTokens,
    costUsd: kind === 'local' ? 0 : (usage?.costUsd ?? (usage === null && error ? 0 : null)),
    error,
    cancelled,
    cached,
  };
}
