import type { ChatMessage } from '../../../shared/ipc/domain';
import type { ToolCallStatus } from '../../../shared/ipc/stream-parts';
import type { PromptMessage } from '../models/language-model';
import { truncateForModel } from './result-text';
import { modelToolName } from './tool-names';

/** What the model is told when the user says no; it carries on without the tool. */
export const DENIED_FOR_MODEL = 'The user denied this tool call.';

/**
 * The text the model gets for a tool call's outcome: the result (cut to
 * `maxChars` with a notice when huge), or a sentence saying why there is none.
 */
export function resultForModel(status: ToolCallStatus, result: string, maxChars: number): { text: string; truncated: boolean } {
  switch (status) {
    case 'done':
      return truncateForModel(result, maxChars);
    case 'error':
      return truncateForModel(`The tool call failed: ${result}`, maxChars);
    case 'denied':
      return { text: DENIED_FOR_MODEL, truncated: false };
    case 'timeout':
      return { text: `The tool call timed out${result ? `: ${result}` : '.'}`, truncated: false };
    case 'cancelled':
      return { text: 'The tool call was cancelled.', truncated: false };
  }
}

/**
 * A saved message as prompt messages. An answer that called tools becomes
 * its calls, their results, then its text, so a later turn sees what the
 * tools said (results cut for the model as they were when first given).
 */
export function promptFromMessage(message: ChatMessage, maxToolResultChars: number): PromptMessage[] {
  const calls = message.role === 'assistant' ? (message.toolCalls ?? []) : [];
  if (calls.length === 0) return [{ role: message.role, text: message.text }];
  const prompt: PromptMessage[] = [
    {
      role: 'assistant',
      text: '',
      toolCalls: calls.map((call) => ({ toolCallId: call.toolCallId, toolName: modelToolName(call.server, call.toolName), args: call.args ?? {} })),
    },
    ...calls.map(
      (call): PromptMessage => ({
        role: 'tool',
        toolCallId: call.toolCallId,
        toolName: modelToolName(call.server, call.toolName),
        result: resultForModel(call.status, call.result, maxToolResultChars).text,
      }),
    ),
  ];
  if (message.text.length > 0) prompt.push({ role: 'assistant', text: message.text });
  return prompt;
}
