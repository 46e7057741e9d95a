import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { CallToolResult, ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js';
import { errorResult, type ToolCallUsage } from './tool-result';

export type ToolExtra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** One finished tool call, for the API's request log ("MCP tools/call NAME"). */
export interface ToolCallRecord extends ToolCallUsage {
  tool: string;
  ok: boolean;
  durationMs: number;
}

/**
 * Runs a tool's work: a thrown error becomes an `isError` result with
 * `CODE: message` (a tool failure is an answer, not a protocol error), and
 * every call is reported with what it used.
 */
export type ToolRunner = (tool: string, extra: ToolExtra, work: (usage: ToolCallUsage) => Promise<CallToolResult>) => Promise<CallToolResult>;

export function toolRunner(onToolCall?: (record: ToolCallRecord) => void): ToolRunner {
  return async (tool, _extra, work) => {
    const started = performance.now();
    const usage: ToolCallUsage = { model: null, inputTokens: 0, outputTokens: 0, costUsd: 0 };
    let result: CallToolResult;
    try {
      result = await work(usage);
    } catch (error) {
      result = errorResult(error);
    }
    try {
      onToolCall?.({ tool, ok: result.isError !== true, durationMs: performance.now() - started, ...usage });
    } catch {
      // The log is not the answer: a failing recorder never turns a result into an error.
    }
    return result;
  };
}
