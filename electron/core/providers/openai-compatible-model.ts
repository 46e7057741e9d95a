import type OpenAI from 'openai';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import type { FinishReason, StreamPart, Usage } from '../../../shared/ipc/stream-parts';
import type { Logger } from '../app/logger';
import type { GenerateRequest, LanguageModel } from '../models/language-model';
import { classifyError, providerError, type ProviderError } from './error-classifier';
import { costUsd, type Price } from './pricing';
import { retryDelayMs, sleep, type RetryPolicy } from './retry';
import { estimatePromptTokens } from './token-estimate';
import { toOpenAIMessages, toOpenAIOptions } from './openai-request';
import type { UsageLedger } from './usage-ledger';

export interface OpenAICompatibleModelOptions {
  provider: string;
  model: string;
  client: OpenAI;
  /** Secrets to scrub from anything logged or shown (the key, header values). */
  secrets: readonly string[];
  retry: RetryPolicy;
  /** Longest wait for the response to start (headers). */
  requestTimeoutMs: number;
  /** Longest gap between two streamed chunks. */
  idleTimeoutMs: number;
  price: () => Price | null;
  ledger: UsageLedger;
  logger: Logger;
}

interface ToolCallDraft {
  id: string;
  name: string;
  args: string;
}

const FINISH_REASONS: Record<string, FinishReason> = {
  stop: 'stop',
  length: 'length',
  tool_calls: 'tool-calls',
  function_call: 'tool-calls',
  content_filter: 'content-filter',
};

/**
 * A cloud or remote model behind an OpenAI-compatible endpoint, streamed
 * through the official SDK (with its own retries off: ours retry, only before
 * the first token, with backoff that honours Retry-After). Every request
 * lands in the usage ledger.
 */
export class OpenAICompatibleModel implements LanguageModel {
  readonly id: string;

  constructor(private readonly options: OpenAICompatibleModelOptions) {
    this.id = `${options.provider}/${options.model}`;
  }

  async *stream(request: GenerateRequest, { signal }: { signal: AbortSignal }): AsyncIterable<StreamPart> {
    const { provider, model, retry, ledger } = this.options;
    const started = performance.now();
    const estimatedInputTokens = estimatePromptTokens(request.messages);
    let attempts = 0;
    let ttftMs: number | null = null;
    let usage: Usage | null = null;
    let finishReason: FinishReason | null = null;
    let failure: ProviderError | null = null;
    try {
      for (;;) {
        attempts += 1;
        const attempt = this.attempt(request, signal);
        let yieldedContent = false;
        try {
          for await (const part of attempt) {
            if (part.type === 'text-delta' || part.type === 'reasoning-delta' || part.type === 'tool-call') {
              if (!yieldedContent) ttftMs ??= performance.now() - started;
              yieldedContent = true;
            } else if (part.type === 'usage') usage = part.usage;
            else if (part.type === 'finish') finishReason = part.reason;
            yield part;
          }
          return;
        } catch (thrown) {
          const error = thrown as ProviderError;
          if (error.code === 'CANCELLED' || signal.aborted) {
            finishReason = 'cancelled';
            yield { type: 'finish', reason: 'cancelled' };
            return;
          }
          if (error.retryable && !yieldedContent && attempts < retry.maxAttempts) {
            const delay = retryDelayMs(attempts, retry, error.retryAfterMs);
            this.options.logger.info(`${this.id}: ${error.code}, retry ${attempts} of ${retry.maxAttempts - 1} in ${delay} ms`);
            yield { type: 'retry', attempt: attempts + 1, maxAttempts: retry.maxAttempts, delayMs: delay, code: error.code, message: error.message };
            try {
              await sleep(delay, signal);
            } catch {
              finishReason = 'cancelled';
              yield { type: 'finish', reason: 'cancelled' };
              return;
            }
            continue;
          }
          failure = error;
          this.options.logger.warn(`${this.id} failed after ${attempts} attempt(s): ${error.code}: ${error.message}`);
          yield { type: 'error', code: error.code, message: error.message, retryable: error.retryable };
          return;
        }
      }
    } finally {
      ledger.record({
        at: new Date().toISOString(),
        provider,
        model,
        latencyMs: Math.round((performance.now() - started) * 100) / 100,
        ttftMs: ttftMs === null ? null : Math.round(ttftMs * 100) / 100,
        inputTokens: usage?.inputTokens ?? null,
        outputTokens: usage?.outputTokens ?? null,
        estimatedInputTokens,
        costUsd: usage?.costUsd ?? null,
        attempts,
        errorCode: failure?.code ?? (finishReason === 'cancelled' ? 'CANCELLED' : null),
        errorMessage: failure?.message ?? null,
        finishReason,
      });
    }
  }

