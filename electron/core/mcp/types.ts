import type { McpCallResult, McpServerStatus, McpTool, ToolApprovalPolicy } from '../../../shared/ipc/routes/mcp';

/** Progress a running tool reported (MCP `notifications/progress`). */
export interface ToolProgress {
  progress: number;
  total?: number;
  message?: string;
}

export interface CallToolOptions {
  /** Aborting sends `notifications/cancelled` to the server. */
  signal?: AbortSignal;
  /** Each progress notification also restarts the call's timeout. */
  onProgress?: (progress: ToolProgress) => void;
}

/**
 * What the chat tool loop needs from the MCP host (implemented by `McpHost`).
 * Tools are addressed by server name and the tool's own name.
 */
export interface McpToolHost {
  /** Enabled tools of the named servers that are ready now (disabled servers and tools left out). */
  toolsFor(servers: readonly string[]): { server: string; tool: McpTool }[];
  /** Calls a tool; throws a CodedError (MCP_UNAVAILABLE, MCP_ERROR, TIMEOUT, CANCELLED) when there is no result. */
  callTool(server: string, tool: string, args: Record<string, unknown>, options?: CallToolOptions): Promise<McpCallResult>;
  approvalPolicy(server: string, tool: string): ToolApprovalPolicy;
  /** "Always allow" from an approval card. */
  setApprovalPolicy(server: string, tool: string, approval: ToolApprovalPolicy): Promise<void>;
  readResource(server: string, uri: string): Promise<{ uri: string; mimeType: string | null; text: string | null; blobBase64: string | null }[]>;
  status(server: string): McpServerStatus | null;
}

/** A server's `sampling/createMessage`, reduced to what Tandem shows and runs. */
export interface SamplingParams {
  messages: { role: 'user' | 'assistant'; text: string }[];
  systemPrompt: string | null;
  maxTokens: number;
  temperature?: number;
  stopSequences?: string[];
}

/** Answers a server's sampling request (after the user approved it), or throws to refuse it. */
export type SamplingHandler = (
  server: string,
  params: SamplingParams,
  signal: AbortSignal,
) => Promise<{ model: string; text: string; stopReason: 'endTurn' | 'maxTokens' | 'stopSequence' }>;
