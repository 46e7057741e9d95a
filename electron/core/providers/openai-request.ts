import type { ChatCompletionCreateParamsStreaming, ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import type { GenerateRequest, PromptMessage } from '../models/language-model';

/** The conversation in OpenAI's message shape: assistant tool calls and `tool` results included. */
export function toOpenAIMessages(request: GenerateRequest): ChatCompletionMessageParam[] {
  const messages: ChatCompletionMessageParam[] = [];
  if (request.systemPrompt) messages.push({ role: 'system', content: request.systemPrompt });
  for (const message of request.messages) {
    if (request.systemPrompt && message.role === 'system') continue; // the chat's system prompt replaces it
    messages.push(toOpenAIMessage(message));
  }
  return messages;
}

function toOpenAIMessage(message: PromptMessage): ChatCompletionMessageParam {
  switch (message.role) {
    case 'system':
    case 'user':
      return { role: message.role, content: message.text };
    case 'assistant':
      return {
        role: 'assistant',
        content: message.text,
        ...(message.toolCalls?.length
          ? {
              tool_calls: message.toolCalls.map((call) => ({
                id: call.toolCallId,
                type: 'function' as const,
                function: { name: call.toolName, arguments: JSON.stringify(call.args ?? {}) },
              })),
            }
          : {}),
      };
    case 'tool':
      return {
        role: 'tool',
        tool_call_id: message.toolCallId,
        content: typeof message.result === 'string' ? message.result : JSON.stringify(message.result),
      };
  }
}

/** Sampling, stop strings, JSON schema output and tools as OpenAI request fields (only those that are set). */
export function toOpenAIOptions(request: GenerateRequest): Partial<ChatCompletionCreateParamsStreaming> {
  const options: Partial<ChatCompletionCreateParamsStreaming> = {};
  if (request.maxTokens !== undefined) options.max_tokens = request.maxTokens;
  if (request.temperature !== undefined) options.temperature = request.temperature;
  if (request.topP !== undefined) options.top_p = request.topP;
  if (request.seed !== undefined) options.seed = request.seed;
  if (request.stopStrings?.length) options.stop = request.stopStrings.slice(0, 4);
  if (request.responseFormat?.type === 'json_schema') {
    options.response_format = { type: 'json_schema', json_schema: { name: 'response', schema: request.responseFormat.schema, strict: true } };
  }
  if (request.tools?.length) {
    options.tools = request.tools.map((tool) => ({
      type: 'function' as const,
      function: { name: tool.name, description: tool.description, parameters: tool.parameters ?? { type: 'object', properties: {} } },
    }));
    const choice = request.toolChoice;
    if (choice === 'required') options.tool_choice = 'required';
    else if (choice && typeof choice === 'object') options.tool_choice = { type: 'function', function: { name: choice.name } };
  }
  return options;
}

/** The text a message contributes to a token estimate. */
export function messageText(message: PromptMessage): string {
  if (message.role === 'tool') return typeof message.result === 'string' ? message.result : JSON.stringify(message.result ?? null);
  if (message.role === 'assistant' && message.toolCalls?.length) return message.text + JSON.stringify(message.toolCalls);
  return message.text;
}
