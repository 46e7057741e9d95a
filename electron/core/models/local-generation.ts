import { randomUUID } from 'node:crypto';
import {
  LlamaChat,
  type ChatHistoryItem,
  type ChatModelFunctionCall,
  type ChatModelFunctions,
  type GbnfJsonSchema,
  type Llama,
  type LlamaContext,
  type LlamaContextSequence,
  type LlamaJsonSchemaGrammar,
} from 'node-llama-cpp';
import { CodedError } from '../../../shared/ipc/errors';
import type { FinishReason, StreamPart } from '../../../shared/ipc/stream-parts';
import { trimToContext } from './context-policy';
import type { GenerateRequest, PromptMessage, ToolDefinition } from './language-model';

/**
 * One answer from a loaded local model: maps a GenerateRequest (sampling,
 * stop strings, JSON schema, tools) onto node-llama-cpp's LlamaChat and its
 * result onto stream parts.
 */
export async function generateLocal(
  llama: Llama,
  context: LlamaContext,
  request: GenerateRequest,
  signal: AbortSignal,
  push: (part: StreamPart) => void,
): Promise<void> {
  if (request.tools?.length && request.responseFormat?.type === 'json_schema') {
    throw new CodedError('INVALID_INPUT', 'A request can ask for tools or for JSON output, not both');
  }
  request = fitToContext(context, request, push);
  const forced = forcedTool(request);
  if (forced) return generateForcedCall(llama, context, request, forced, signal, push);
  const grammar =
    request.responseFormat?.type === 'json_schema' ? await jsonGrammar(llama, request.responseFormat.schema) : undefined;
  const functions: ChatModelFunctions | undefined = request.tools?.length
    ? Object.fromEntries(
        request.tools.map((tool) => [tool.name, { description: tool.description, params: tool.parameters as GbnfJsonSchema | undefined }]),
      )
    : undefined;

  const sequence = await takeSequence(context, signal);
  let chat: LlamaChat | null = null;
  try {
    chat = new LlamaChat({ contextSequence: sequence, autoDisposeSequence: false });
    const history = toChatHistory(request);
    const inputTokens = sequence.model.tokenize(promptText(request)).length;
    let outputTokens = 0;
    const common = {
      maxTokens: request.maxTokens,
      temperature: request.temperature,
      topP: request.topP,
      topK: request.topK,
      minP: request.minP,
      seed: request.seed,
      repeatPenalty: request.repeatPenalty === undefined ? undefined : { penalty: request.repeatPenalty },
      customStopTriggers: request.stopStrings?.length ? request.stopStrings : undefined,
      signal,
      stopOnAbortSignal: true,
      onResponseChunk: (chunk: { type?: string; text: string; tokens: readonly unknown[] }) => {
        outputTokens += chunk.tokens.length;
        if (chunk.text.length === 0) return;
        push(chunk.type === 'segment' ? { type: 'reasoning-delta', text: chunk.text } : { type: 'text-delta', text: chunk.text });
      },
    };
    const result = functions
      ? await chat.generateResponse(history, { ...common, functions })
      : await chat.generateResponse(history, { ...common, grammar });
    const calls = result.functionCalls ?? [];
    for (const call of calls) {
      push({ type: 'tool-call', toolCallId: `call_${randomUUID()}`, toolName: call.functionName, args: call.params ?? {} });
    }
    push({ type: 'usage', usage: { inputTokens, outputTokens } });
    const stop = result.metadata.stopReason;
    const reason: FinishReason =
      stop === 'abort' || signal.aborted ? 'cancelled' : calls.length > 0 ? 'tool-calls' : stop === 'maxTokens' ? 'length' : 'stop';
    push({ type: 'finish', reason });
  } finally {
    chat?.dispose({ disposeSequence: false });
    giveBack(sequence);
  }
}

/** A request waiting for a sequence looks again after this long even when no release was announced. */
const SEQUENCE_WAIT_FALLBACK_MS = 250;

/** Requests waiting for a sequence of each context; woken when one is given back or the context is disposed. */
const sequenceWaiters = new WeakMap<LlamaContext, Set<() => void>>();

function wakeSequenceWaiters(context: LlamaContext): void {
  const waiters = sequenceWaiters.get(context);
  if (!waiters) return;
  for (const wake of [...waiters]) wake();
}

