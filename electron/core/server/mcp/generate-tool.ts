import { z } from 'zod';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { CodedError } from '../../../../shared/ipc/errors';
import { AUTO_MODEL_ID } from '../../../../shared/ipc/routes/routing';
import type { Core } from '../../app/create-core';
import type { GenerateRequest, PromptMessage } from '../../models/language-model';
import { NO_ROUTE_CONTEXT } from '../../routing/routing-service';
import { checkToolModel } from './model-check';
import { applyStrategy, withPrefix, type PromptingStore } from './prompting-store';
import { jsonResult } from './tool-result';
import type { ToolExtra, ToolRunner } from './tool-runner';

/** Progress notifications carry the text that arrived since the last one, at most this often. */
const PROGRESS_INTERVAL_MS = 40;
/** Between the last progress notification and the result. */
const FINAL_PROGRESS_GAP_MS = 15;

const MessageSchema = z.object({
  role: z.enum(['system', 'user', 'assistant']),
  content: z.string().max(200_000),
});

export const GenerateShape = {
  model: z
    .string()
    .min(1)
    .max(1024)
    .optional()
    .describe('A model id from list_models (a local model, or PROVIDER/MODEL), or auto (default): Tandem’s router picks'),
  provider: z.string().min(1).max(64).optional().describe('A provider name; with it, model is that provider’s model name'),
  messages: z.array(MessageSchema).min(1).max(500).describe('The conversation, oldest first: [{role: system|user|assistant, content}]'),
  temperature: z.number().min(0).max(2).optional(),
  max_tokens: z.number().int().min(1).max(100_000).optional().describe('Longest answer in tokens; default: the app’s setting'),
};

/** The model id a generate call names: PROVIDER/MODEL from provider + model, else model, else auto. */
export function generateModelId(input: { model?: string; provider?: string }): string {
  if (input.provider !== undefined) {
    if (input.model === undefined) throw new CodedError('INVALID_INPUT', 'With provider, give model: that provider’s model name');
    return input.model.startsWith(`${input.provider}/`) ? input.model : `${input.provider}/${input.model}`;
  }
  return input.model ?? AUTO_MODEL_ID;
}

/**
 * `generate`: one answer from a model or Auto, through the router's budgets,
 * queues, circuit and cache. Text arrives as progress notifications when the
 * request carries a progress token; cancelling the request aborts the model.
 */
