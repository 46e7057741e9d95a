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
 * the reconnection tool, the auth scenarios' `test-tool`). OAuth (issue 13)
 * runs through the same McpHost path a user's server takes, with
 * `auth.authorizeAutomatically` so a 401 signs in at once and the consent link
 * is followed with fetch instead of a browser.
 *
 * Exit code 0 when everything it tried worked, 1 otherwise; the suite judges
 * conformance from what its server saw, not from this exit code.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { McpAuthConfigInput } from '../../../shared/ipc/routes/mcp';
import { createLogger } from '../app/logger';
import { ElicitationService } from './elicitation-service';
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

/** The client ID metadata document URL the conformance suite expects a CIMD-capable client to present (auth/basic-cimd). */
const CONFORMANCE_CLIENT_METADATA_URL = 'https://conformance-test.local/client-metadata.json';

/**
 * [issue 13] What a user would enter in the server form, from the scenario's
 * MCP_CONFORMANCE_CONTEXT: pre-registered client id and secret, or client
 * credentials (a secret, or a private key for private_key_jwt).
 */
function authConfigFromContext(): { auth?: McpAuthConfigInput } {
  const raw = process.env.MCP_CONFORMANCE_CONTEXT;
  if (!raw) return {};
  const context = JSON.parse(raw) as { client_id?: string; client_secret?: string; private_key_pem?: string; signing_algorithm?: string };
  const scenario = process.env.MCP_CONFORMANCE_SCENARIO ?? '';
  if (!context.client_id) return {};
  if (scenario.startsWith('auth/client-credentials')) {
    return {
      auth: context.private_key_pem
        ? { type: 'client-credentials', clientId: context.client_id, privateKeyPem: context.private_key_pem, signingAlgorithm: (context.signing_algorithm ?? 'RS256') as 'RS256' }
        : { type: 'client-credentials', clientId: context.client_id, clientSecret: context.client_secret },
    };
  }
  return { auth: { type: 'oauth', clientId: context.client_id, ...(context.client_secret ? { clientSecret: context.client_secret } : {}) } };
}

/**
 * Tandem's whole client path: an McpHost (in a throwaway data dir) with the URL
 * added as a user's HTTP server, waited on until ready, its tools called through
 * `McpHost.callTool` as the chat tool loop does.
 */
async function openConformanceConnection(url: string, { log }: { log: (line: string) => void }): Promise<ConformanceConnection> {
  const dataDir = await mkdtemp(join(tmpdir(), 'tandem-conformance-client-'));
  // [issue 13] A server's form is answered at once with Accept and nothing typed: the service fills in the schema's defaults (SEP-1034).
  const elicitation: ElicitationService = new ElicitationService({
    broadcast: (request) => queueMicrotask(() => elicitation.answer(request.requestId, 'accept', {})),
    ended: () => undefined,
  });
  const host = new McpHost({
    dataDir,
    logger: createLogger('warn'),
    clientInfo: { name: 'Tandem', version: '0.1.0' },
    loginShellPath: false,
    elicitationHandler: elicitation.handler,
    // [issue 13, OAuth] A 401 starts the sign-in at once, and "the browser" follows the consent link with fetch (the
    // scenarios' authorization servers approve at once and redirect to Tandem's loopback listener).
    auth: {
      authorizeAutomatically: true,
      openExternal: async (link) => {
        const page = await fetch(link);
        await page.text();
      },
      clientMetadataUrl: CONFORMANCE_CLIENT_METADATA_URL,
    },
  });
  const close = async () => {
    for (const line of host.status(SERVER) ? host.logs(SERVER) : []) log(line);
    await host.dispose();
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    await host.init();
    const added = await host.add({ transport: 'http', name: SERVER, url, timeoutMs: 10_000, ...authConfigFromContext() });
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