/** Resolves when a sequence of `context` is given back, the context is disposed, `signal` aborts, or after the fallback delay. */
function sequenceReleased(context: LlamaContext, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    let waiters = sequenceWaiters.get(context);
    if (!waiters) {
      // once per context: its disposal wakes whoever waits on it
      waiters = new Set();
      sequenceWaiters.set(context, waiters);
      const listener = context.onDispose.createListener(() => {
        listener.dispose();
        wakeSequenceWaiters(context);
      });
    }
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      waiters.delete(done);
      resolve();
    };
    const timer = setTimeout(done, SEQUENCE_WAIT_FALLBACK_MS);
    signal.addEventListener('abort', done, { once: true });
    waiters.add(done);
  });
}

/**
 * A clean sequence of the context. A sequence given back returns to the
 * context only when node-llama-cpp's decode loop pauses (its cells are
 * cleared under the context lock, which the loop holds while other sequences
 * keep generating), so the runtime creates one spare sequence beyond the
 * requests it lets run at once, and a request that still finds none waits
 * here for one to be given back; it leaves at once when its signal aborts,
 * and with an error when the context is disposed (the model was unloaded:
 * no sequence ever comes back then).
 */
export async function takeSequence(context: LlamaContext, signal: AbortSignal): Promise<LlamaContextSequence> {
  for (;;) {
    if (signal.aborted) throw new CodedError('CANCELLED', 'Cancelled while waiting for the model');
    if (context.disposed) throw new CodedError('GENERATION_FAILED', 'The model was unloaded while this request waited for it', { retryable: true });
    if (context.sequencesLeft > 0) break;
    await sequenceReleased(context, signal);
  }
  const sequence = context.getSequence();
  if (context.totalSequences > 1) keepInStep(sequence);
  return sequence;
}

/**
 * Keeps the sequences of one context decoding in the same batch. node-llama-cpp
 * decodes whatever is queued the moment a batch ends; a sequence whose next
 * token is queued a few microtasks after the others then falls into a batch of
 * its own, and the sequences drift into alternating half batches (measured on
 * the 120 MB bench model, 4 clients: 3 tokens per decode instead of 4). The
 * hook node-llama-cpp awaits after each batch (its checkpoint step) is given
 * one event-loop turn more, in which every sequence of that batch queues its
 * next token. Internal API: when it is missing, batching still works, only
 * less evenly.
 */
function keepInStep(sequence: LlamaContextSequence): void {
  const internal = sequence as unknown as { _takeIntervalCheckpointIfNeededAfterBatch?: (length: number) => unknown };
  const original = internal._takeIntervalCheckpointIfNeededAfterBatch;
  if (typeof original !== 'function') return;
  internal._takeIntervalCheckpointIfNeededAfterBatch = (length: number) =>
    Promise.resolve(original.call(sequence, length)).then(() => new Promise<void>((resolve) => setImmediate(resolve)));
}

/** Gives a sequence back without waiting for node-llama-cpp to clear it (see takeSequence). */
export function giveBack(sequence: LlamaContextSequence): void {
  const context = sequence.context;
  void sequence
    .dispose()
    .catch(() => undefined)
    .then(() => wakeSequenceWaiters(context));
}

/** Applies the context policy before the prompt is built; a drop is announced as a part. */
function fitToContext(context: LlamaContext, request: GenerateRequest, push: (part: StreamPart) => void): GenerateRequest {
  const model = context.model;
  const countTokens = (text: string) => model.tokenize(text).length;
  const fixedTokens = request.systemPrompt ? countTokens(request.systemPrompt) : 0;
  const trimmed = trimToContext(request.messages, {
    contextSize: context.contextSize,
    maxTokens: request.maxTokens,
    policy: request.contextPolicy,
    countTokens,
    fixedTokens,
  });
  if (trimmed.droppedMessages === 0) return request;
  push({ type: 'context-trimmed', droppedMessages: trimmed.droppedMessages, droppedTokens: trimmed.droppedTokens });
  return { ...request, messages: trimmed.messages };
}

async function jsonGrammar(llama: Llama, schema: Record<string, unknown>): Promise<LlamaJsonSchemaGrammar<never>> {
  try {
    return await llama.createGrammarForJsonSchema(schema as never);
  } catch (error) {
    throw new CodedError('INVALID_INPUT', `This JSON schema is not supported: ${(error as Error).message}`);
  }
}

