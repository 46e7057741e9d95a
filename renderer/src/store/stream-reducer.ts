import type { ChatMessage } from '../../../shared/ipc/domain';
import type { RetryPart, StreamPart } from '../../../shared/ipc/stream-parts';
import type { StreamEnd } from '../client/tandem-client';

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
}

/** Applies one frame's worth of parts to the assistant message, in order. */
export function applyParts(progress: { message: ChatMessage; reasoning: string; retry?: RetryPart | null }, parts: readonly StreamPart[]) {
  const message = { ...progress.message };
  let reasoning = progress.reasoning;
  let retry = progress.retry ?? null;
  let text = message.text;
  for (const part of parts) {
    switch (part.type) {
      case 'text-delta':
        text += part.text;
        retry = null;
        break;
      case 'reasoning-delta':
        reasoning += part.text;
        retry = null;
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
        break;
      case 'tool-call':
        retry = null;
        break;
      case 'citations':
        // Comes before the text; one array for the whole answer, so memoized views keep it by identity.
        message.citations = part.citations;
        break;
    }
  }
  message.text = text;
  return { message, reasoning, retry };
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