export function registerGenerateTool(server: McpServer, core: Core, run: ToolRunner, prompting: PromptingStore): void {
  server.registerTool(
    'generate',
    {
      title: 'Generate',
      description:
        'Sends messages to a model and answers its text, with the model that answered (Auto names its pick; fallbacks are listed), token usage and cost. model: a local model id, PROVIDER/MODEL, or auto (default); or provider + model. The text streams as progress notifications when the request has a progress token; cancelling the request stops the model. A prompting strategy set for the model (set_model_prompting_strategy) is applied.',
      inputSchema: GenerateShape,
      annotations: { readOnlyHint: false, openWorldHint: true },
    },
    (input, extra) =>
      run('generate', extra, async (usage) => {
        // The HTTP API's id check: never a file path (a client must not load any .gguf on this machine).
        const modelId = await checkToolModel(core, generateModelId(input));
        const strategy = await prompting.get(modelId);
        const systemParts = input.messages.filter((m) => m.role === 'system').map((m) => m.content);
        const conversation: PromptMessage[] = input.messages
          .filter((m) => m.role !== 'system')
          .map((m) => (m.role === 'user' ? { role: 'user', text: m.content } : { role: 'assistant', text: m.content }));
        if (!conversation.some((m) => m.role === 'user')) throw new CodedError('INVALID_INPUT', 'messages needs at least one user message');
        const prompted = applyStrategy(conversation, systemParts.length > 0 ? systemParts.join('\n\n') : undefined, strategy);
        const request: GenerateRequest = {
          messages: prompted.messages,
          systemPrompt: prompted.systemPrompt,
          temperature: input.temperature,
          maxTokens: input.max_tokens ?? core.settings.get().maxTokens,
        };
        const model = await core.resolveModel(modelId, NO_ROUTE_CONTEXT);
        const progress = progressSender(extra);
        let text = '';
        let answered: string | null = modelId === AUTO_MODEL_ID ? null : modelId;
        let finishReason: string | null = null;
        let reason: string | null = null;
        let cached = false;
        const fallbacks: { failedModel: string; code: string; message: string; nextModel: string }[] = [];
        for await (const part of model.stream(request, { signal: extra.signal })) {
          switch (part.type) {
            case 'text-delta':
              text += part.text;
              await progress.text(part.text);
              break;
            case 'route':
              answered = part.decision.chosenModelId;
              reason = part.decision.reason;
              break;
            case 'fallback':
              fallbacks.push({ failedModel: part.failedModelId, code: part.code, message: part.message, nextModel: part.nextModelId });
              answered = part.nextModelId;
              // Also a log message (at the level the client set with logging/setLevel).
              await server
                .sendLoggingMessage(
                  { level: 'warning', logger: 'tandem', data: `${part.failedModelId} failed (${part.code}: ${part.message}); ${part.nextModelId} answers instead` },
                  extra.sessionId,
                )
                .catch(() => undefined);
              break;
            case 'cache-hit':
              cached = true;
              break;
            case 'usage':
              usage.inputTokens += part.usage.inputTokens;
              usage.outputTokens += part.usage.outputTokens;
              usage.costUsd += part.usage.costUsd ?? 0;
              break;
            case 'finish':
              finishReason = part.reason;
              break;
            case 'error':
              usage.model = answered;
              throw new CodedError(part.code, part.message, { retryable: part.retryable });
            default:
              break;
          }
        }
        await progress.flush();
        usage.model = answered;
        if (extra.signal.aborted) throw new CodedError('CANCELLED', 'Cancelled');
        const answer = withPrefix(text, strategy);
        const summary = `(answered by ${answered ?? 'no model'} · ${usage.inputTokens} tokens in, ${usage.outputTokens} out · $${usage.costUsd.toFixed(6)}${finishReason === 'length' ? ' · stopped at max_tokens' : ''})`;
        const result = jsonResult(
          {
            text: answer,
            model: answered,
            finishReason,
            usage: { inputTokens: usage.inputTokens, outputTokens: usage.outputTokens, costUsd: usage.costUsd },
            ...(reason ? { routeReason: reason } : {}),
            ...(fallbacks.length > 0 ? { fallbacks } : {}),
            ...(cached ? { cached: true } : {}),
            ...(strategy ? { promptingStrategy: true } : {}),
          },
          answer,
        );
        // The answer first (what a client shows), then who answered and what it cost.
        result.content.push({ type: 'text', text: summary });
        return result;
      }),
  );
}

/** Progress notifications for the request's progress token (none without one): the text so far, in small batches. */
function progressSender(extra: ToolExtra) {
  const token = extra._meta?.progressToken;
  let pending = '';
  let chars = 0;
  let last = 0;
  const send = async () => {
    if (token === undefined || pending === '') return;
    const message = pending;
    pending = '';
    last = performance.now();
    await extra
      .sendNotification({ method: 'notifications/progress', params: { progressToken: token, progress: chars, message } })
      .catch(() => undefined); // a client that went away is the cancel path's business
  };
  return {
    async text(delta: string) {
      if (token === undefined) return;
      pending += delta;
      chars += delta.length;
      if (performance.now() - last >= PROGRESS_INTERVAL_MS) await send();
    },
    async flush() {
      if (token === undefined || pending === '') return;
      await send();
      // The SDK client handles a notification a microtask later than a response read in the same chunk,
      // and drops progress that comes after its request ended: let the last text leave first.
      await new Promise((resolve) => setTimeout(resolve, FINAL_PROGRESS_GAP_MS));
    },
  };
}
