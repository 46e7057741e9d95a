/**
 * The client the MCP conformance suite drives (`@modelcontextprotocol/conformance client`).
 *
 *   node bin/run-ts.mjs electron/core/mcp/conformance-client.ts <server-url>
 *
 * The suite starts a scenario's server, then runs this with the server's URL as
 * the last argument and the scenario in MCP_CONFORMANCE_SCENARIO. It connects
 * the way Tandem connects a user's HTTP server (McpHost: streamable HTTP,
 * falling back to SSE), lists the tools, and calls each one with arguments made from its input schema (which
 * is what every client scenario asks for: `add_numbers`, the elicitation tool,
 * the reconnection tool, the auth scenarios' `test-tool`). Tandem declares no
 * elicitation and no OAuth, so those scenarios are in tests/conformance/baseline.json.
 *
 * Exit code 0 when everything it tried worked, 1 otherwise; the suite judges
 * conformance from what its server saw, not from this exit code.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../app/logger';
import { McpHost } from './mcp-host';

const DEADLINE_MS = 15_000;

type JsonSchema = { type?: string | string[]; properties?: Record<string, JsonSchema>; required?: string[]; enum?: unknown[]; default?: unknown };

/** Arguments that satisfy a tool's input schema: defaults and enum values first, else a plain value of the type. */
function argumentsFor(schema: JsonSchema | undefined): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  for (const name of schema?.required ?? []) args[name] = sampleValue(schema?.properties?.[name]);
  return args;
}

function sampleValue(schema: JsonSchema | undefined): unknown {
  if (!schema) return 'x';
  if (schema.default !== undefined) return schema.default;
  if (schema.enum?.length) return schema.enum[0];
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'number':
    case 'integer':
      return 2;
    case 'boolean':
      return true;
    case 'array':
      return [];
    case 'object':
      return argumentsFor(schema);
    case 'null':
      return null;
    default:
      return 'x';
  }
}

interface ConformanceConnection {
  listTools(): { name: string; inputSchema: unknown }[];
  callTool(name: string, args: Record<string, unknown>): Promise<{ isError: boolean; text: string }>;
  close(): Promise<void>;
}

const SERVER = 'conformance';

/**
 * Tandem's whole client path: an McpHost (in a throwaway data dir) with the URL
 * added as a user's HTTP server, waited on until ready, its tools called through
 * `McpHost.callTool` as the chat tool loop does.
 */
async function openConformanceConnection(url: string, { log }: { log: (line: string) => void }): Promise<ConformanceConnection> {
  const dataDir = await mkdtemp(join(tmpdir(), 'tandem-conformance-client-'));
  const host = new McpHost({ dataDir, logger: createLogger('warn'), clientInfo: { name: 'Tandem', version: '0.1.0' }, loginShellPath: false });
  const close = async () => {
    for (const line of host.status(SERVER) ? host.logs(SERVER) : []) log(line);
    await host.dispose();
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    await host.init();
    const added = await host.add({ transport: 'http', name: SERVER, url, timeoutMs: 10_000 });
    // A failed first start is the answer (ensureReady would start it once more).
    if (added.state === 'error') throw new Error(added.error?.message ?? 'the server could not be started');
    await host.ensureReady(SERVER);
  } catch (error) {
    await close();
    throw error;
  }
  log(`ready via ${host.status(SERVER)?.connectedVia ?? '?'}`);
  return {
    listTools: () => host.toolsFor([SERVER]).map(({ tool }) => tool),
    callTool: (name, args) => host.callTool(SERVER, name, args),
    close,
  };
}

async function main(): Promise<number> {
  const url = process.argv.at(-1);
  const scenario = process.env.MCP_CONFORMANCE_SCENARIO ?? '(none)';
  if (!url || !/^https?:\/\//.test(url)) {
    console.error('usage: conformance-client.ts <server-url>');
    return 2;
  }
  const log = (line: string) => console.error(`[conformance-client ${scenario}] ${line}`);
  const connection = await openConformanceConnection(url, { log });
  let failed = false;
  try {
    const tools = connection.listTools();
    log(`tools: ${tools.map((tool) => tool.name).join(', ') || '(none)'}`);
    for (const tool of tools) {
      const args = argumentsFor(tool.inputSchema as JsonSchema);
      try {
        const result = await connection.callTool(tool.name, args);
        log(`${tool.name}(${JSON.stringify(args)}) → ${result.isError ? 'tool error: ' : ''}${result.text}`);
        if (result.isError) failed = true;
      } catch (error) {
        failed = true;
        log(`${tool.name} failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  } finally {
    await connection.close();
  }
  return failed ? 1 : 0;
}

const deadline = setTimeout(() => {
  console.error(`conformance client: gave up after ${DEADLINE_MS} ms`);
  process.exit(1);
}, DEADLINE_MS);
deadline.unref();

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`conformance client: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
