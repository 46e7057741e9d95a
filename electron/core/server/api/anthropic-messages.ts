import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { FinishReason } from '../../../../shared/ipc/stream-parts';
import type { GenerateRequest, PromptMessage } from '../../models/language-model';
import { requestPromptTokens } from '../../providers/token-estimate';
import { ApiError, anthropicErrorBody } from './api-errors';
import { MAX_MESSAGES, MAX_OUTPUT_TOKENS, MAX_TEXT, MAX_TOOLS, ModelIdSchema, toolDefinitions } from './chat-request';
import { routeHeaders } from './chat-completions';
import type { EndpointContext } from './endpoint';
import { parseBody, sendJson, SseWriter } from './http-io';
import { canonicalModelId, ModelTurn } from './model-turn';

const Text = z.string().max(MAX_TEXT);
const TextBlock = z.object({ type: z.literal('text'), text: Text }).passthrough();
const ToolUseBlock = z.object({ type: z.literal('tool_use'), id: z.string().min(1).max(256), name: z.string().min(1).max(256), input: z.unknown() }).passthrough();
const ToolResultBlock = z
  .object({
    type: z.literal('tool_result'),
    tool_use_id: z.string().min(1).max(256),
    content: z.union([Text, z.array(z.union([TextBlock, z.object({ type: z.literal('image') }).passthrough()])).max(1024)]).optional(),
    is_error: z.boolean().optional(),
  })
  .passthrough();
const Block = z.discriminatedUnion('type', [
  TextBlock,
  ToolUseBlock,
  ToolResultBlock,
  z.object({ type: z.literal('image') }).passthrough(),
  z.object({ type: z.literal('document') }).passthrough(),
  z.object({ type: z.literal('thinking') }).passthrough(),
  z.object({ type: z.literal('redacted_thinking') }).passthrough(),
]);

export const MessagesRequestSchema = z.object({
  model: ModelIdSchema,
  max_tokens: z.number().int().min(1).max(MAX_OUTPUT_TOKENS),
  messages: z
    .array(z.object({ role: z.enum(['user', 'assistant']), content: z.union([Text, z.array(Block).max(1024)]) }))
    .min(1)
    .max(MAX_MESSAGES),
  system: z.union([Text, z.array(TextBlock).max(1024)]).optional(),
  tools: z
    .array(
      z.object({
        name: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, 'must be 1-128 letters, digits, _ or -'),
        description: z.string().max(16_384).optional(),
        input_schema: z.record(z.string(), z.unknown()),
        type: z.string().optional(),
      }),
    )
    .max(MAX_TOOLS)
    .optional(),
  tool_choice: z
    .discriminatedUnion('type', [
      z.object({ type: z.literal('auto') }).passthrough(),
      z.object({ type: z.literal('any') }).passthrough(),
      z.object({ type: z.literal('none') }).passthrough(),
      z.object({ type: z.literal('tool'), name: z.string().min(1).max(128) }).passthrough(),
    ])
    .optional(),
  stop_sequences: z.array(z.string().min(1).max(1024)).max(16).optional(),
  temperature: z.number().min(0).max(1).optional(),
  top_p: z.number().min(0).max(1).optional(),
  top_k: z.number().int().min(0).max(100_000).optional(),
  stream: z.boolean().optional(),
  metadata: z.object({ user_id: z.string().max(512).nullish() }).passthrough().optional(),
});
type MessagesRequest = z.infer<typeof MessagesRequestSchema>;

function unsupported(type: string, param: string): ApiError {
  return new ApiError(400, `Content blocks of type '${type}' are not supported; send text, tool_use and tool_result.`, 'invalid_request_error', 'unsupported_content', param);
}

function toPromptMessages(body: Pick<MessagesRequest, 'messages'>): PromptMessage[] {
  const messages: PromptMessage[] = [];
  const toolNames = new Map<string, string>();
  body.messages.forEach((message, index) => {
    if (typeof message.content === 'string') {
      messages.push({ role: message.role, text: message.content });
      return;
    }
    let text = '';
    const calls: { toolCallId: string; toolName: string; args: unknown }[] = [];
    message.content.forEach((block, blockIndex) => {
      const param = `messages[${index}].content[${blockIndex}]`;
      if (block.type === 'text') text += block.text;
      else if (block.type === 'thinking' || block.type === 'redacted_thinking') return;
      else if (block.type === 'tool_use') {
        if (message.role !== 'assistant') throw new ApiError(400, 'tool_use blocks belong in assistant messages.', 'invalid_request_error', 'invalid_value', `${param}.type`);
        toolNames.set(block.id, block.name);
        calls.push({ toolCallId: block.id, toolName: block.name, args: block.input ?? {} });
      } else if (block.type === 'tool_result') {
        if (message.role !== 'user') throw new ApiError(400, 'tool_result blocks belong in user messages.', 'invalid_request_error', 'invalid_value', `${param}.type`);
        const content = block.content;
        const result =
          content === undefined
            ? ''
            : typeof content === 'string'
              ? content
              : content
                  .map((c, i) => {
                    if (c.type !== 'text') throw unsupported(c.type, `${param}.content[${i}].type`);
                    return (c as { text: string }).text;
                  })
                  .join('');
        messages.push({ role: 'tool', toolCallId: block.tool_use_id, toolName: toolNames.get(block.tool_use_id) ?? '', result: block.is_error ? `Error: ${result}` : result });
      } else throw unsupported(block.type, `${param}.type`);
    });
    if (message.role === 'assistant') messages.push({ role: 'assistant', text, ...(calls.length ? { toolCalls: calls } : {}) });
    else if (text !== '' || !message.content.some((b) => b.type === 'tool_result')) messages.push({ role: 'user', text });
  });
  return messages;
}

