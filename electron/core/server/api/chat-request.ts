import { z } from 'zod';
import type { GenerateRequest, PromptMessage, ToolDefinition } from '../../models/language-model';
import { ApiError } from './api-errors';
import { canonicalModelId } from './model-turn';

/* Bounds that keep one request from exhausting the server; generous for real clients. */
export const MAX_MESSAGES = 2048;
export const MAX_TEXT = 4 * 1024 * 1024;
export const MAX_TOOLS = 128;
export const MAX_OUTPUT_TOKENS = 1_000_000;

const Text = z.string().max(MAX_TEXT);
export const ModelIdSchema = z.string().trim().min(1).max(512);
const JsonSchemaObject = z.record(z.string(), z.unknown());

const TextPart = z.object({ type: z.literal('text'), text: Text });
const ContentPart = z.discriminatedUnion('type', [
  TextPart,
  z.object({ type: z.literal('image_url') }).passthrough(),
  z.object({ type: z.literal('input_audio') }).passthrough(),
  z.object({ type: z.literal('file') }).passthrough(),
  z.object({ type: z.literal('refusal'), refusal: Text }),
]);
const Content = z.union([Text, z.array(ContentPart).max(1024)]);

const ToolCallSchema = z.object({
  id: z.string().min(1).max(256),
  type: z.literal('function').optional(),
  function: z.object({ name: z.string().min(1).max(256), arguments: z.string().max(MAX_TEXT) }),
});

const MessageSchema = z.discriminatedUnion('role', [
  z.object({ role: z.enum(['system', 'developer']), content: Content, name: z.string().max(256).optional() }),
  z.object({ role: z.literal('user'), content: Content, name: z.string().max(256).optional() }),
  z.object({
    role: z.literal('assistant'),
    content: Content.nullish(),
    tool_calls: z.array(ToolCallSchema).max(MAX_TOOLS).optional(),
    refusal: z.string().nullish(),
    name: z.string().max(256).optional(),
  }),
  z.object({ role: z.literal('tool'), tool_call_id: z.string().min(1).max(256), content: Content }),
]);

export const FunctionToolSchema = z.object({
  type: z.literal('function'),
  function: z.object({
    name: z.string().regex(/^[A-Za-z0-9_.-]{1,128}$/, 'must be 1-128 letters, digits, _ . or -'),
    description: z.string().max(16_384).optional(),
    parameters: JsonSchemaObject.optional(),
    strict: z.boolean().nullish(),
  }),
});

const ToolChoice = z.union([
  z.enum(['none', 'auto', 'required']),
  z.object({ type: z.literal('function'), function: z.object({ name: z.string().min(1).max(128) }) }),
]);

const ResponseFormat = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text') }),
  z.object({ type: z.literal('json_object') }),
  z.object({
    type: z.literal('json_schema'),
    json_schema: z.object({ name: z.string().max(256).optional(), description: z.string().optional(), schema: JsonSchemaObject.optional(), strict: z.boolean().nullish() }),
  }),
]);

const Stop = z.union([z.string().min(1).max(1024), z.array(z.string().min(1).max(1024)).max(16)]).nullish();
const MaxTokens = z.number().int().min(1).max(MAX_OUTPUT_TOKENS).nullish();

/** Sampling fields shared by chat completions and completions. */
const SamplingShape = {
  model: ModelIdSchema,
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  max_tokens: MaxTokens,
  max_completion_tokens: MaxTokens,
  stop: Stop,
  seed: z.number().int().min(-(2 ** 53)).max(2 ** 53).nullish(),
  n: z.number().int().min(1).max(128).nullish(),
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).nullish(),
  user: z.string().max(512).optional(),
};

export const ChatCompletionRequestSchema = z.object({
  ...SamplingShape,
  messages: z.array(MessageSchema).min(1).max(MAX_MESSAGES),
  tools: z.array(FunctionToolSchema).max(MAX_TOOLS).nullish(),
  tool_choice: ToolChoice.nullish(),
  response_format: ResponseFormat.nullish(),
});
export type ChatCompletionRequest = z.infer<typeof ChatCompletionRequestSchema>;

export const CompletionRequestSchema = z.object({
  ...SamplingShape,
  prompt: z.union([Text, z.array(Text).length(1)]),
  echo: z.boolean().nullish(),
  suffix: z.string().nullish(),
});
export type CompletionRequest = z.infer<typeof CompletionRequestSchema>;

/** A permissive object schema: what `json_object` asks for. */
export const ANY_JSON_OBJECT_SCHEMA: Record<string, unknown> = { type: 'object', additionalProperties: true };

