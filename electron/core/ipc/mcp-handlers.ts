import { CodedError } from '../../../shared/ipc/errors';
import type { Handlers } from './handlers';

/** Approvals and sampling answers are the tool loop's (tool-approval-handlers.ts). */
type McpRoute = Exclude<Extract<keyof Handlers, `mcp.${string}`>, 'mcp.answerSampling' | 'mcp.pendingSampling'>;

const notYet = () => {
  throw new CodedError('UNSUPPORTED', 'MCP servers are not available in this build yet');
};

/** Placeholder until the MCP host lands: every route answers UNSUPPORTED. */
export function createMcpHandlers(): Pick<Handlers, McpRoute> {
  return {
    'mcp.list': () => [],
    'mcp.add': notYet,
    'mcp.update': notYet,
    'mcp.remove': notYet,
    'mcp.setEnabled': notYet,
    'mcp.restart': notYet,
    'mcp.setToolPolicy': notYet,
    'mcp.logs': notYet,
    'mcp.callTool': notYet,
    'mcp.readResource': notYet,
    'mcp.getPrompt': notYet,
    'mcp.import': notYet,
    'mcp.export': notYet,
  };
}