function systemText(system: MessagesRequest['system']): string | undefined {
  if (system === undefined) return undefined;
  return (typeof system === 'string' ? system : system.map((b) => b.text).join('\n')) || undefined;
}

/** The most text count_tokens tokenizes (about 1 MB). */
export const MAX_COUNT_TOKENS_CHARS = 1_000_000;

const CountTokensRequestSchema = MessagesRequestSchema.omit({ max_tokens: true, stream: true });

/**
 * POST /v1/messages/count_tokens (Claude Code and other clients ask it before
 * sending): an estimate with an o200k tokenizer plus the chat framing, not the
 * answering model's own tokenizer.
 */
export async function anthropicCountTokens(ctx: EndpointContext): Promise<void> {
  const body = parseBody(CountTokensRequestSchema, await ctx.body());
  const messages = toPromptMessages(body);
  const tools = body.tools?.length ? JSON.stringify(body.tools) : '';
  const system = [systemText(body.system), tools].filter(Boolean).join('\n');
  // Tokenizing is synchronous: a bound keeps one request from holding the server for seconds.
  let chars = system.length;
  for (const m of messages) chars += m.role === 'tool' ? String(m.result).length : m.text.length;
  if (chars > MAX_COUNT_TOKENS_CHARS) {
    throw new ApiError(413, `count_tokens counts at most ${MAX_COUNT_TOKENS_CHARS} characters of text; this request has ${chars}.`, 'invalid_request_error', 'request_too_large');
  }
  sendJson(ctx.res, 200, { input_tokens: requestPromptTokens({ messages, systemPrompt: system || undefined }) }, ctx.baseHeaders);
}

function stopReason(reason: FinishReason | null, hasToolCalls: boolean): string {
  if (hasToolCalls || reason === 'tool-calls') return 'tool_use';
  if (reason === 'length') return 'max_tokens';
  if (reason === 'content-filter') return 'refusal';
  return 'end_turn';
}

/** POST /v1/messages: Anthropic's Messages API (stream and not, tools). */
export async function anthropicMessages(ctx: EndpointContext): Promise<void> {
  const body = parseBody(MessagesRequestSchema, await ctx.body());
  const request: GenerateRequest = {
    messages: toPromptMessages(body),
    systemPrompt: systemText(body.system),
    maxTokens: body.max_tokens,
    temperature: body.temperature,
    topP: body.top_p,
    topK: body.top_k,
    stopStrings: body.stop_sequences?.length ? body.stop_sequences : undefined,
  };
  const choice = body.tool_choice;
  if (body.tools?.length && choice?.type !== 'none') {
    request.tools = toolDefinitions(body.tools.map((t) => ({ name: t.name, description: t.description, parameters: t.input_schema })));
    if (choice?.type === 'any') request.toolChoice = 'required';
    else if (choice?.type === 'tool') {
      if (!body.tools.some((t) => t.name === choice.name)) throw new ApiError(400, `tool_choice names '${choice.name}', which is not among the tools.`, 'invalid_request_error', 'invalid_value', 'tool_choice.name');
      request.toolChoice = { name: choice.name };
    }
  }
  const turn = new ModelTurn(ctx.core, canonicalModelId(body.model), request, ctx.signal);
  ctx.track(turn);
  await turn.open();
  const id = `msg_${randomUUID().replace(/-/g, '')}`;
  if (!body.stream) {
    await turn.collect();
    const content: Record<string, unknown>[] = [];
    if (turn.text) content.push({ type: 'text', text: turn.text });
    for (const call of turn.toolCalls) content.push({ type: 'tool_use', id: call.id, name: call.name, input: call.args ?? {} });
    sendJson(
      ctx.res,
      200,
      {
        id,
        type: 'message',
        role: 'assistant',
        model: turn.answeredModel,
        content,
        stop_reason: stopReason(turn.finishReason, turn.toolCalls.length > 0),
        stop_sequence: null,
        usage: { input_tokens: turn.usage.inputTokens, output_tokens: turn.usage.outputTokens },
      },
      routeHeaders(ctx, turn),
    );
    return;
  }
  const sse = new SseWriter(ctx.res);
  sse.open(routeHeaders(ctx, turn));
  const emit = (type: string, payload: Record<string, unknown>) => sse.event(type, { type, ...payload });
  emit('message_start', {
    message: { id, type: 'message', role: 'assistant', model: turn.answeredModel, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: turn.usage.inputTokens, output_tokens: 0 } },
  });
  let index = -1;
  let textOpen = false;
  let toolCalls = 0;
  const closeText = () => {
    if (!textOpen) return;
    emit('content_block_stop', { index });
    textOpen = false;
  };
  for await (const part of turn.parts()) {
    if (part.type === 'text') {
      if (!textOpen) {
        index++;
        textOpen = true;
        emit('content_block_start', { index, content_block: { type: 'text', text: '' } });
      }
      emit('content_block_delta', { index, delta: { type: 'text_delta', text: part.text } });
    } else if (part.type === 'tool-call') {
      closeText();
      index++;
      toolCalls++;
      emit('content_block_start', { index, content_block: { type: 'tool_use', id: part.id, name: part.name, input: {} } });
      emit('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: JSON.stringify(part.args ?? {}) } });
      emit('content_block_stop', { index });
    } else if (part.type === 'error') {
      closeText();
      emit('error', anthropicErrorBody(part.error));
      sse.end();
      return;
    } else {
      closeText();
    }
  }
  emit('message_delta', { delta: { stop_reason: stopReason(turn.finishReason, toolCalls > 0), stop_sequence: null }, usage: { input_tokens: turn.usage.inputTokens, output_tokens: turn.usage.outputTokens } });
  emit('message_stop', {});
  sse.end();
}
