import { AUTO_MODEL_ID } from '../../../../shared/ipc/routes/routing';
import { toTandemError } from '../../../../shared/ipc/errors';
import type { FinishReason, StreamPart } from '../../../../shared/ipc/stream-parts';
import type { Core } from '../../app/create-core';
import { EMBEDDING_ARCHITECTURES } from '../../documents/document-embedder';
import type { GenerateRequest } from '../../models/language-model';
import { ApiError, apiErrorOf } from './api-errors';
import { headerSafe } from './http-io';

/** What the API endpoints render: the model's own output, nothing the app adds around it. */
export type TurnPart =
  | { type: 'text'; text: string }
  | { type: 'tool-call'; id: string; name: string; args: unknown }
  | { type: 'end'; reason: FinishReason }
  /** A failure after the answer started (before it, `open()` throws instead). */
  | { type: 'error'; error: ApiError };

export interface ToolCallOut {
  id: string;
  name: string;
  args: unknown;
}

const OUTPUT_TYPES = new Set<StreamPart['type']>(['text-delta', 'reasoning-delta', 'tool-call', 'usage', 'finish', 'error']);

/** `auto` and `tandem/auto` are the router. */
export function canonicalModelId(modelId: string): string {
  return modelId === 'tandem/auto' ? AUTO_MODEL_ID : modelId;
}

/**
 * Checks that a model id names something this server serves: the router, a
 * configured provider's model, or a usable model in the library (by id; never
 * a file path, which would let a client load any file). 404 otherwise.
 */
export async function checkChatModel(core: Core, modelId: string): Promise<void> {
  if (modelId === AUTO_MODEL_ID || core.providers.owns(modelId)) return;
  const models = await core.library.list();
  const found = models.find((m) => m.id === modelId);
  if (!found) throw new ApiError(404, `The model '${modelId}' does not exist.`, 'invalid_request_error', 'model_not_found', 'model');
  if (found.problem) throw new ApiError(400, `The model '${modelId}' cannot be used: ${found.problem}`, 'invalid_request_error', 'model_not_usable', 'model');
  if (found.architecture && EMBEDDING_ARCHITECTURES.has(found.architecture)) {
    throw new ApiError(400, `The model '${modelId}' makes embeddings (POST /v1/embeddings); it does not chat.`, 'invalid_request_error', 'model_not_supported', 'model');
  }
}

/**
 * One model answer for an API request, through the router (budgets, privacy,
 * cache, queues, metering apply as in chats). `open()` waits for the model's
 * first output so that a failure before it is answered with its own HTTP
 * status, and so that the model that answered (Auto's choice, after any
 * fallback) is known before headers are sent.
 */
export class ModelTurn {
  answeredModel: string;
  /** One line for the `x-tandem-route` header when Auto decided. */
  routeSummary: string | null = null;
  /** The answer was replayed from the response cache. */
  cacheHit = false;
  readonly usage = { inputTokens: 0, outputTokens: 0, costUsd: 0 };
  text = '';
  readonly toolCalls: ToolCallOut[] = [];
  finishReason: FinishReason | null = null;
  /** The failure that ended the answer after it started (the request log's status for a stream that failed). */
  failure: ApiError | null = null;
  /** Runs after the model id was checked and before the model is called (the key's quota reservation, which may lower maxTokens or refuse). */
  beforeOpen: ((turn: ModelTurn) => Promise<void>) | null = null;
  private iterator: AsyncIterator<StreamPart> | null = null;
  private readonly pending: StreamPart[] = [];

  constructor(
    private readonly core: Core,
    readonly requestedModel: string,
    readonly request: GenerateRequest,
    private readonly signal: AbortSignal,
  ) {
    this.answeredModel = requestedModel;
  }

  /** Starts the answer; throws an ApiError when the model fails before any output. */
  async open(): Promise<void> {
    await checkChatModel(this.core, this.requestedModel);
    await this.beforeOpen?.(this);
    let model;
    try {
      model = await this.core.resolveModel(this.requestedModel);
    } catch (error) {
      throw apiErrorOf(toTandemError(error));
    }
    this.iterator = model.stream(this.request, { signal: this.signal })[Symbol.asyncIterator]();
    for (;;) {
      let next: IteratorResult<StreamPart>;
      try {
        next = await this.iterator.next();
      } catch (error) {
        throw this.signal.aborted ? new ApiError(499, 'The request was cancelled.', 'invalid_request_error', 'cancelled') : apiErrorOf(toTandemError(error));
      }
      if (next.done) return;
      const part = next.value;
      this.observe(part);
      if (part.type === 'error') throw this.errorOf(part);
      if (OUTPUT_TYPES.has(part.type)) {
        this.pending.push(part);
        return;
      }
    }
  }

