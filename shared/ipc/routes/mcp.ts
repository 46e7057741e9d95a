import { z } from 'zod';
import { ErrorCodeSchema } from '../errors';
import { request } from '../route-def';

/** Server names: what `tandem mcp add NAME` takes and what tools are grouped under. */
export const McpServerNameSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'server names are letters, digits, ., _ and -');

const EnvKeySchema = z.string().min(1).max(256).regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'env names are letters, digits and _');
const HeaderKeySchema = z.string().min(1).max(256).regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'not a valid header name');

/**
 * How an HTTP server is signed in to (issue 13). `oauth` is the interactive
 * authorization-code flow with PKCE (a browser opens for consent); the client
 * is registered dynamically, by a client ID metadata document, or with the
 * id (and secret) the user entered. `client-credentials` is machine to
 * machine: no browser; a secret (client_secret_basic / _post) or a private
 * key (private_key_jwt). Secrets are sealed like provider keys and only ever
 * come back masked; on update a secret left out keeps its stored value.
 */
export const McpAuthConfigInputSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('none') }),
  z.strictObject({
    type: z.literal('oauth'),
    clientId: z.string().min(1).max(1024).optional(),
    clientSecret: z.string().min(1).max(4096).optional(),
    /** Extra scopes to ask for, space separated (besides what the server advertises). */
    scope: z.string().max(2048).optional(),
  }),
  z.strictObject({
    type: z.literal('client-credentials'),
    clientId: z.string().min(1).max(1024),
    clientSecret: z.string().min(1).max(4096).optional(),
    /** PEM private key for private_key_jwt (instead of a secret). */
    privateKeyPem: z.string().min(1).max(16_384).optional(),
    /** JWS algorithm for the private key (default RS256). */
    signingAlgorithm: z.enum(['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512', 'PS256', 'EdDSA']).optional(),
    scope: z.string().max(2048).optional(),
  }),
]);
export type McpAuthConfigInput = z.infer<typeof McpAuthConfigInputSchema>;

/** The auth config as the UI sees it: secrets masked (`••••1234`), never in clear. */
export const McpAuthConfigViewSchema = z.object({
  type: z.enum(['none', 'oauth', 'client-credentials']),
  clientId: z.string().nullable(),
  clientSecret: z.string().nullable(),
  privateKey: z.boolean(),
  signingAlgorithm: z.string().nullable(),
  scope: z.string().nullable(),
});
export type McpAuthConfigView = z.infer<typeof McpAuthConfigViewSchema>;

/**
 * Where a server's sign-in stands. `required`: the server answered 401 and
 * waits for the user (Sign in); `authorizing`: a browser flow is open
 * (`authorizationUrl` is the consent link, shown in serve mode);
 * `authorized`: Tandem holds a token (`account` when the token says who);
 * `error`: the last attempt failed (`message` says why, never a token).
 */
export const McpAuthStatusSchema = z.object({
  state: z.enum(['none', 'required', 'authorizing', 'authorized', 'error']),
  account: z.string().nullable(),
  scopes: z.array(z.string()),
  authorizationUrl: z.string().nullable(),
  /** Epoch ms when the access token expires (it is refreshed before), null when unknown. */
  expiresAt: z.number().nullable(),
  message: z.string().nullable(),
});
export type McpAuthStatus = z.infer<typeof McpAuthStatusSchema>;

const CommonConfig = {
  name: McpServerNameSchema,
  enabled: z.boolean().optional(),
  /** A tool call with no answer (and no progress) for this long is cancelled on the server. Default 60 s. */
  timeoutMs: z.number().int().min(1000).max(3_600_000).optional(),
};

/**
 * A server as the user gives it. Secret env values and headers are stored
 * like provider keys (encrypted) and only ever come back masked; on update,
 * a secret left out keeps its stored value.
 */