function forcedTool(request: GenerateRequest): ToolDefinition | null {
  const choice = request.toolChoice;
  if (!choice || choice === 'auto' || !request.tools?.length) return null;
  if (choice === 'required') {
    if (request.tools.length === 1) return request.tools[0]!;
    throw new CodedError('INVALID_INPUT', 'toolChoice "required" with several tools: name the tool to call');
  }
  const tool = request.tools.find((t) => t.name === choice.name);
  if (!tool) throw new CodedError('INVALID_INPUT', `toolChoice names "${choice.name}", which is not among the tools`);
  return tool;
}

/**
 * A call the caller insists on: the arguments are generated under a grammar
 * for the tool's parameter schema, so any model (even one with no native
 * function calling) produces a valid call.
 */
async function generateForcedCall(
  llama: Llama,
  context: LlamaContext,
  request: GenerateRequest,
  tool: ToolDefinition,
  signal: AbortSignal,
  push: (part: StreamPart) => void,
): Promise<void> {
  const grammar = await jsonGrammar(llama, tool.parameters ?? { type: 'object', properties: {} });
  const instruction = `Call the tool "${tool.name}"${tool.description ? ` (${tool.description})` : ''}: answer with its arguments as JSON.`;
  const withInstruction: GenerateRequest = {
    ...request,
    tools: undefined,
    toolChoice: undefined,
    systemPrompt: [request.systemPrompt ?? systemText(request.messages), instruction].filter(Boolean).join('\n\n'),
  };
  const sequence = await takeSequence(context, signal);
  let chat: LlamaChat | null = null;
  try {
    chat = new LlamaChat({ contextSequence: sequence, autoDisposeSequence: false });
    const result = await chat.generateResponse(toChatHistory(withInstruction), {
      grammar,
      maxTokens: request.maxTokens,
      temperature: request.temperature,
      seed: request.seed,
      signal,
      stopOnAbortSignal: true,
    });
    const outputTokens = sequence.model.tokenize(result.response).length;
    push({ type: 'usage', usage: { inputTokens: sequence.model.tokenize(promptText(withInstruction)).length, outputTokens } });
    if (result.metadata.stopReason === 'abort' || signal.aborted) {
      push({ type: 'finish', reason: 'cancelled' });
      return;
    }
    let args: unknown;
    try {
      args = grammar.parse(result.response);
    } catch {
      // cut short by maxTokens: no complete call
      push({ type: 'finish', reason: 'length' });
      return;
    }
    push({ type: 'tool-call', toolCallId: `call_${randomUUID()}`, toolName: tool.name, args });
    push({ type: 'finish', reason: 'tool-calls' });
  } finally {
    chat?.dispose({ disposeSequence: false });
    giveBack(sequence);
  }
}

function systemText(messages: PromptMessage[]): string | undefined {
  const system = messages.find((m) => m.role === 'system');
  return system?.role === 'system' ? system.text : undefined;
}

function promptText(request: GenerateRequest): string {
  const texts = request.messages.map((m) => (m.role === 'tool' ? JSON.stringify(m.result ?? null) : m.text));
  return [request.systemPrompt ?? '', ...texts].join('\n');
}

/** Maps prompt messages onto node-llama-cpp's history; tool results join the call they answer. */
export function toChatHistory(request: GenerateRequest): ChatHistoryItem[] {
  const history: ChatHistoryItem[] = [];
  const messages: PromptMessage[] = request.systemPrompt
    ? [{ role: 'system', text: request.systemPrompt }, ...request.messages.filter((m) => m.role !== 'system')]
    : request.messages;
  const results = new Map<string, unknown>();
  for (const message of messages) if (message.role === 'tool') results.set(message.toolCallId, message.result);
  for (const message of messages) {
    if (message.role === 'system') history.push({ type: 'system', text: message.text });
    else if (message.role === 'user') history.push({ type: 'user', text: message.text });
    else if (message.role === 'assistant') {
      const response: (string | ChatModelFunctionCall)[] = message.text ? [message.text] : [];
      for (const call of message.toolCalls ?? []) {
        response.push({ type: 'functionCall', name: call.toolName, params: call.args, result: results.get(call.toolCallId) ?? null });
      }
      history.push({ type: 'model', response });
    }
  }
  // LlamaChat continues the last model item: after tool results, the same answer goes on; otherwise a new one starts.
  if (messages.at(-1)?.role !== 'tool') history.push({ type: 'model', response: [] });
  return history;
}
