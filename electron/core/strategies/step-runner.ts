import { CodedError, type ErrorCode } from '../../../shared/ipc/errors';
import type { FinishReason, StepRecord, StepRole, StreamPart, Usage } from '../../../shared/ipc/stream-parts';
import type { GenerateRequest, LanguageModel } from '../models/language-model';
import { requestPromptTokens } from '../providers/token-estimate';
import { StepMeter } from './step-meter';

/** One step of a strategy: who answers what. */
export interface StepSpec {
  step: number;
  role: StepRole;
  label: string;
  modelId: string;
  /** The model, or why it may not be asked (a cloud candidate refused for local-only content): the step then fails with it. */
  model: LanguageModel | CodedError;
  request: GenerateRequest;
  cloud: boolean;
  /**
   * The answer the user reads: its text streams as `text-delta`, and its
   * route, fallback, retry, queue, cache and usage parts are passed on.
   * Other steps stream `step-delta` only. Either way the step's `finish` or
   * `error` is kept for the caller, never passed on.
   */
  final?: boolean;
}

export interface StepError {
  code: ErrorCode;
  message: string;
  retryable: boolean;
}

export interface StepOutcome {
  record: StepRecord;
  text: string;
  usage: Usage | null;
  finishReason: FinishReason | null;
  error: StepError | null;
  /** Stopped by the user (the signal), or the model finished `cancelled`. */
  cancelled: boolean;
}

/** Parts of the final answer passed on as they are (what the chat view shows and the turn saves). */
const FINAL_PASSTHROUGH = new Set<StreamPart['type']>(['route', 'fallback', 'retry', 'queued', 'cache-hit', 'usage', 'context-trimmed', 'reasoning-delta']);

/**
 * Streams one step: `step-start`, its text (`step-delta`, or `text-delta`
 * for the final answer), then — unless `emitEnd` is false — `step-end` with
 * the record (text, stats, error). A failing model is the step's error, not
 * a throw.
 */
export async function runStep(
  spec: StepSpec,
  emit: (part: StreamPart) => void,
  signal: AbortSignal,
  options: { emitEnd?: boolean; labelOnError?: (error: StepError) => string } = {},
): Promise<StepOutcome> {
  const meter = new StepMeter(requestPromptTokens(spec.request), spec.cloud);
  let modelId = spec.modelId;
  let text = '';
  let usage: Usage | null = null;
  let finishReason: FinishReason | null = null;
  let error: StepError | null = null;
  emit({ type: 'step-start', step: spec.step, role: spec.role, modelId: spec.modelId, label: spec.label });
  try {
    if (spec.model instanceof CodedError) throw spec.model;
    if (signal.aborted) finishReason = 'cancelled';
    else {
      for await (const part of spec.model.stream(spec.request, { signal })) {
        if (part.type === 'text-delta') {
          if (signal.aborted) continue; // after Stop, text in flight is dropped: what is saved is what was seen
          text += part.text;
          meter.text(part.text);
          emit(spec.final ? part : { type: 'step-delta', step: spec.step, text: part.text });
          continue;
        }
        if (part.type === 'finish') finishReason = part.reason;
        else if (part.type === 'error') error = { code: part.code, message: part.message, retryable: part.retryable };
        else if (part.type === 'usage') {
          usage = part.usage;
          meter.setUsage(part.usage);
        } else if (part.type === 'route' && part.decision.chosenModelId) modelId = part.decision.chosenModelId;
        else if (part.type === 'fallback') modelId = part.nextModelId;
        if (spec.final && FINAL_PASSTHROUGH.has(part.type)) emit(part);
      }
    }
  } catch (thrown) {
    const coded = thrown instanceof CodedError ? thrown : null;
    error = { code: coded?.code ?? 'GENERATION_FAILED', message: (thrown as Error)?.message ?? String(thrown), retryable: coded?.retryable ?? false };
  }
  const cancelled = !error && (finishReason === 'cancelled' || signal.aborted);
  if (cancelled) finishReason = 'cancelled';
  meter.finish(error ? 'error' : (finishReason ?? 'stop'));
  const record: StepRecord = {
    step: spec.step,
    role: spec.role,
    modelId,
    label: error && options.labelOnError ? options.labelOnError(error) : spec.label,
    text,
    stats: meter.stats(),
    error: error ? { code: error.code, message: error.message } : null,
  };
  if (options.emitEnd !== false) emit({ type: 'step-end', record });
  return { record, text, usage, finishReason, error, cancelled };
}
