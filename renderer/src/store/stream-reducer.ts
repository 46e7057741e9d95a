import type { ChatMessage } from '../../../shared/ipc/domain';
import type { RetryPart, StepRecord, StreamPart, ToolCallRecord } from '../../../shared/ipc/stream-parts';
import type { StreamEnd } from '../client/tandem-client';

/** How the user answered an approval card; `sending` while chat.approveTool is on its way, `expired` when it was no longer waiting. */
export type ApprovalState = 'pending' | 'sending' | 'allow-once' | 'always-allow' | 'deny' | 'expired';

/** A tool call of a running answer, as its parts arrive: called, maybe waiting for approval, running with progress, ended. */
export interface LiveToolCall {
  toolCallId: string;
  toolName: string;
  server: string | null;
  args: unknown;
  approval: { approvalId: string; state: ApprovalState } | null;
  progress: { progress: number; total?: number; message?: string } | null;
  result: ToolCallRecord | null;
}

/** The growing answer of one running stream. */
export interface StreamProgress {
  /** Null until the backend has accepted the message. */
  streamId: string | null;
  /** The assistant message as received so far; null until the stream started. */
  message: ChatMessage | null;
  /** Reasoning text (not saved with the message; shown while it streams). */
  reasoning: string;
  /** Stop was pressed; waiting for the stream to end. */
  stopping: boolean;
  /** The provider failed before the first token and the backend is waiting to try again; cleared by the first words or an error. */
  retry?: RetryPart | null;
  /** Tool calls of this answer so far (a new array only when a tool part arrives, so text deltas stay cheap). */
  tools?: LiveToolCall[];
  /** The request waits for its provider's concurrency or rate limit; cleared by the first words or an error. Never saved. */
  queued?: QueuedState | null;
}

/** Where a request waits in its provider's queue (position 1 is next). */
export interface QueuedState {
  provider: string;
  position: number;
}

const NO_TOOLS: LiveToolCall[] = [];

function upsertTool(tools: LiveToolCall[], toolCallId: string, change: (before: LiveToolCall | undefined) => LiveToolCall): LiveToolCall[] {
  const index = tools.findIndex((t) => t.toolCallId === toolCallId);
  const next = tools.slice();
  if (index === -1) next.push(change(undefined));
  else next[index] = change(tools[index]);
  return next;
}

function blankTool(toolCallId: string, toolName: string, server: string | null, args: unknown): LiveToolCall {
  return { toolCallId, toolName, server, args, approval: null, progress: null, result: null };
}

/** Stats of a strategy step that is still running (its `step-end` brings the real ones). */
const RUNNING_STEP_STATS: StepRecord['stats'] = {
  ttftMs: null,
  tokensPerSecond: null,
  inputTokens: 0,
  outputTokens: 0,
  costUsd: null,
  durationMs: 0,
  finishReason: null,
};

/**
 * A strategy's steps as they stream: a running step is a record with no
 * finish reason yet whose text grows; its `step-end` replaces it with the saved record.
 */
export function applyStepPart(steps: readonly StepRecord[], part: Extract<StreamPart, { type: 'step-start' | 'step-delta' | 'step-end' }>): StepRecord[] {
  const step = part.type === 'step-end' ? part.record.step : part.step;
  const index = steps.findIndex((s) => s.step === step);
  const next = steps.slice();
  if (part.type === 'step-start') {
    const record: StepRecord = { step, role: part.role, modelId: part.modelId, label: part.label, text: '', stats: RUNNING_STEP_STATS, error: null };
    if (index === -1) next.push(record);
    else next[index] = record;
  } else if (part.type === 'step-delta') {
    const before = next[index];
    if (before) next[index] = { ...before, text: before.text + part.text };
  } else if (index === -1) {
    next.push(part.record);
  } else {
    next[index] = part.record;
  }
  return next.sort((a, b) => a.step - b.step);
}