  /** The answer's output after `open()`, ending with one `end` or `error`. */
  async *parts(): AsyncGenerator<TurnPart> {
    const iterator = this.iterator;
    let ended = false;
    try {
      for (;;) {
        let part: StreamPart;
        if (this.pending.length > 0) part = this.pending.shift()!;
        else {
          if (!iterator) break;
          let next: IteratorResult<StreamPart>;
          try {
            next = await iterator.next();
          } catch (error) {
            ended = true;
            this.failure = this.signal.aborted ? new ApiError(499, 'The request was cancelled.', 'invalid_request_error', 'cancelled') : apiErrorOf(toTandemError(error));
            yield { type: 'error', error: this.failure };
            return;
          }
          if (next.done) break;
          part = next.value;
          this.observe(part);
        }
        const out = this.turnPart(part);
        if (!out) continue;
        if (out.type === 'error') this.failure = out.error;
        yield out;
        if (out.type === 'end' || out.type === 'error') {
          ended = true;
          return;
        }
      }
      if (!ended) {
        if (this.signal.aborted) yield { type: 'end', reason: 'cancelled' };
        else yield { type: 'end', reason: this.toolCalls.length > 0 ? 'tool-calls' : 'stop' };
      }
    } finally {
      await iterator?.return?.().catch(() => undefined);
    }
  }

  /** Runs the whole answer (after `open()`); a failure mid-answer throws. */
  async collect(): Promise<void> {
    for await (const part of this.parts()) if (part.type === 'error') throw part.error;
  }

  /** Stops reading the model (after the client went away or the server closes). */
  async close(): Promise<void> {
    await this.iterator?.return?.().catch(() => undefined);
  }

  private observe(part: StreamPart): void {
    if (part.type === 'route') {
      const chosen = part.decision.chosenModelId;
      if (chosen) this.answeredModel = chosen;
      this.routeSummary = headerSafe(`${this.requestedModel} -> ${chosen ?? 'none'}: ${part.decision.reason}`);
    } else if (part.type === 'fallback') {
      this.answeredModel = part.nextModelId;
      this.routeSummary = headerSafe(`${this.routeSummary ?? this.requestedModel}; fallback ${part.failedModelId} (${part.code}) -> ${part.nextModelId}`);
    } else if (part.type === 'cache-hit') {
      this.cacheHit = true;
    } else if (part.type === 'usage') {
      this.usage.inputTokens += part.usage.inputTokens;
      this.usage.outputTokens += part.usage.outputTokens;
      this.usage.costUsd += part.usage.costUsd ?? 0;
    } else if (part.type === 'text-delta') {
      this.text += part.text;
    } else if (part.type === 'tool-call') {
      this.toolCalls.push({ id: part.toolCallId, name: part.toolName, args: part.args });
    } else if (part.type === 'finish') {
      this.finishReason = part.reason;
    }
  }

  private turnPart(part: StreamPart): TurnPart | null {
    switch (part.type) {
      case 'text-delta':
        return part.text ? { type: 'text', text: part.text } : null;
      case 'tool-call':
        return { type: 'tool-call', id: part.toolCallId, name: part.toolName, args: part.args };
      case 'finish':
        return { type: 'end', reason: part.reason === 'stop' && this.toolCalls.length > 0 ? 'tool-calls' : part.reason };
      case 'error':
        return { type: 'error', error: this.errorOf(part) };
      default:
        return null;
    }
  }

  private errorOf(part: Extract<StreamPart, { type: 'error' }>): ApiError {
    if (this.signal.aborted) return new ApiError(499, 'The request was cancelled.', 'invalid_request_error', 'cancelled');
    return apiErrorOf(part);
  }
}

/** Tokens the answer has used so far, for the request log and quotas. */
export function turnRecord(turn: ModelTurn | null): { model: string | null; inputTokens: number; outputTokens: number; costUsd: number } {
  if (!turn) return { model: null, inputTokens: 0, outputTokens: 0, costUsd: 0 };
  return { model: turn.answeredModel, ...turn.usage };
}
