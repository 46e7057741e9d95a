import { countTokens } from 'gpt-tokenizer';
import type { GenerateRequest, PromptMessage } from '../models/language-model';
import { messageText } from './openai-request';

/**
 * Tokens a prompt will take, estimated with the o200k tokenizer plus a few per
 * message for the chat framing. For budgeting before sending only: the provider's usage is the truth.
 */
export function estimatePromptTokens(messages: readonly PromptMessage[]): number {
  let total = 3;
  for (const message of messages) total += 4 + countTokens(messageText(message));
  return total;
}

/** Tokens a whole request's prompt will take: its messages and its system prompt (which carries retrieved sources). */
export function requestPromptTokens(request: Pick<GenerateRequest, 'messages' | 'systemPrompt'>): number {
  return estimatePromptTokens(request.systemPrompt ? [{ role: 'system', text: request.systemPrompt }, ...request.messages] : request.messages);
}
