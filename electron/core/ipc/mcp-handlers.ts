import { CodedError } from '../../../shared/ipc/errors';
import type { Handlers } from './handlers';

type McpRoute = Extract<keyof Handlers, `mcp.${string}` | 'chat.approveTool'>;

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
    'chat.approveTool': () => ({ resolved: false }),
    'mcp.answerSampling': () => ({ resolved: false }),
    'mcp.pendingSampling': () => [],
  };
}
