import type { ContextPolicy } from '../../../shared/ipc/chat-settings';
import type { PromptMessage } from './language-model';

/** Chat-template framing per message (role markers, separators), counted on top of its text. */
const PER_MESSAGE_OVERHEAD_TOKENS = 8;

export interface TrimResult {
  messages: PromptMessage[];
  droppedMessages: number;
  droppedTokens: number;
}

/**
 * Drops the oldest turns until the prompt leaves `reserve` tokens free in a
 * context of `contextSize`. System messages stay, and so does everything from
 * the last user message on (the question being answered and any tool results
 * for it). When even that does not fit, it is returned as it is and the
 * runtime's own context shift has the last word.
 */
export function trimToContext(
  messages: PromptMessage[],
  options: { contextSize: number; maxTokens?: number; policy?: ContextPolicy; countTokens: (text: string) => number; fixedTokens?: number },
): TrimResult {
  const reserve = options.policy?.reserveTokens ?? Math.min(options.maxTokens ?? Infinity, Math.floor(options.contextSize / 4));
  const budget = options.contextSize - reserve - (options.fixedTokens ?? 0);
  const costs = messages.map((m) => options.countTokens(textOf(m)) + PER_MESSAGE_OVERHEAD_TOKENS);
  let total = costs.reduce((sum, cost) => sum + cost, 0);
  const lastUser = messages.findLastIndex((m) => m.role === 'user');
  const dropped = new Set<number>();
  let droppedTokens = 0;
  for (let i = 0; i < messages.length && total > budget; i++) {
    if (i >= lastUser) break;
    if (messages[i]!.role === 'system') continue;
    dropped.add(i);
    total -= costs[i]!;
    droppedTokens += costs[i]!;
  }
  // a tool result whose call was dropped means nothing alone
  const keptCalls = new Set<string>();
  messages.forEach((m, i) => {
    if (!dropped.has(i) && m.role === 'assistant') for (const call of m.toolCalls ?? []) keptCalls.add(call.toolCallId);
  });
  messages.forEach((m, i) => {
    if (!dropped.has(i) && m.role === 'tool' && !keptCalls.has(m.toolCallId)) {
      dropped.add(i);
      droppedTokens += costs[i]!;
    }
  });
  return { messages: messages.filter((_, i) => !dropped.has(i)), droppedMessages: dropped.size, droppedTokens };
}

function textOf(message: PromptMessage): string {
  if (message.role === 'tool') return JSON.stringify(message.result ?? null);
  if (message.role === 'assistant' && message.toolCalls?.length) return `${message.text}${JSON.stringify(message.toolCalls)}`;
  return message.text;
}
