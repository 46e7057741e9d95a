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
    // [issue 15] A stdio server from a client other than the window (a program on the serve socket) waits for the window's confirmation.
    'mcp.add': (input, { fromWindow }) => host.add(input, { needsConfirmation: fromWindow !== true }),
    'mcp.update': (input, { fromWindow }) => host.update(input, { needsConfirmation: fromWindow !== true }),
    'mcp.confirmStart': ({ name }, { fromWindow }) => {
      if (fromWindow !== true) throw new CodedError('FORBIDDEN', `Only the Tandem window can allow ${name} to run; open the MCP page there`);
      return host.confirmStart(name);
    },
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
    // Issue 13: sign-in (OAuth helper); elicitation answers (elicitation helper).
    'mcp.login': async ({ name }) => {
      const { authorizationUrl, status } = await host.login(name);
      return { authorizationUrl, status };
    },
    'mcp.logout': ({ name }) => host.logout(name),
    'mcp.answerElicitation': () => ({ resolved: false }),
    'mcp.pendingElicitations': () => [],
  };
}