/** Applies one frame's worth of parts to the assistant message, in order. */
export function applyParts(
  progress: { message: ChatMessage; reasoning: string; retry?: RetryPart | null; tools?: LiveToolCall[]; queued?: QueuedState | null },
  parts: readonly StreamPart[],
) {
  const message = { ...progress.message };
  let reasoning = progress.reasoning;
  let retry = progress.retry ?? null;
  let queued = progress.queued ?? null;
  let tools = progress.tools ?? NO_TOOLS;
  let text = message.text;
  for (const part of parts) {
    switch (part.type) {
      case 'text-delta':
        text += part.text;
        retry = null;
        queued = null;
        break;
      case 'reasoning-delta':
        reasoning += part.text;
        retry = null;
        queued = null;
        break;
      case 'retry':
        retry = part;
        break;
      case 'usage':
        message.usage = part.usage;
        break;
      case 'context-trimmed':
        message.contextTrimmed = { droppedMessages: part.droppedMessages, droppedTokens: part.droppedTokens };
        break;
      case 'finish':
        message.finishReason = part.reason;
        break;
      case 'error':
        message.error = { code: part.code, message: part.message };
        retry = null;
        queued = null;
        break;
      case 'route':
        message.route = part.decision;
        break;
      case 'fallback':
        message.fallbacks = [
          ...(message.fallbacks ?? []),
          { failedModelId: part.failedModelId, code: part.code, message: part.message, nextModelId: part.nextModelId },
        ];
        retry = null;
        break;
      case 'queued':
        queued = { provider: part.provider, position: part.position };
        break;
      case 'cache-hit':
        message.cached = true;
        queued = null;
        break;
      case 'tool-call':
        retry = null;
        tools = upsertTool(tools, part.toolCallId, (before) => ({
          ...(before ?? blankTool(part.toolCallId, part.toolName, part.server ?? null, part.args)),
          toolName: part.toolName,
          server: part.server ?? before?.server ?? null,
          args: part.args,
        }));
        break;
      case 'tool-approval':
        retry = null;
        tools = upsertTool(tools, part.toolCallId, (before) => ({
          ...(before ?? blankTool(part.toolCallId, part.toolName, part.server, part.args)),
          server: part.server,
          args: part.args,
          approval: { approvalId: part.approvalId, state: 'pending' },
        }));
        break;
      case 'tool-progress':
        tools = upsertTool(tools, part.toolCallId, (before) => ({
          ...(before ?? blankTool(part.toolCallId, 'tool', null, undefined)),
          progress: { progress: part.progress, ...(part.total !== undefined ? { total: part.total } : {}), ...(part.message ? { message: part.message } : {}) },
        }));
        break;
      case 'tool-result': {
        const before = tools.find((t) => t.toolCallId === part.toolCallId);
        const record: ToolCallRecord = {
          toolCallId: part.toolCallId,
          server: part.server,
          toolName: part.toolName,
          status: part.status,
          result: part.result,
          truncatedForModel: part.truncatedForModel,
          durationMs: part.durationMs,
          args: before?.args,
        };
        tools = upsertTool(tools, part.toolCallId, (old) => ({
          ...(old ?? blankTool(part.toolCallId, part.toolName, part.server, undefined)),
          result: record,
          progress: null,
        }));
        message.toolCalls = [...(message.toolCalls ?? []).filter((t) => t.toolCallId !== record.toolCallId), record];
        break;
      }
      case 'citations':
        // Comes before the text; one array for the whole answer, so memoized views keep it by identity.
        message.citations = part.citations;
        break;
      case 'step-start':
      case 'step-delta':
      case 'step-end':
        message.steps = applyStepPart(message.steps ?? [], part);
        retry = null;
        queued = null;
        break;
      case 'condensed':
        message.condensed = { retrievedTokens: part.retrievedTokens, sentTokens: part.sentTokens, localOnlyWithheld: part.localOnlyWithheld };
        break;
    }
  }
  message.text = text;
  return { message, reasoning, retry, tools, queued };
}

/** The message's final state once its stream ended. */
export function endMessage(message: ChatMessage, end: StreamEnd): ChatMessage {
  if (end.error?.code === 'DISCONNECTED') return { ...message, status: 'interrupted' };
  if (message.error) return { ...message, status: 'error' };
  if (end.status === 'failed') {
    const error = end.error ?? { code: 'GENERATION_FAILED', message: 'The answer failed' };
    return { ...message, status: 'error', error: { code: error.code === 'DISCONNECTED' ? 'INTERNAL' : error.code, message: error.message } };
  }
  if (end.status === 'cancelled' || message.finishReason === 'cancelled') {
    return { ...message, status: 'cancelled', finishReason: message.finishReason ?? 'cancelled' };
  }
  return { ...message, status: 'complete' };
}

/** The model that actually answered: the last fallback's, else Auto's pick, else the model the message was sent to. */
export function answeringModelId(message: ChatMessage): string | null {
  return message.fallbacks?.at(-1)?.nextModelId ?? message.route?.chosenModelId ?? message.modelId;
}

/** A copy of `messages` with the one of the same id replaced (searching from the end, where streams grow). */
export function replaceMessage(messages: readonly ChatMessage[], next: ChatMessage): ChatMessage[] {
  for (let i = messages.length - 1; i >= 0; i--) {
    if (messages[i]?.id === next.id) {
      const copy = messages.slice();
      copy[i] = next;
      return copy;
    }
  }
  return messages.slice();
}
