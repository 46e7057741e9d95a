import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Core } from '../../app/create-core';
import { registerBenchmarkTools } from './benchmark-tools';
import { registerDocumentTools } from './document-tools';
import { registerGenerateTool } from './generate-tool';
import { registerModelTools } from './model-tools';
import { PromptingStore } from './prompting-store';
import { registerResources } from './resources';
import { registerRoutingTools } from './routing-tools';
import { registerSoupTools } from './soup-tools';
import { toolRunner, type ToolCallRecord } from './tool-runner';

export interface TandemMcpServerOptions {
  /** Shared by every session of one process (the HTTP handler makes one); a new one otherwise. */
  prompting?: PromptingStore;
  /** Told of every tool call when it ends (the API's request log). */
  onToolCall?: (record: ToolCallRecord) => void;
  version?: string;
}

const INSTRUCTIONS = `Tandem: local and cloud LLMs behind one router (Auto), with budgets, privacy rules and document collections.
Pick a model with route_task (or preemptive_route_task, fastest), price it with get_cost_estimate, then generate (model auto lets Tandem pick).
list_models gives every model's context; search_documents searches a collection (resources tandem://collections/… list them).
benchmark_task / benchmark_tasks compare models through Tandem's lab. turtle_soup_start/ask/hint/guess/reveal play a Turtle Soup puzzle game with a Tandem model as host. Results marked localOnly must not be sent to cloud models.`;

/**
 * Tandem as an MCP server: routing, cost, generation, models, documents,
 * benchmarks and usage as tools; collections and models as resources. One
 * server per connection (stdio, or one HTTP session); all share the core.
 */
export function createTandemMcpServer(core: Core, options: TandemMcpServerOptions = {}): McpServer {
  const server = new McpServer(
    { name: 'tandem', title: 'Tandem', version: options.version ?? '0.0.0' },
    { capabilities: { logging: {} }, instructions: INSTRUCTIONS },
  );
  const run = toolRunner(options.onToolCall);
  const prompting = options.prompting ?? new PromptingStore(core.layout.root);
  registerRoutingTools(server, core, run);
  registerGenerateTool(server, core, run, prompting);
  registerModelTools(server, core, run, prompting);
  registerDocumentTools(server, core, run);
  registerBenchmarkTools(server, core, run);
  registerSoupTools(server, core, run);
  registerResources(server, core);
  return server;
}
