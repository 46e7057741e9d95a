import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { GenerateRequest, PromptMessage } from '../../models/language-model';
import { ApiError } from './api-errors';
import { ANY_JSON_OBJECT_SCHEMA, MAX_MESSAGES, MAX_OUTPUT_TOKENS, MAX_TEXT, MAX_TOOLS, ModelIdSchema, toolDefinitions } from './chat-request';
import { routeHeaders } from './chat-completions';
import { unixNow, type EndpointContext } from './endpoint';
import { parseBody, sendJson, SseWriter } from './http-io';
import { canonicalModelId, ModelTurn } from './model-turn';

const Text = z.string().max(MAX_TEXT);
const InputContentPart = z.discriminatedUnion('type', [
  z.object({ type: z.literal('input_text'), text: Text }),
  z.object({ type: z.literal('output_text'), text: Text }).passthrough(),
  z.object({ type: z.literal('refusal'), refusal: Text }),
  z.object({ type: z.literal('input_image') }).passthrough(),
  z.object({ type: z.literal('input_file') }).passthrough(),
]);
const MessageItem = z.object({
  type: z.literal('message').optional(),
  role: z.enum(['user', 'assistant', 'system', 'developer']),
  content: z.union([Text, z.array(InputContentPart).max(1024)]),
  id: z.string().optional(),
  status: z.string().optional(),
});
const FunctionCallItem = z.object({
  type: z.literal('function_call'),
  call_id: z.string().min(1).max(256),
  name: z.string().min(1).max(256),
  arguments: z.string().max(MAX_TEXT),
  id: z.string().optional(),
  status: z.string().optional(),
});
const FunctionCallOutputItem = z.object({
  type: z.literal('function_call_output'),
  call_id: z.string().min(1).max(256),
  output: z.union([Text, z.array(InputContentPart).max(1024)]),
  id: z.string().optional(),
  status: z.string().optional(),
});
const InputItem = z.union([MessageItem, FunctionCallItem, FunctionCallOutputItem]);

const FunctionTool = z.object({
  type: z.literal('function'),
  name: z.string().regex(/^[A-Za-z0-9_.-]{1,128}$/, 'must be 1-128 letters, digits, _ . or -'),
  description: z.string().max(16_384).nullish(),
  parameters: z.record(z.string(), z.unknown()).nullish(),
  strict: z.boolean().nullish(),
});

const TextFormat = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text') }),
  z.object({ type: z.literal('json_object') }),
  z.object({ type: z.literal('json_schema'), name: z.string().max(256).optional(), schema: z.record(z.string(), z.unknown()), strict: z.boolean().nullish() }),
]);

export const ResponsesRequestSchema = z.object({
  model: ModelIdSchema,
  input: z.union([Text, z.array(InputItem).min(1).max(MAX_MESSAGES)]),
  instructions: Text.nullish(),
  tools: z.array(FunctionTool).max(MAX_TOOLS).nullish(),
  tool_choice: z.union([z.enum(['none', 'auto', 'required']), z.object({ type: z.literal('function'), name: z.string().min(1).max(128) })]).nullish(),
  previous_response_id: z.string().min(1).max(256).nullish(),
  stream: z.boolean().nullish(),
  max_output_tokens: z.number().int().min(1).max(MAX_OUTPUT_TOKENS).nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  text: z.object({ format: TextFormat.optional() }).nullish(),
  store: z.boolean().nullish(),
  metadata: z.record(z.string(), z.string().max(512)).nullish(),
});
type ResponsesRequest = z.infer<typeof ResponsesRequestSchema>;

function partsText(content: string | z.infer<typeof InputContentPart>[], param: string): string {
  if (typeof content === 'string') return content;
  return content
    .map((part, index) => {
      if (part.type === 'input_text' || part.type === 'output_text') return part.text;
      if (part.type === 'refusal') return part.refusal;
      throw new ApiError(400, `Content of type '${part.type}' is not supported; send text.`, 'invalid_request_error', 'unsupported_content', `${param}[${index}].type`);
    })
    .join('');
}

