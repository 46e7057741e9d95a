import { randomUUID } from 'node:crypto';
import type { FinishReason } from '../../../../shared/ipc/stream-parts';
import { ApiError, openAIErrorBody } from './api-errors';
import { chatToGenerateRequest, ChatCompletionRequestSchema, checkSingleChoice, CompletionRequestSchema, samplingOf } from './chat-request';
import { unixNow, type EndpointContext } from './endpoint';
import { parseBody, sendJson, SseWriter } from './http-io';
import { canonicalModelId, ModelTurn, type ToolCallOut } from './model-turn';

export function openAIFinishReason(reason: FinishReason | null, hasToolCalls: boolean): string {
  if (hasToolCalls || reason === 'tool-calls') return 'tool_calls';
  if (reason === 'length') return 'length';
  if (reason === 'content-filter') return 'content_filter';
  return 'stop';
}

export function openAIUsage(turn: ModelTurn): { prompt_tokens: number; completion_tokens: number; total_tokens: number } {
  const { inputTokens, outputTokens } = turn.usage;
  return { prompt_tokens: inputTokens, completion_tokens: outputTokens, total_tokens: inputTokens + outputTokens };
}

export function routeHeaders(ctx: EndpointContext, turn: ModelTurn): Record<string, string> {
  return {
    ...ctx.baseHeaders,
    ...(turn.routeSummary ? { 'x-tandem-route': turn.routeSummary } : {}),
    'x-tandem-model': encodeURIComponent(turn.answeredModel),
    ...(turn.cacheHit ? { 'x-tandem-cache': 'hit' } : {}),
  };
}

function toolCallJson(call: ToolCallOut, index?: number) {
  return { ...(index === undefined ? {} : { index }), id: call.id, type: 'function' as const, function: { name: call.name, arguments: JSON.stringify(call.args ?? {}) } };
}

/** POST /v1/chat/completions */
export async function chatCompletions(ctx: EndpointContext): Promise<void> {
  const body = parseBody(ChatCompletionRequestSchema, await ctx.body());
  const { modelId, request } = chatToGenerateRequest(body, ctx.core.settings.get().maxTokens);
  const turn = new ModelTurn(ctx.core, modelId, request, ctx.signal);
  ctx.track(turn);
  await turn.open();
  const id = `chatcmpl-${randomUUID().replace(/-/g, '')}`;
  const created = unixNow();
  if (!body.stream) {
    await turn.collect();
    const hasTools = turn.toolCalls.length > 0;
    sendJson(
      ctx.res,
      200,
      {
        id,
        object: 'chat.completion',
        created,
        model: turn.answeredModel,
        system_fingerprint: null,
        choices: [
          {
            index: 0,
            message: {
              role: 'assistant',
              content: hasTools && turn.text === '' ? null : turn.text,
              refusal: null,
              ...(hasTools ? { tool_calls: turn.toolCalls.map((call) => toolCallJson(call)) } : {}),
            },
            logprobs: null,
            finish_reason: openAIFinishReason(turn.finishReason, hasTools),
          },
        ],
        usage: openAIUsage(turn),
      },
      routeHeaders(ctx, turn),
    );
    return;
  }
  const includeUsage = body.stream_options?.include_usage === true;
  const sse = new SseWriter(ctx.res);
  sse.open(routeHeaders(ctx, turn));
  const chunk = (delta: Record<string, unknown>, finishReason: string | null = null) =>
    sse.data({
      id,
      object: 'chat.completion.chunk',
      created,
      model: turn.answeredModel,
      system_fingerprint: null,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
      ...(includeUsage ? { usage: null } : {}),
    });
  chunk({ role: 'assistant', content: '', refusal: null });
  let toolIndex = 0;
  for await (const part of turn.parts()) {
    if (part.type === 'text') chunk({ content: part.text });
    else if (part.type === 'tool-call') chunk({ tool_calls: [toolCallJson({ id: part.id, name: part.name, args: part.args }, toolIndex++)] });
    else if (part.type === 'error') {
      sse.data(openAIErrorBody(part.error));
      sse.end();
      return;
    } else {
      chunk({}, openAIFinishReason(part.reason, toolIndex > 0));
    }
  }
  if (includeUsage) sse.data({ id, object: 'chat.completion.chunk', created, model: turn.answeredModel, system_fingerprint: null, choices: [], usage: openAIUsage(turn) });
  sse.raw('data: [DONE]\n\n');
  sse.end();
}

/**
 * POST /v1/completions, for older clients. A simplification: the prompt is
 * sent to the chat model as one user message (chat template applied), not
 * continued as raw text; `echo` and `suffix` are not supported.
 */
export async function completions(ctx: EndpointContext): Promise<void> {
  const body = parseBody(CompletionRequestSchema, await ctx.body());
  checkSingleChoice(body.n);
  if (body.echo) throw new ApiError(400, 'echo is not supported.', 'invalid_request_error', 'unsupported', 'echo');
  const prompt = typeof body.prompt === 'string' ? body.prompt : body.prompt[0]!;
  const request = { messages: [{ role: 'user' as const, text: prompt }], ...samplingOf(body, ctx.core.settings.get().maxTokens) };
  const turn = new ModelTurn(ctx.core, canonicalModelId(body.model), request, ctx.signal);
  ctx.track(turn);
  await turn.open();
  const id = `cmpl-${randomUUID().replace(/-/g, '')}`;
  const created = unixNow();
  const finish = () => (turn.finishReason === 'length' ? 'length' : turn.finishReason === 'content-filter' ? 'content_filter' : 'stop');
  if (!body.stream) {
    await turn.collect();
    sendJson(
      ctx.res,
      200,
      { id, object: 'text_completion', created, model: turn.answeredModel, system_fingerprint: null, choices: [{ index: 0, text: turn.text, logprobs: null, finish_reason: finish() }], usage: openAIUsage(turn) },
      routeHeaders(ctx, turn),
    );
    return;
  }
  const includeUsage = body.stream_options?.include_usage === true;
  const sse = new SseWriter(ctx.res);
  sse.open(routeHeaders(ctx, turn));
  const chunk = (text: string, finishReason: string | null) =>
    sse.data({ id, object: 'text_completion', created, model: turn.answeredModel, system_fingerprint: null, choices: [{ index: 0, text, logprobs: null, finish_reason: finishReason }], ...(includeUsage ? { usage: null } : {}) });
  for await (const part of turn.parts()) {
    if (part.type === 'text') chunk(part.text, null);
    else if (part.type === 'error') {
      sse.data(openAIErrorBody(part.error));
      sse.end();
      return;
    } else if (part.type === 'end') chunk('', finish());
  }
  if (includeUsage) sse.data({ id, object: 'text_completion', created, model: turn.answeredModel, system_fingerprint: null, choices: [], usage: openAIUsage(turn) });
  sse.raw('data: [DONE]\n\n');
  sse.end();
}
