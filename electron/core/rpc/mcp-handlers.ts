import { CodedError } from '../../../shared/ipc/errors';
import type { McpHost } from '../mcp/mcp-host';
import type { Handlers } from './handlers';

type McpRoute = Extract<keyof Handlers, `mcp.${string}` | 'chat.approveTool'>;

export interface McpHandlerDeps {
  host: McpHost;
}

/** Thin handlers over the MCP host; approvals and sampling answers belong to the tool loop. */
export function createMcpHandlers({ host }: McpHandlerDeps): Pick<Handlers, McpRoute> {
  return {
    'mcp.list': () => host.list(),
    'mcp.add': (input) => host.add(input),
    'mcp.update': (input) => host.update(input),
    'mcp.remove': async ({ name }) => {
      await host.remove(name);
      return { removed: true as const };
    },
    'mcp.setEnabled': ({ name, enabled }) => host.setEnabled(name, enabled),
    'mcp.restart': ({ name }) => host.restart(name),
    'mcp.setToolPolicy': ({ name, tool, enabled, approval }) => host.setToolPolicy(name, tool, { enabled, approval }),
    'mcp.logs': ({ name }) => ({ lines: host.logs(name) }),
    'mcp.callTool': ({ name, tool, args }) => host.callTool(name, tool, args),
    'mcp.readResource': async ({ name, uri }) => ({ contents: await host.readResource(name, uri) }),
    'mcp.getPrompt': ({ name, prompt, args }) => host.getPrompt(name, prompt, args),
    'mcp.import': ({ content }) => host.importConfig(content),
    'mcp.export': () => host.exportConfig(),
    'chat.approveTool': () => ({ resolved: false }),
    'mcp.answerSampling': () => ({ resolved: false }),
    'mcp.pendingSampling': () => [],
    // Issue 13: stubs until the OAuth and elicitation pieces land.
    'mcp.login': () => {
      throw new CodedError('UNSUPPORTED', 'Signing in to MCP servers is not built yet');
    },
    'mcp.logout': () => {
      throw new CodedError('UNSUPPORTED', 'Signing out of MCP servers is not built yet');
    },
    'mcp.answerElicitation': () => ({ resolved: false }),
    'mcp.pendingElicitations': () => [],
  };
}