function inputMessages(input: ResponsesRequest['input'], history: PromptMessage[]): PromptMessage[] {
  if (typeof input === 'string') return [{ role: 'user', text: input }];
  const messages: PromptMessage[] = [];
  const toolNames = new Map<string, string>();
  for (const message of history) if (message.role === 'assistant') for (const call of message.toolCalls ?? []) toolNames.set(call.toolCallId, call.toolName);
  input.forEach((item, index) => {
    if (item.type === 'function_call') {
      let args: unknown;
      try {
        args = item.arguments.trim() ? JSON.parse(item.arguments) : {};
      } catch {
        throw new ApiError(400, 'Function call arguments must be a JSON string.', 'invalid_request_error', 'invalid_value', `input[${index}].arguments`);
      }
      toolNames.set(item.call_id, item.name);
      const last = messages.at(-1);
      const call = { toolCallId: item.call_id, toolName: item.name, args };
      if (last?.role === 'assistant') last.toolCalls = [...(last.toolCalls ?? []), call];
      else messages.push({ role: 'assistant', text: '', toolCalls: [call] });
    } else if (item.type === 'function_call_output') {
      messages.push({ role: 'tool', toolCallId: item.call_id, toolName: toolNames.get(item.call_id) ?? '', result: partsText(item.output, `input[${index}].output`) });
    } else {
      const text = partsText(item.content, `input[${index}].content`);
      const role = item.role === 'developer' ? 'system' : item.role;
      messages.push(role === 'assistant' ? { role, text } : { role, text });
    }
  });
  return messages;
}

interface OutputItem {
  id: string;
  type: 'message' | 'function_call';
  [key: string]: unknown;
}