export const McpServerConfigInputSchema = z.discriminatedUnion('transport', [
  z.strictObject({
    transport: z.literal('stdio'),
    ...CommonConfig,
    command: z.string().min(1).max(4096),
    args: z.array(z.string().max(8192)).max(256).optional(),
    env: z.record(EnvKeySchema, z.string().max(32_768)).optional(),
    /** Names in `env` whose values are secret. */
    secretEnv: z.array(EnvKeySchema).max(64).optional(),
    cwd: z.string().min(1).max(4096).optional(),
  }),
  z.strictObject({
    /** Streamable HTTP, falling back to SSE for old servers. */
    transport: z.literal('http'),
    ...CommonConfig,
    url: z.url({ protocol: /^https?$/ }).max(4096),
    headers: z.record(HeaderKeySchema, z.string().max(32_768)).optional(),
    secretHeaders: z.array(HeaderKeySchema).max(64).optional(),
    /** How Tandem signs in. Left out: OAuth with discovery when the server answers 401 (nothing to configure). */
    auth: McpAuthConfigInputSchema.optional(),
  }),
]);
export type McpServerConfigInput = z.infer<typeof McpServerConfigInputSchema>;

/** A value as the UI sees it: secrets are masked (`••••1234`). */
const ShownValue = z.object({ value: z.string(), secret: z.boolean() });

export const McpServerConfigViewSchema = z.object({
  name: z.string(),
  transport: z.enum(['stdio', 'http']),
  enabled: z.boolean(),
  timeoutMs: z.number().int(),
  command: z.string().nullable(),
  args: z.array(z.string()),
  env: z.record(z.string(), ShownValue),
  cwd: z.string().nullable(),
  url: z.string().nullable(),
  headers: z.record(z.string(), ShownValue),
  /** HTTP servers only; null for stdio. */
  auth: McpAuthConfigViewSchema.nullable(),
});
export type McpServerConfigView = z.infer<typeof McpServerConfigViewSchema>;

export const ToolApprovalPolicySchema = z.enum(['ask', 'always-allow']);
export type ToolApprovalPolicy = z.infer<typeof ToolApprovalPolicySchema>;

export const McpToolSchema = z.object({
  name: z.string(),
  title: z.string().nullable(),
  description: z.string(),
  /** The tool's JSON schema for its arguments. */
  inputSchema: z.record(z.string(), z.unknown()),
  enabled: z.boolean(),
  approval: ToolApprovalPolicySchema,
});
export type McpTool = z.infer<typeof McpToolSchema>;

export const McpResourceSchema = z.object({
  uri: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  mimeType: z.string().nullable(),
});
export type McpResource = z.infer<typeof McpResourceSchema>;

export const McpPromptSchema = z.object({
  name: z.string(),
  description: z.string().nullable(),
  arguments: z.array(z.object({ name: z.string(), description: z.string().nullable(), required: z.boolean() })),
});
export type McpPrompt = z.infer<typeof McpPromptSchema>;

/**
 * `needs-confirmation` (issue 15): a stdio server added from an imported file
 * or by a client other than the window; it is not started until the user
 * allows it in the window (`mcp.confirmStart`).
 */
export const McpServerStateSchema = z.enum(['disabled', 'starting', 'ready', 'error', 'restarting', 'stopped', 'needs-confirmation']);
export type McpServerState = z.infer<typeof McpServerStateSchema>;

export const McpServerStatusSchema = z.object({
  name: z.string(),
  config: McpServerConfigViewSchema,
  state: McpServerStateSchema,
  error: z.object({ code: ErrorCodeSchema, message: z.string() }).nullable(),
  /** Said before starting when the command cannot be found ("npx is not on PATH: install Node.js"). */
  preflight: z.string().nullable(),
  restarts: z.number().int().nonnegative(),
  /** The transport that connected (HTTP servers may fall back to SSE). */
  connectedVia: z.enum(['stdio', 'streamable-http', 'sse']).nullable(),
  serverInfo: z.object({ name: z.string(), version: z.string() }).nullable(),
  tools: z.array(McpToolSchema),
  resources: z.array(McpResourceSchema),
  prompts: z.array(McpPromptSchema),
  /** Sign-in state of an HTTP server; null for stdio servers. */
  auth: McpAuthStatusSchema.nullable(),
});
export type McpServerStatus = z.infer<typeof McpServerStatusSchema>;

