import { CodedError } from '../../../shared/ipc/errors';
import type { FinishReason, StreamPart, ToolCallStatus, Usage } from '../../../shared/ipc/stream-parts';
import type { GenerateRequest, LanguageModel, PromptMessage, PromptToolCall, ToolDefinition } from '../models/language-model';
import type { ApprovalBroker } from './approval-broker';
import { attachResources, type ResourceRef } from './resource-context';
import { resultForModel } from './tool-history';
import { ToolNames, type NamedTool } from './tool-names';
import type { McpToolHost } from './types';

/** Tool steps per answer when the chat does not say (`tools.maxSteps`). */
export const DEFAULT_MAX_STEPS = 6;

export interface ToolLoopOptions {
  host: McpToolHost;
  approvals: ApprovalBroker;
  /** Settings `mcp.maxToolResultChars`: longer results are cut for the model (the user sees them whole). */
  maxToolResultChars: () => number;
}

/** One answer that may call tools. */
export interface ToolLoopTurn {
  model: LanguageModel;
  /** The conversation and sampling settings; the loop adds the tools. */
  request: GenerateRequest;
  /** MCP servers whose enabled tools are offered. */
  servers: readonly string[];
  /** Steps that may call tools; after that, one last step without tools. Default 6. */
  maxSteps?: number;
  /** The first step's tool choice (a model-facing name forces that call); later steps are 'auto'. */
  toolChoice?: GenerateRequest['toolChoice'];
  /** The client that owns the stream: only it may answer the approval cards. */
  clientId?: string | null;
}

interface PendingCall {
  toolCallId: string;
  /** The name the model used. */
  modelName: string;
  args: unknown;
  named: NamedTool | null;
}

interface CallOutcome {
  status: ToolCallStatus;
  result: string;
  durationMs: number;
}

/**
 * The chat tool loop, for local and cloud models alike: stream a step; run
 * the tool calls it ends with (asking the user first unless the tool is
 * always allowed); give the results back; stream the next step. Everything
 * comes out as one stream of parts, ending in exactly one `finish` or `error`.
 */
export class ToolLoop {
  constructor(private readonly options: ToolLoopOptions) {}

  /** The contents of attached MCP resources as prompt text (`chat.send` `resources`). */
  attachResources(refs: readonly ResourceRef[]): Promise<string> {
    return attachResources(this.options.host, refs, this.options.maxToolResultChars());
  }

  /** The model's answer with tool use; without any tool to offer it is just the model's stream. */
  async *stream(turn: ToolLoopTurn, { signal }: { signal: AbortSignal }): AsyncGenerator<StreamPart> {
    await settling(this.options.host, turn.servers, signal);
    const names = new ToolNames(this.options.host.toolsFor(turn.servers));
    if (names.size === 0) {
      yield* turn.model.stream(turn.request, { signal });
      return;
    }
    const tools: ToolDefinition[] = names.list().map((t) => ({
      name: t.name,
      description: t.tool.description || t.tool.title || undefined,
      parameters: t.tool.inputSchema,
    }));
    const maxSteps = turn.maxSteps ?? DEFAULT_MAX_STEPS;
    const messages: PromptMessage[] = [...turn.request.messages];
    let usage: Usage | null = null;
    let textSoFar = '';

    for (let step = 1; ; step += 1) {
      const offerTools = step <= maxSteps;
      const request: GenerateRequest = offerTools
        ? { ...turn.request, messages, tools, toolChoice: step === 1 ? (turn.toolChoice ?? 'auto') : 'auto' }
        : { ...turn.request, messages, tools: undefined, toolChoice: undefined };
      let stepText = '';
      let finish: FinishReason | null = null;
      const calls: PendingCall[] = [];
      for await (const part of turn.model.stream(request, { signal })) {
        if (part.type === 'text-delta') {
          // Steps read as one answer: a blank line between the text of two steps.
          if (stepText === '' && textSoFar !== '' && !/\s$/.test(textSoFar)) {
            yield { type: 'text-delta', text: '\n\n' };
            textSoFar += '\n\n';
          }
          stepText += part.text;
          textSoFar += part.text;
          yield part;
        } else if (part.type === 'tool-call') {
          if (!offerTools) continue; // no tools were offered: a call now is noise
          const named = names.resolve(part.toolName);
          calls.push({ toolCallId: part.toolCallId, modelName: part.toolName, args: part.args, named });
          yield { ...part, toolName: named?.tool.name ?? part.toolName, ...(named ? { server: named.server } : {}) };
        } else if (part.type === 'usage') {
          usage = addUsage(usage, part.usage);
          yield { type: 'usage', usage }; // the running total, so the last one is the answer's
        } else if (part.type === 'finish') {
          finish = part.reason;
        } else if (part.type === 'error') {
          yield part;
          return;
        } else {
          yield part;
        }
      }
      if (finish === 'cancelled' || signal.aborted || finish === null) {
        yield { type: 'finish', reason: signal.aborted || finish === null ? 'cancelled' : finish };
        return;
      }
      if (!offerTools || calls.length === 0) {
        if (!offerTools) {
          const note = `Stopped after ${maxSteps} tool step${maxSteps === 1 ? '' : 's'}.`;
          yield { type: 'text-delta', text: textSoFar === '' ? note : `${/\s$/.test(textSoFar) ? '' : '\n\n'}${note}` };
        }
        yield { type: 'finish', reason: finish === 'tool-calls' ? 'stop' : finish };
        return;
      }

      const results: PromptMessage[] = [];
      for (const call of calls) {
        const outcome = yield* this.runCall(call, turn.clientId ?? null, signal);
        const forModel = resultForModel(outcome.status, outcome.result, this.options.maxToolResultChars());
        yield {
          type: 'tool-result',
          toolCallId: call.toolCallId,
          server: call.named?.server ?? '',
          toolName: call.named?.tool.name ?? call.modelName,
          status: outcome.status,
          result: outcome.result,
          truncatedForModel: forModel.truncated,
          durationMs: outcome.durationMs,
        };
        results.push({ role: 'tool', toolCallId: call.toolCallId, toolName: call.modelName, result: forModel.text });
      }
      const toolCalls: PromptToolCall[] = calls.map((c) => ({ toolCallId: c.toolCallId, toolName: c.modelName, args: c.args }));
      messages.push({ role: 'assistant', text: stepText, toolCalls }, ...results);
      if (signal.aborted) {
        yield { type: 'finish', reason: 'cancelled' };
        return;
      }
    }
  }

