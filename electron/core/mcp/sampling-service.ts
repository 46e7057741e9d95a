import { randomBytes } from 'node:crypto';
import { CodedError } from '../../../shared/ipc/errors';
import type { SamplingRequest } from '../../../shared/ipc/routes/mcp';
import type { LanguageModel } from '../models/language-model';
import type { SamplingHandler, SamplingParams } from './types';

/** Five minutes for the user to answer a server's request before it is refused. */
export const DEFAULT_SAMPLING_TIMEOUT_MS = 5 * 60_000;

export interface SamplingServiceOptions {
  /** Tells every client (the UI shows a dialog). */
  broadcast: (request: SamplingRequest) => void;
  /** The same resolver chat turns use: `PROVIDER/MODEL` or a local model id. */
  resolveModel: (modelId: string) => Promise<LanguageModel>;
  /** Settings `mcp.samplingModelId`, else the first usable local model; null when there is none. */
  proposedModelId: () => Promise<string | null>;
  timeoutMs?: number;
}

type Answer = { decision: 'approve'; modelId?: string } | { decision: 'deny' };

interface Pending {
  request: SamplingRequest;
  answer: (answer: Answer) => void;
}

/**
 * Servers' `sampling/createMessage` requests, with the user in the loop:
 * each one is broadcast (`mcp.samplingRequested`) and listed
 * (`mcp.pendingSampling`) until the user answers (`mcp.answerSampling`).
 * Approved, it runs the chosen model and returns its text; denied, timed out
 * or cancelled, it throws, and the host answers the server with an error.
 */
export class SamplingService {
  private readonly pending = new Map<string, Pending>();
  private readonly timeoutMs: number;

  constructor(private readonly options: SamplingServiceOptions) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_SAMPLING_TIMEOUT_MS;
  }

  /** What the MCP host calls for each sampling request. */
  readonly handler: SamplingHandler = async (server, params, signal) => {
    const request: SamplingRequest = {
      requestId: randomBytes(18).toString('base64url'),
      server,
      messages: params.messages,
      systemPrompt: params.systemPrompt,
      maxTokens: params.maxTokens,
      modelId: await this.options.proposedModelId().catch(() => null),
    };
    const answer = await this.waitForAnswer(request, signal);
    if (answer.decision === 'deny') throw new CodedError('TOOL_DENIED', 'The user declined the sampling request');
    const modelId = answer.modelId ?? request.modelId;
    if (!modelId) throw new CodedError('MODEL_NOT_FOUND', 'No model to answer the sampling request: set mcp.samplingModelId or add a local model');
    return this.sample(modelId, params, signal);
  };

  /** Requests waiting for the user, oldest first. */
  list(): SamplingRequest[] {
    return [...this.pending.values()].map((p) => p.request);
  }

  /** The user's answer; false for an unknown or already answered request. */
  answer(requestId: string, answer: Answer): boolean {
    const pending = this.pending.get(requestId);
    if (!pending) return false;
    pending.answer(answer);
    return true;
  }

  /** Refuses everything still waiting (shutdown). */
  dispose(): void {
    for (const pending of [...this.pending.values()]) pending.answer({ decision: 'deny' });
  }

  private waitForAnswer(request: SamplingRequest, signal: AbortSignal): Promise<Answer> {
    return new Promise<Answer>((resolve, reject) => {
      const finish = (settle: () => void) => {
        if (!this.pending.delete(request.requestId)) return;
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        settle();
      };
      const onAbort = () => finish(() => reject(new CodedError('CANCELLED', 'The server cancelled the sampling request')));
      const timer = setTimeout(
        () => finish(() => reject(new CodedError('TIMEOUT', `Nobody answered the sampling request within ${Math.round(this.timeoutMs / 1000)} s`))),
        this.timeoutMs,
      );
      timer.unref?.();
      this.pending.set(request.requestId, { request, answer: (answer) => finish(() => resolve(answer)) });
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      this.options.broadcast(request);
    });
  }

  private async sample(modelId: string, params: SamplingParams, signal: AbortSignal): ReturnType<SamplingHandler> {
    const model = await this.options.resolveModel(modelId);
    let text = '';
    let reason: string | null = null;
    for await (const part of model.stream(
      {
        messages: params.messages.map((m) => ({ role: m.role, text: m.text })),
        ...(params.systemPrompt ? { systemPrompt: params.systemPrompt } : {}),
        maxTokens: params.maxTokens,
        ...(params.temperature !== undefined ? { temperature: params.temperature } : {}),
        ...(params.stopSequences?.length ? { stopStrings: params.stopSequences } : {}),
      },
      { signal },
    )) {
      if (part.type === 'text-delta') text += part.text;
      else if (part.type === 'finish') reason = part.reason;
      else if (part.type === 'error') throw new CodedError(part.code, part.message);
    }
    if (reason === 'cancelled' || signal.aborted) throw new CodedError('CANCELLED', 'The sampling request was cancelled');
    const stopped = params.stopSequences?.some((s) => text.endsWith(s)) ?? false;
    return { model: model.id, text, stopReason: reason === 'length' ? 'maxTokens' : stopped ? 'stopSequence' : 'endTurn' };
  }
}
