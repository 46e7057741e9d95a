import { z } from 'zod';
import { request } from '../route-def';

/** The port Tandem's own API listens on when nothing else is said (LM Studio uses 1234, Ollama 11434). */
export const DEFAULT_API_PORT = 7411;

/**
 * Tandem as a server for other tools: OpenAI- and Anthropic-compatible API
 * and an MCP server at `/mcp`, on loopback unless `allowRemote`.
 */
export const ApiSettingsSchema = z.object({
  /** Start the API server with the app (desktop and serve mode). */
  enabled: z.boolean(),
  port: z.number().int().min(1).max(65_535),
  /** 127.0.0.1 unless `allowRemote` (then e.g. 0.0.0.0, and a warning is shown). */
  host: z.string().min(1).max(255),
  allowRemote: z.boolean(),
  /** Origins allowed by CORS; empty: CORS off (browsers on other origins are refused). */
  corsOrigins: z.array(z.string().min(1).max(512)).max(64),
});
export type ApiSettings = z.infer<typeof ApiSettingsSchema>;

export const DEFAULT_API_SETTINGS: ApiSettings = { enabled: false, port: DEFAULT_API_PORT, host: '127.0.0.1', allowRemote: false, corsOrigins: [] };

/** Limits of one API key; null: none. Days are UTC days. */
export const ApiKeyLimitsSchema = z.object({
  requestsPerMinute: z.number().int().min(1).max(1_000_000).nullable(),
  dailyTokens: z.number().int().min(1).nullable(),
  dailyCostUsd: z.number().positive().nullable(),
});
export type ApiKeyLimits = z.infer<typeof ApiKeyLimitsSchema>;

/** A named key for Tandem's API and MCP server, as listed (the secret itself is shown once, when made). */
export const ApiKeySummarySchema = ApiKeyLimitsSchema.extend({
  id: z.string(),
  name: z.string(),
  /** The first characters of the secret, to tell keys apart ("tdm_3f9a…"). */
  prefix: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  /** Today's use (UTC). */
  today: z.object({ requests: z.number().int().nonnegative(), tokens: z.number().int().nonnegative(), costUsd: z.number().nonnegative() }),
});
export type ApiKeySummary = z.infer<typeof ApiKeySummarySchema>;

/** One API request, for the request log on the Usage page. */
export const ApiRequestLogEntrySchema = z.object({
  at: z.string(),
  /** The key's name; null when the request had no valid key (401). */
  keyName: z.string().nullable(),
  /** e.g. "POST /v1/chat/completions", "MCP tools/call generate". */
  endpoint: z.string(),
  /** The model that answered (after Auto and fallbacks); null when none did. */
  model: z.string().nullable(),
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  costUsd: z.number().nonnegative(),
  /** HTTP status. */
  status: z.number().int(),
  durationMs: z.number().nonnegative(),
});
export type ApiRequestLogEntry = z.infer<typeof ApiRequestLogEntrySchema>;

/**
 * What an orchestrator needs to know of one model (API `GET /v1/models`
 * extension field `tandem`, MCP `list_models` and `tandem://models/ID`).
 */
export const ModelContextSchema = z.object({
  id: z.string(),
  kind: z.enum(['local', 'cloud', 'router']),
  identification: z.object({
    provider: z.string().nullable(),
    family: z.string().nullable(),
    /** Parameter count, when known (e.g. from the GGUF header). */
    parameters: z.number().nullable(),
    quantization: z.string().nullable(),
  }),
  capabilities: z.object({
    contextWindow: z.number().int().nullable(),
    tools: z.boolean(),
    jsonSchema: z.boolean(),
    embeddings: z.boolean(),
  }),
  /** Sampling defaults Tandem uses for it. */
  defaults: z.object({ temperature: z.number().nullable(), topP: z.number().nullable(), maxTokens: z.number().int().nullable() }),
  tokenizer: z.object({
    kind: z.string().nullable(),
    vocabularySize: z.number().int().nullable(),
    specialTokens: z.record(z.string(), z.string()),
  }),
  runtime: z.object({
    loaded: z.boolean(),
    device: z.string().nullable(),
    threads: z.number().int().nullable(),
    /** Measured on recent requests; null until there are some. */
    ttftMs: z.number().nullable(),
    tokensPerSecond: z.number().nullable(),
    /** Dollars per million tokens; null when unknown; 0 for local models. */
    pricePerMillion: z.object({ input: z.number().nullable(), output: z.number().nullable() }),
    /** 'ok', 'degraded' (recent errors), 'down' (circuit open). */
    health: z.enum(['ok', 'degraded', 'down']),
  }),
});
export type ModelContext = z.infer<typeof ModelContextSchema>;

const KeyRef = z.strictObject({ id: z.string().min(1).max(64) });

export const apiRoutes = {
  /** Whether the API server runs, and where. */
  'api.status': request(
    z.strictObject({}),
    z.object({ running: z.boolean(), url: z.string().nullable(), error: z.string().nullable(), mcpUrl: z.string().nullable() }),
  ),
  /** The latest API requests, newest first. */
  'api.requests': request(z.strictObject({ limit: z.number().int().min(1).max(1000).optional() }), z.array(ApiRequestLogEntrySchema)),
  'apiKeys.list': request(z.strictObject({}), z.array(ApiKeySummarySchema)),
  /** Makes a key; the secret is in this answer only (it is stored hashed). */
  'apiKeys.add': request(
    z.strictObject({ name: z.string().trim().min(1).max(100) }).extend(ApiKeyLimitsSchema.partial().shape),
    z.object({ key: ApiKeySummarySchema, secret: z.string() }),
  ),
  /** A new secret for the key (the old one stops working at once); same name and limits. */
  'apiKeys.rotate': request(KeyRef, z.object({ key: ApiKeySummarySchema, secret: z.string() })),
  'apiKeys.update': request(KeyRef.extend(ApiKeyLimitsSchema.partial().shape), ApiKeySummarySchema),
  'apiKeys.revoke': request(KeyRef, z.object({ revoked: z.literal(true) })),
} as const;

export const apiEvents = {
  /** The API server started or stopped, keys changed, or a request was logged. */
  'api.changed': z.object({}),
};
