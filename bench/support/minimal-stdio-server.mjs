#!/usr/bin/env node
// The smallest useful MCP server over stdio (the SDK's low-level Server, one `echo` tool):
// bench/mcp.ts times spawn-to-ready on it to separate what Tandem adds from what a server costs to start.
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';

const server = new Server({ name: 'tandem-bench-minimal', version: '1.0.0' }, { capabilities: { tools: {} } });

server.setRequestHandler(ListToolsRequestSchema, async () => ({
  tools: [
    {
      name: 'echo',
      description: 'Echoes back the input',
      inputSchema: { type: 'object', properties: { message: { type: 'string' } }, required: ['message'] },
    },
  ],
}));

server.setRequestHandler(CallToolRequestSchema, async (request) => {
  if (request.params.name !== 'echo') throw new Error(`Unknown tool: ${request.params.name}`);
  return { content: [{ type: 'text', text: `Echo: ${String(request.params.arguments?.message ?? '')}` }] };
});

await server.connect(new StdioServerTransport());
