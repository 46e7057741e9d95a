import type { ContextPolicy } from '../../../shared/ipc/chat-settings';
import type { StreamPart } from '../../../shared/ipc/stream-parts';

/** A tool call the model made, as a later request hands it back. */
export interface PromptToolCall {
  toolCallId: string;
  toolName: string;
  args: unknown;
}

/** One turn of the conversation as a model sees it. */
export type PromptMessage =
  | { role: 'system' | 'user'; text: string }
  /** `toolCalls` are the calls this answer ended with; their results follow as `tool` messages. */
  | { role: 'assistant'; text: string; toolCalls?: PromptToolCall[] }
  | { role: 'tool'; toolCallId: string; toolName: string; result: unknown };

/** A function the model may call; generation stops at the call and the caller runs it. */
export interface ToolDefinition {
  name: string;
  description?: string;
  /** A JSON schema for the arguments object. */
  parameters?: Record<string, unknown>;
}

/** Sampling and stopping, per request or per chat. Unset fields keep the model's defaults (greedy). */
export interface SamplingSettings {
  temperature?: number;
  topP?: number;
  topK?: number;
  minP?: number;
  repeatPenalty?: number;
  seed?: number;
  maxTokens?: number;
  stopStrings?: string[];
  /** Put before the conversation (replacing any system message in it). */
  systemPrompt?: string;
}

export type ResponseFormat = { type: 'text' } | { type: 'json_schema'; schema: Record<string, unknown> };

export interface GenerateRequest extends SamplingSettings {
  messages: PromptMessage[];
  /** Grammar-constrained output that matches a JSON schema. */
  responseFormat?: ResponseFormat;
  tools?: ToolDefinition[];
  /** 'auto' (default): the model decides; 'required' or a tool name: the answer is a call (its arguments grammar-constrained). */
  toolChoice?: 'auto' | 'required' | { name: string };
  /** What happens when the conversation outgrows the context; reported as a `context-trimmed` part. */
  contextPolicy?: ContextPolicy;
}

/**
 * What every model, local or cloud, implements. The stream always ends with
 * exactly one `finish` or `error` part; cancelling through `signal` ends it
 * with `finish` reason `cancelled` (what was generated so far stays valid).
 * A model that calls tools emits `tool-call` parts and finishes with `tool-calls`.
 */
export interface LanguageModel {
  readonly id: string;
  stream(request: GenerateRequest, options: { signal: AbortSignal }): AsyncIterable<StreamPart>;
}
