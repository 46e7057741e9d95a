import type { CreateMessageRequest } from '@modelcontextprotocol/sdk/types.js';
import type { SamplingParams } from './types';

/** A server's `sampling/createMessage` params reduced to text messages (media described, not sent). */
export function samplingParamsFrom(params: CreateMessageRequest['params']): SamplingParams {
  const messages = params.messages.map((message) => {
    const blocks = (Array.isArray(message.content) ? message.content : [message.content]) as unknown as Record<string, unknown>[];
    const text = blocks
      .map((block) => {
        if (block.type === 'text') return String(block.text ?? '');
        if (block.type === 'image' || block.type === 'audio') return `[${block.type}: ${String(block.mimeType ?? 'unknown type')}]`;
        return `[${String(block.type)}]`;
      })
      .join('\n');
    return { role: message.role, text };
  });
  return {
    messages,
    systemPrompt: params.systemPrompt ?? null,
    maxTokens: params.maxTokens,
    ...(params.temperature !== undefined ? { temperature: params.temperature } : {}),
    ...(params.stopSequences ? { stopSequences: params.stopSequences } : {}),
  };
}