  /** One call: approval when the tool asks for it, then the call with its progress. */
  private async *runCall(call: PendingCall, clientId: string | null, signal: AbortSignal): AsyncGenerator<StreamPart, CallOutcome> {
    const { host, approvals } = this.options;
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    if (signal.aborted) return { status: 'cancelled', result: 'Stopped before the tool was called.', durationMs: 0 };
    if (!call.named) return { status: 'error', result: `There is no tool named "${call.modelName}".`, durationMs: 0 };
    const { server, tool } = call.named;
    const args = toArgs(call.args);
    if (!args) return { status: 'error', result: 'The arguments must be a JSON object.', durationMs: 0 };

    if (policyOf(host, server, tool.name) !== 'always-allow') {
      const pending = approvals.request({ signal, clientId });
      yield { type: 'tool-approval', approvalId: pending.approvalId, toolCallId: call.toolCallId, server, toolName: tool.name, args };
      const outcome = await pending.outcome;
      if (outcome === 'deny') return { status: 'denied', result: 'The user denied this tool call.', durationMs: elapsed() };
      if (outcome === 'cancelled') return { status: 'cancelled', result: 'Stopped while waiting for approval.', durationMs: elapsed() };
      if (outcome === 'timeout') return { status: 'timeout', result: 'Nobody answered the approval card in time.', durationMs: elapsed() };
      // The user allowed this call either way; a policy that failed to save only means the next call asks again.
      if (outcome === 'always-allow') await host.setApprovalPolicy(server, tool.name, 'always-allow').catch(() => undefined);
    }

    const calledAt = performance.now();
    const progress = new PartQueue();
    try {
      const work = host.callTool(server, tool.name, args, {
        signal,
        onProgress: (p) =>
          progress.push({
            type: 'tool-progress',
            toolCallId: call.toolCallId,
            progress: p.progress,
            ...(p.total !== undefined ? { total: p.total } : {}),
            ...(p.message !== undefined ? { message: p.message } : {}),
          }),
      });
      const result = yield* progress.drainUntil(work);
      return { status: result.isError ? 'error' : 'done', result: result.text, durationMs: Math.round(performance.now() - calledAt) };
    } catch (error) {
      const code = error instanceof CodedError ? error.code : null;
      const message = (error as Error)?.message ?? String(error);
      const status: ToolCallStatus = code === 'CANCELLED' || signal.aborted ? 'cancelled' : code === 'TIMEOUT' ? 'timeout' : 'error';
      return { status, result: message, durationMs: Math.round(performance.now() - calledAt) };
    }
  }
}

/** Parts produced by callbacks while a promise runs, handed out by a generator until it settles. */
class PartQueue {
  private readonly parts: StreamPart[] = [];
  private wake: (() => void) | null = null;

  push(part: StreamPart): void {
    this.parts.push(part);
    this.wake?.();
  }

  async *drainUntil<T>(work: Promise<T>): AsyncGenerator<StreamPart, T> {
    let settled = false;
    const done = work.then(
      () => undefined,
      () => undefined,
    );
    void done.then(() => {
      settled = true;
      this.wake?.();
    });
    for (;;) {
      while (this.parts.length > 0) yield this.parts.shift()!;
      if (settled) return await work;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
      this.wake = null;
    }
  }
}

/** How long a turn waits for the chat's servers that are still starting (right after launch) before going on without them. */
const SETTLE_MS = 10_000;

async function settling(host: McpToolHost, servers: readonly string[], signal: AbortSignal): Promise<void> {
  const deadline = Date.now() + SETTLE_MS;
  const starting = () => servers.some((name) => ['starting', 'restarting'].includes(host.status(name)?.state ?? ''));
  while (starting() && Date.now() < deadline && !signal.aborted) await new Promise((resolve) => setTimeout(resolve, 50));
}

/** A server removed mid-turn has no policy: ask (the call itself then fails as unavailable). */
function policyOf(host: McpToolHost, server: string, tool: string): 'ask' | 'always-allow' {
  try {
    return host.approvalPolicy(server, tool);
  } catch {
    return 'ask';
  }
}

function toArgs(args: unknown): Record<string, unknown> | null {
  if (args === undefined || args === null) return {};
  if (typeof args === 'object' && !Array.isArray(args)) return args as Record<string, unknown>;
  return null;
}

function addUsage(total: Usage | null, next: Usage): Usage {
  if (!total) return { ...next };
  const cost = total.costUsd !== undefined || next.costUsd !== undefined ? (total.costUsd ?? 0) + (next.costUsd ?? 0) : undefined;
  return {
    inputTokens: total.inputTokens + next.inputTokens,
    outputTokens: total.outputTokens + next.outputTokens,
    ...(cost !== undefined ? { costUsd: cost } : {}),
  };
}