/** POST /v1/responses: text and function tools, `previous_response_id` within the server's lifetime. */
export async function responses(ctx: EndpointContext): Promise<void> {
  const body = parseBody(ResponsesRequestSchema, await ctx.body());
  let history: PromptMessage[] = [];
  if (body.previous_response_id) {
    const previous = ctx.responses.get(body.previous_response_id, ctx.caller.keyId);
    if (!previous) {
      throw new ApiError(404, `Previous response with id '${body.previous_response_id}' not found.`, 'invalid_request_error', 'previous_response_not_found', 'previous_response_id');
    }
    history = previous.messages;
  }
  const newMessages = inputMessages(body.input, history);
  const conversation = [...history, ...newMessages];
  const request: GenerateRequest = {
    messages: conversation,
    systemPrompt: body.instructions ?? undefined,
    temperature: body.temperature ?? undefined,
    topP: body.top_p ?? undefined,
    maxTokens: body.max_output_tokens ?? ctx.core.settings.get().maxTokens,
  };
  const choice = body.tool_choice;
  if (body.tools?.length && choice !== 'none') {
    request.tools = toolDefinitions(body.tools.map((t) => ({ name: t.name, description: t.description ?? undefined, parameters: t.parameters ?? undefined })));
    if (choice === 'required') request.toolChoice = 'required';
    else if (choice && typeof choice === 'object') {
      if (!body.tools.some((t) => t.name === choice.name)) throw new ApiError(400, `tool_choice names '${choice.name}', which is not among the tools.`, 'invalid_request_error', 'invalid_value', 'tool_choice');
      request.toolChoice = { name: choice.name };
    }
  }
  const format = body.text?.format;
  if (format?.type === 'json_object') request.responseFormat = { type: 'json_schema', schema: ANY_JSON_OBJECT_SCHEMA };
  else if (format?.type === 'json_schema') request.responseFormat = { type: 'json_schema', schema: format.schema };
  if (request.tools?.length && request.responseFormat) throw new ApiError(400, 'A request can ask for tools or for a JSON text format, not both.', 'invalid_request_error', 'invalid_value', 'text.format');

  const turn = new ModelTurn(ctx.core, canonicalModelId(body.model), request, ctx.signal);
  ctx.track(turn);
  await turn.open();
  const id = `resp_${randomUUID().replace(/-/g, '')}`;
  const createdAt = unixNow();
  const output: OutputItem[] = [];
  const responseObject = (status: 'in_progress' | 'completed' | 'incomplete' | 'failed', error: { code: string; message: string } | null = null) => {
    const text = output
      .filter((item) => item.type === 'message')
      .flatMap((item) => (item.content as { text: string }[]).map((c) => c.text))
      .join('');
    return {
      id,
      object: 'response',
      created_at: createdAt,
      status,
      error,
      incomplete_details: status === 'incomplete' ? { reason: 'max_output_tokens' } : null,
      instructions: body.instructions ?? null,
      max_output_tokens: body.max_output_tokens ?? null,
      model: turn.answeredModel,
      output: status === 'in_progress' ? [] : output,
      output_text: text,
      parallel_tool_calls: true,
      previous_response_id: body.previous_response_id ?? null,
      reasoning: null,
      store: body.store ?? true,
      temperature: body.temperature ?? null,
      top_p: body.top_p ?? null,
      text: { format: format ?? { type: 'text' } },
      tool_choice: choice ?? 'auto',
      tools: body.tools ?? [],
      truncation: 'disabled',
      usage:
        status === 'in_progress'
          ? null
          : {
              input_tokens: turn.usage.inputTokens,
              input_tokens_details: { cached_tokens: 0 },
              output_tokens: turn.usage.outputTokens,
              output_tokens_details: { reasoning_tokens: 0 },
              total_tokens: turn.usage.inputTokens + turn.usage.outputTokens,
            },
      metadata: body.metadata ?? {},
    };
  };
  const remember = () => {
    const assistant: PromptMessage = {
      role: 'assistant',
      text: turn.text,
      ...(turn.toolCalls.length ? { toolCalls: turn.toolCalls.map((c) => ({ toolCallId: c.id, toolName: c.name, args: c.args })) } : {}),
    };
    if (body.store !== false) ctx.responses.put(id, { keyId: ctx.caller.keyId, messages: [...conversation, assistant], instructions: body.instructions ?? null });
  };
  const finalStatus = () => (turn.finishReason === 'length' && turn.toolCalls.length === 0 ? 'incomplete' : 'completed');
  const messageItem = (text: string, status: string) => ({
    id: `msg_${randomUUID().replace(/-/g, '')}`,
    type: 'message' as const,
    status,
    role: 'assistant',
    content: [{ type: 'output_text', text, annotations: [], logprobs: [] }],
  });
  const callItem = (call: { id: string; name: string; args: unknown }, status: string) => ({
    id: `fc_${randomUUID().replace(/-/g, '')}`,
    type: 'function_call' as const,
    status,
    call_id: call.id,
    name: call.name,
    arguments: JSON.stringify(call.args ?? {}),
  });

  if (!body.stream) {
    await turn.collect();
    if (turn.text) output.push(messageItem(turn.text, 'completed'));
    for (const call of turn.toolCalls) output.push(callItem(call, 'completed'));
    remember();
    sendJson(ctx.res, 200, responseObject(finalStatus()), routeHeaders(ctx, turn));
    return;
  }

  const sse = new SseWriter(ctx.res);
  sse.open(routeHeaders(ctx, turn));
  let sequence = 0;
  const emit = (type: string, payload: Record<string, unknown>) => sse.event(type, { type, sequence_number: sequence++, ...payload });
  emit('response.created', { response: responseObject('in_progress') });
  emit('response.in_progress', { response: responseObject('in_progress') });
  let message: { item: ReturnType<typeof messageItem>; index: number; text: string } | null = null;
  const closeMessage = () => {
    if (!message) return;
    const { item, index, text } = message;
    const part = { type: 'output_text', text, annotations: [], logprobs: [] };
    emit('response.output_text.done', { item_id: item.id, output_index: index, content_index: 0, text, logprobs: [] });
    emit('response.content_part.done', { item_id: item.id, output_index: index, content_index: 0, part });
    const done = { ...item, status: 'completed', content: [part] };
    output[index] = done;
    emit('response.output_item.done', { output_index: index, item: done });
    message = null;
  };
  for await (const part of turn.parts()) {
    if (part.type === 'text') {
      if (!message) {
        const item = messageItem('', 'in_progress');
        const index = output.length;
        output.push({ ...item, content: [] });
        message = { item, index, text: '' };
        emit('response.output_item.added', { output_index: index, item: { ...item, content: [] } });
        emit('response.content_part.added', { item_id: item.id, output_index: index, content_index: 0, part: { type: 'output_text', text: '', annotations: [], logprobs: [] } });
      }
      message.text += part.text;
      emit('response.output_text.delta', { item_id: message.item.id, output_index: message.index, content_index: 0, delta: part.text, logprobs: [] });
    } else if (part.type === 'tool-call') {
      closeMessage();
      const done = callItem(part, 'completed');
      const index = output.length;
      output.push(done);
      emit('response.output_item.added', { output_index: index, item: { ...done, status: 'in_progress', arguments: '' } });
      emit('response.function_call_arguments.delta', { item_id: done.id, output_index: index, delta: done.arguments });
      emit('response.function_call_arguments.done', { item_id: done.id, output_index: index, name: done.name, arguments: done.arguments });
      emit('response.output_item.done', { output_index: index, item: done });
    } else if (part.type === 'error') {
      closeMessage();
      emit('response.failed', { response: responseObject('failed', { code: part.error.code ?? 'server_error', message: part.error.message }) });
      sse.end();
      return;
    } else {
      closeMessage();
    }
  }
  remember();
  const status = finalStatus();
  emit(status === 'completed' ? 'response.completed' : 'response.incomplete', { response: responseObject(status) });
  sse.end();
}
