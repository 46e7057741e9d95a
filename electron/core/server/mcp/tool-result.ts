import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { toTandemError } from '../../../../shared/ipc/errors';

/** What a tool call used, for the API's request log (filled in by the tool as it learns it). */
export interface ToolCallUsage {
  /** The model that answered (after Auto and fallbacks); null when none did. */
  model: string | null;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

/** A tool's answer: the JSON as text (what every client shows) and as structured content. */
export function jsonResult(value: Record<string, unknown>, text?: string): CallToolResult {
  return { content: [{ type: 'text', text: text ?? JSON.stringify(value, null, 2) }], structuredContent: value };
}

/** A failed tool call as MCP wants it: an `isError` result whose text says what went wrong (`CODE: message`). */
export function errorResult(error: unknown): CallToolResult {
  const { code, message } = toTandemError(error);
  return { content: [{ type: 'text', text: `${code}: ${message}` }], isError: true };
}
