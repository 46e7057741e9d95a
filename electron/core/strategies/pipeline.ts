import type { StreamPart } from '../../../shared/ipc/stream-parts';
import type { GenerateRequest, LanguageModel, PromptMessage } from '../models/language-model';
import type { StepOutcome } from './step-runner';

/** What every strategy pipeline runs with. */
export interface PipelineContext {
  emit: (part: StreamPart) => void;
  signal: AbortSignal;
  isCloud: (modelId: string) => boolean;
}

/** A step's model as resolved before anything was sent. */
export interface ResolvedStep {
  modelId: string;
  model: LanguageModel;
}

/** The parts of a chat turn every step shares: the chat's sampling settings and the conversation. */
export interface TurnBase {
  /** The chat's sampling settings, its system prompt (with retrieved sources, except for condense) and maxTokens. */
  request: Omit<GenerateRequest, 'messages'>;
  /** The conversation so far plus the user's new message. */
  conversation: PromptMessage[];
  /** The user's new message as they wrote it. */
  question: string;
}

/** Ends the turn as its final step ended: its error, Stop, or how it finished. */
export function finishWith(context: PipelineContext, outcome: StepOutcome): void {
  if (outcome.error) context.emit({ type: 'error', ...outcome.error });
  else context.emit({ type: 'finish', reason: outcome.cancelled ? 'cancelled' : (outcome.finishReason ?? 'stop') });
}

export function joinSystem(...parts: (string | undefined)[]): string | undefined {
  const kept = parts.filter((p): p is string => typeof p === 'string' && p.trim().length > 0);
  return kept.length > 0 ? kept.join('\n\n') : undefined;
}