/** A tool's answer. `text` flattens the content blocks for display; the user always gets it whole. */
export const McpCallResultSchema = z.object({
  content: z.array(z.unknown()),
  structuredContent: z.unknown().optional(),
  isError: z.boolean(),
  text: z.string(),
  durationMs: z.number().nonnegative(),
});
export type McpCallResult = z.infer<typeof McpCallResultSchema>;

/** A server's request to sample a model, waiting for the user. */
export const SamplingRequestSchema = z.object({
  requestId: z.string(),
  server: z.string(),
  messages: z.array(z.object({ role: z.enum(['user', 'assistant']), text: z.string() })),
  systemPrompt: z.string().nullable(),
  maxTokens: z.number().int().positive(),
  /** The model Tandem proposes (settings `mcp.samplingModelId`, else a local model). */
  modelId: z.string().nullable(),
});
export type SamplingRequest = z.infer<typeof SamplingRequestSchema>;

/**
 * A server's `elicitation/create`, waiting for the user. Form mode: a form built
 * from `requestedSchema` (a flat object of string / number / integer / boolean /
 * enum properties, with `required` and defaults). URL mode: a link the user is
 * asked to open (`url`, `elicitationId`).
 */
export const ElicitationRequestSchema = z.object({
  requestId: z.string(),
  server: z.string(),
  mode: z.enum(['form', 'url']),
  message: z.string(),
  requestedSchema: z.record(z.string(), z.unknown()).nullable(),
  url: z.string().nullable(),
});
export type ElicitationRequest = z.infer<typeof ElicitationRequestSchema>;

const ServerRef = z.strictObject({ name: McpServerNameSchema });

