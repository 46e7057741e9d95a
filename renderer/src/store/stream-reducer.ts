import type { ChatMessage } from '../../../shared/ipc/domain';
import type { StreamPart } from '../../../shared/ipc/stream-parts';
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
}

/** Applies one frame's worth of parts to the assistant message, in order. */
export function applyParts(progress: { message: ChatMessage; reasoning: string }, parts: readonly StreamPart[]) {
  const message = { ...progress.message };
  let reasoning = progress.reasoning;
  let text = message.text;
  for (const part of parts) {
    switch (part.type) {
      case 'text-delta':
        text += part.text;
        break;
      case 'reasoning-delta':
        reasoning += part.text;
        break;
      case 'usage':
        message.usage = part.usage;
        break;
      case 'finish':
        message.finishReason = part.reason;
        break;
      case 'error':
        message.error = { code: part.code, message: part.message };
        break;
      case 'tool-call':
        break;
    }
  }
  message.text = text;
  return { message, reasoning };
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