function contentText(content: z.infer<typeof Content> | null | undefined, param: string): string {
  if (content == null) return '';
  if (typeof content === 'string') return content;
  return content
    .map((part, index) => {
      if (part.type === 'text') return part.text;
      if (part.type === 'refusal') return part.refusal;
      throw new ApiError(400, `Content parts of type '${part.type}' are not supported; send text.`, 'invalid_request_error', 'unsupported_content', `${param}[${index}].type`);
    })
    .join('');
}

function parseArguments(text: string, param: string): unknown {
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ApiError(400, 'Tool call arguments must be a JSON string.', 'invalid_request_error', 'invalid_value', param);
  }
}

/** OpenAI's n, checked for every endpoint that has it: one choice only. */
export function checkSingleChoice(n: number | null | undefined): void {
  if (n != null && n !== 1) throw new ApiError(400, 'Only n=1 is supported.', 'invalid_request_error', 'invalid_value', 'n');
}

export function samplingOf(body: Pick<ChatCompletionRequest, 'temperature' | 'top_p' | 'max_tokens' | 'max_completion_tokens' | 'stop' | 'seed'>, defaultMaxTokens: number): Partial<GenerateRequest> {
  const stop = body.stop == null ? undefined : Array.isArray(body.stop) ? body.stop : [body.stop];
  return {
    temperature: body.temperature ?? undefined,
    topP: body.top_p ?? undefined,
    maxTokens: body.max_completion_tokens ?? body.max_tokens ?? defaultMaxTokens,
    stopStrings: stop?.length ? stop : undefined,
    seed: body.seed ?? undefined,
  };
}

export function toolDefinitions(tools: { name: string; description?: string; parameters?: Record<string, unknown> }[]): ToolDefinition[] {
  return tools.map((tool) => ({
    name: tool.name,
    description: tool.description,
    parameters: tool.parameters ?? { type: 'object', properties: {} },
  }));
}

/** An OpenAI chat completion request as the GenerateRequest every model takes. */
export function chatToGenerateRequest(body: ChatCompletionRequest, defaultMaxTokens: number): { modelId: string; request: GenerateRequest } {
  checkSingleChoice(body.n);
  const toolNames = new Map<string, string>();
  const messages: PromptMessage[] = body.messages.map((message, index): PromptMessage => {
    const param = `messages[${index}].content`;
    switch (message.role) {
      case 'system':
      case 'developer':
        return { role: 'system', text: contentText(message.content, param) };
      case 'user':
        return { role: 'user', text: contentText(message.content, param) };
      case 'assistant': {
        const toolCalls = (message.tool_calls ?? []).map((call, callIndex) => {
          toolNames.set(call.id, call.function.name);
          return { toolCallId: call.id, toolName: call.function.name, args: parseArguments(call.function.arguments, `messages[${index}].tool_calls[${callIndex}].function.arguments`) };
        });
        return { role: 'assistant', text: contentText(message.content, param), ...(toolCalls.length ? { toolCalls } : {}) };
      }
      case 'tool':
        return { role: 'tool', toolCallId: message.tool_call_id, toolName: toolNames.get(message.tool_call_id) ?? '', result: contentText(message.content, param) };
    }
  });
  const request: GenerateRequest = { messages, ...samplingOf(body, defaultMaxTokens) };
  const choice = body.tool_choice;
  if (body.tools?.length && choice !== 'none') {
    request.tools = toolDefinitions(body.tools.map((t) => t.function));
    if (choice === 'required') request.toolChoice = 'required';
    else if (choice && typeof choice === 'object') {
      if (!body.tools.some((t) => t.function.name === choice.function.name)) {
        throw new ApiError(400, `tool_choice names '${choice.function.name}', which is not among the tools.`, 'invalid_request_error', 'invalid_value', 'tool_choice');
      }
      request.toolChoice = { name: choice.function.name };
    }
  } else if (choice && choice !== 'none' && choice !== 'auto') {
    throw new ApiError(400, 'tool_choice needs tools.', 'invalid_request_error', 'invalid_value', 'tool_choice');
  }
  const format = body.response_format;
  if (format?.type === 'json_object') request.responseFormat = { type: 'json_schema', schema: ANY_JSON_OBJECT_SCHEMA };
  else if (format?.type === 'json_schema') request.responseFormat = { type: 'json_schema', schema: format.json_schema.schema ?? ANY_JSON_OBJECT_SCHEMA };
  if (request.tools?.length && request.responseFormat) {
    throw new ApiError(400, 'A request can ask for tools or for a JSON response_format, not both.', 'invalid_request_error', 'invalid_value', 'response_format');
  }
  return { modelId: canonicalModelId(body.model), request };
}