export const mcpRoutes = {
  'mcp.list': request(z.strictObject({}), z.array(McpServerStatusSchema)),
  /** Adds a server and starts it when enabled (the default). */
  'mcp.add': request(McpServerConfigInputSchema, McpServerStatusSchema),
  /** Replaces a server's config (same name) and restarts it. */
  'mcp.update': request(McpServerConfigInputSchema, McpServerStatusSchema),
  'mcp.remove': request(ServerRef, z.object({ removed: z.literal(true) })),
  'mcp.setEnabled': request(z.strictObject({ name: McpServerNameSchema, enabled: z.boolean() }), McpServerStatusSchema),
  'mcp.restart': request(ServerRef, McpServerStatusSchema),
  /** [issue 15] "Allow this server to run" for a server in state `needs-confirmation`; only the window may (FORBIDDEN otherwise). */
  'mcp.confirmStart': request(ServerRef, McpServerStatusSchema),
  /** Turns one tool on or off, or sets whether calling it asks first. */
  'mcp.setToolPolicy': request(
    z.strictObject({
      name: McpServerNameSchema,
      tool: z.string().min(1).max(256),
      enabled: z.boolean().optional(),
      approval: ToolApprovalPolicySchema.optional(),
    }),
    McpServerStatusSchema,
  ),
  /** The server's stderr (and Tandem's notes about it), last lines first-to-last. */
  'mcp.logs': request(ServerRef, z.object({ lines: z.array(z.string()) })),
  /** Calls a tool directly (the user is acting, so no approval card). */
  'mcp.callTool': request(
    z.strictObject({ name: McpServerNameSchema, tool: z.string().min(1).max(256), args: z.record(z.string(), z.unknown()) }),
    McpCallResultSchema,
  ),
  'mcp.readResource': request(
    z.strictObject({ name: McpServerNameSchema, uri: z.string().min(1).max(8192) }),
    z.object({
      contents: z.array(
        z.object({ uri: z.string(), mimeType: z.string().nullable(), text: z.string().nullable(), blobBase64: z.string().nullable() }),
      ),
    }),
  ),
  'mcp.getPrompt': request(
    z.strictObject({
      name: McpServerNameSchema,
      prompt: z.string().min(1).max(256),
      args: z.record(z.string().max(256), z.string().max(32_768)).optional(),
    }),
    z.object({ description: z.string().nullable(), messages: z.array(z.object({ role: z.enum(['user', 'assistant']), text: z.string() })) }),
  ),
  /** Imports the `mcpServers` object of a Claude Desktop config or any mcp.json. */
  'mcp.import': request(
    z.strictObject({ content: z.string().min(1).max(1_000_000) }),
    z.object({ added: z.array(z.string()), skipped: z.array(z.object({ name: z.string(), reason: z.string() })) }),
  ),
  /** The servers as an `mcpServers` JSON file (secret values left out). */
  'mcp.export': request(z.strictObject({}), z.object({ filename: z.string(), mimeType: z.string(), content: z.string() })),
  /** Answers a tool approval card of a running chat turn. Only the user can: nothing a model or tool writes reaches this route. */
  'chat.approveTool': request(
    z.strictObject({ approvalId: z.string().min(1).max(128), decision: z.enum(['allow-once', 'always-allow', 'deny']) }),
    z.object({ resolved: z.boolean() }),
  ),
  /** Answers a server's sampling request (`mcp.samplingRequested`). */
  'mcp.answerSampling': request(
    z.strictObject({
      requestId: z.string().min(1).max(128),
      decision: z.enum(['approve', 'deny']),
      modelId: z.string().min(1).max(1024).optional(),
    }),
    z.object({ resolved: z.boolean() }),
  ),
  /** Sampling requests still waiting for an answer. */
  'mcp.pendingSampling': request(z.strictObject({}), z.array(SamplingRequestSchema)),
  /**
   * Starts (or restarts) a server's sign-in. Returns the consent link when a
   * browser flow began (the desktop app also opens it in the system browser),
   * null when no browser was needed (client credentials, a token refreshed).
   */
  'mcp.login': request(ServerRef, z.object({ authorizationUrl: z.string().nullable(), status: McpServerStatusSchema })),
  /** Signs out: forgets the server's tokens (and its dynamic registration). */
  'mcp.logout': request(ServerRef, McpServerStatusSchema),
  /** Answers a server's elicitation (`mcp.elicitationRequested`). Only the user can. */
  'mcp.answerElicitation': request(
    z.strictObject({
      requestId: z.string().min(1).max(128),
      action: z.enum(['accept', 'decline', 'cancel']),
      content: z.record(z.string().max(256), z.union([z.string().max(65_536), z.number(), z.boolean(), z.array(z.string().max(4096)).max(256)])).optional(),
    }),
    z.object({ resolved: z.boolean() }),
  ),
  /** Elicitations still waiting for an answer. */
  'mcp.pendingElicitations': request(z.strictObject({}), z.array(ElicitationRequestSchema)),
} as const;

export const mcpEvents = {
  /** A server's state, tools, resources or prompts changed; null status when it was removed. */
  'mcp.changed': z.object({ name: z.string(), status: McpServerStatusSchema.nullable() }),
  /** A server asks to sample a model; the UI shows an approval dialog. */
  'mcp.samplingRequested': SamplingRequestSchema,
  /** A server asks the user for input; the UI shows a form naming the server. */
  'mcp.elicitationRequested': ElicitationRequestSchema,
  /** An elicitation ended (answered, timed out, the call was cancelled): the UI closes its form. */
  'mcp.elicitationEnded': z.object({ requestId: z.string() }),
} as const;
