import type { StreamPart } from '../../../shared/ipc/stream-parts';

/** One turn of the conversation as a model sees it. */
export interface PromptMessage {
  role: 'system' | 'user' | 'assistant';
  text: string;
}

export interface GenerateRequest {
  messages: PromptMessage[];
  maxTokens?: number;
  temperature?: number;
  seed?: number;
}

/**
 * What every model, local or cloud, implements. The stream always ends with
 * exactly one `finish` or `error` part; cancelling through `signal` ends it
 * with `finish` reason `cancelled` (what was generated so far stays valid).
 */
export interface LanguageModel {
  readonly id: string;
  stream(request: GenerateRequest, options: { signal: AbortSignal }): AsyncIterable<StreamPart>;
}