  /** One HTTP request, mapped to parts; throws a ProviderError on failure. */
  private async *attempt(request: GenerateRequest, signal: AbortSignal): AsyncGenerator<StreamPart> {
    const { client, model, provider, secrets, requestTimeoutMs, idleTimeoutMs } = this.options;
    const controller = new AbortController();
    const onAbort = () => controller.abort(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    let idleTimer: NodeJS.Timeout | null = null;
    let idle = false;
    const armIdle = () => {
      if (idleTimer) idleTimer.refresh();
      else
        idleTimer = setTimeout(() => {
          idle = true;
          controller.abort(new Error('idle timeout'));
        }, idleTimeoutMs);
    };
    const context = { provider, model, secrets };
    const tools = new Map<number, ToolCallDraft>();
    let finish: FinishReason | null = null;
    let usage: Usage | null = null;
    try {
      if (signal.aborted) throw providerError('CANCELLED', 'Cancelled');
      let stream: AsyncIterable<ChatCompletionChunk>;
      try {
        stream = await client.chat.completions.create(
          {
            model,
            ...toOpenAIOptions(request),
            messages: toOpenAIMessages(request),
            stream: true,
            stream_options: { include_usage: true },
          },
          { signal: controller.signal, timeout: requestTimeoutMs, maxRetries: 0 },
        );
        armIdle();
        for await (const chunk of stream) {
          armIdle();
          if (chunk.usage) usage = this.usage(chunk.usage);
          const choice = chunk.choices?.[0];
          if (!choice) continue;
          const delta = (choice.delta ?? {}) as ChatCompletionChunk.Choice.Delta & { reasoning_content?: unknown; reasoning?: unknown };
          const reasoning = delta.reasoning_content ?? delta.reasoning;
          if (typeof reasoning === 'string' && reasoning.length > 0) yield { type: 'reasoning-delta', text: reasoning };
          if (typeof delta.content === 'string' && delta.content.length > 0) yield { type: 'text-delta', text: delta.content };
          for (const call of delta.tool_calls ?? []) {
            const draft = tools.get(call.index) ?? { id: '', name: '', args: '' };
            if (call.id) draft.id = call.id;
            if (call.function?.name) draft.name += call.function.name;
            if (call.function?.arguments) draft.args += call.function.arguments;
            tools.set(call.index, draft);
          }
          if (choice.finish_reason) {
            finish = FINISH_REASONS[choice.finish_reason] ?? 'stop';
            for (const part of this.toolCalls(tools)) yield part;
            tools.clear();
          }
        }
      } catch (error) {
        if (idle) throw providerError('TIMEOUT', `${provider} sent nothing for ${idleTimeoutMs} ms; the stream was stopped`);
        if (signal.aborted) throw providerError('CANCELLED', 'Cancelled');
        throw classifyError(error, context);
      }
      // An abort can end the SDK's iteration quietly rather than throw.
      if (idle) throw providerError('TIMEOUT', `${provider} sent nothing for ${idleTimeoutMs} ms; the stream was stopped`);
      if (signal.aborted) throw providerError('CANCELLED', 'Cancelled');
      if (finish === null) throw providerError('BAD_RESPONSE', `${provider} ended the stream without saying it had finished`);
      if (usage) yield { type: 'usage', usage };
      yield { type: 'finish', reason: finish };
    } finally {
      if (idleTimer) clearTimeout(idleTimer);
      signal.removeEventListener('abort', onAbort);
      controller.abort(); // the consumer may have stopped early: close the connection
    }
  }

  private *toolCalls(tools: Map<number, ToolCallDraft>): Generator<StreamPart> {
    for (const [index, draft] of [...tools.entries()].sort((a, b) => a[0] - b[0])) {
      let args: unknown;
      try {
        args = draft.args.trim() === '' ? {} : JSON.parse(draft.args);
      } catch {
        throw providerError('BAD_RESPONSE', `${this.options.provider} sent tool call arguments that are not JSON (call ${index})`);
      }
      yield { type: 'tool-call', toolCallId: draft.id || `call_${index}`, toolName: draft.name, args };
    }
  }

  private usage(raw: { prompt_tokens?: number; completion_tokens?: number }): Usage {
    const inputTokens = Math.max(0, Math.round(raw.prompt_tokens ?? 0));
    const outputTokens = Math.max(0, Math.round(raw.completion_tokens ?? 0));
    const price = this.options.price();
    return price ? { inputTokens, outputTokens, costUsd: costUsd(price, inputTokens, outputTokens) } : { inputTokens, outputTokens };
  }
}
