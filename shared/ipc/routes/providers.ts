import { z } from 'zod';
import { ErrorCodeSchema } from '../errors';
import { request } from '../route-def';

/** A provider's name: also the `NAME/` prefix of its model ids (`openai/gpt-4o-mini`). */
export const ProviderNameSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9_-]*$/, 'provider names are lowercase letters, digits, _ and -');

export const PresetIdSchema = z.enum([
  'openai',
  'anthropic',
  'gemini',
  'xai',
  'qwen',
  'openrouter',
  'groq',
  'deepseek',
  'mistral',
  'together',
  'ollama',
  'lmstudio',
  'vllm',
  'llamacpp',
  'custom',
]);
export type PresetId = z.infer<typeof PresetIdSchema>;

const HeadersSchema = z.record(z.string().min(1).max(200), z.string().max(4096));
const BaseUrlSchema = z.url({ protocol: /^https?$/ }).max(2048);
const EnvVarSchema = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, 'an environment variable name');

export const ProviderPresetSchema = z.object({
  id: PresetIdSchema,
  label: z.string(),
  baseUrl: z.string(),
  /** Where the key comes from when none is stored: this env var (or the data dir's `.env`). */
  apiKeyEnv: z.string().nullable(),
  /** Local servers (Ollama, LM Studio…) work without a key. */
  keyRequired: z.boolean(),
  /** Whether the provider answers `GET /models`. */
  listsModels: z.boolean(),
});
export type ProviderPreset = z.infer<typeof ProviderPresetSchema>;

/** A configured provider as the renderer sees it: the key only ever masked (`sk-…abcd`). */
export const ProviderInfoSchema = z.object({
  name: ProviderNameSchema,
  preset: PresetIdSchema,
  baseUrl: z.string(),
  apiKeyEnv: z.string().nullable(),
  /** Header names only; values may be secrets. */
  headerNames: z.array(z.string()),
  keySource: z.enum(['stored', 'env', 'dotenv', 'none']),
  maskedKey: z.string().nullable(),
});
export type ProviderInfo = z.infer<typeof ProviderInfoSchema>;

export const CloudModelSchema = z.object({
  /** `PROVIDER/MODEL`, what chat.send takes as modelId. */
  id: z.string(),
  model: z.string(),
  contextWindow: z.number().int().positive().nullable(),
  capabilities: z.object({ tools: z.boolean(), vision: z.boolean(), json: z.boolean() }),
  /** US dollars per million tokens; null when the pricing table does not know the model. */
  pricing: z.object({ inputPerMillion: z.number().nonnegative(), outputPerMillion: z.number().nonnegative() }).nullable(),
  free: z.boolean(),
});
export type CloudModel = z.infer<typeof CloudModelSchema>;

export const ProviderHealthSchema = z.object({
  provider: z.string(),
  /** Requests in the last hour. */
  requests: z.number().int().nonnegative(),
  errorRate: z.number().min(0).max(1),
  latencyP50Ms: z.number().nullable(),
  latencyP95Ms: z.number().nullable(),
  lastError: z.object({ code: ErrorCodeSchema, message: z.string(), at: z.string() }).nullable(),
});
export type ProviderHealth = z.infer<typeof ProviderHealthSchema>;

const NameRef = z.strictObject({ name: ProviderNameSchema });

export const providerRoutes = {
  /** The presets a provider can be added from (base URL, key env var). */
  'providers.presets': request(z.strictObject({}), z.array(ProviderPresetSchema)),
  /** Configured providers, keys masked. */
  'providers.list': request(z.strictObject({}), z.array(ProviderInfoSchema)),
  /** Adds a provider; `baseUrl` defaults to the preset's. The key, when given, is stored encrypted. */
  'providers.add': request(
    z.strictObject({
      name: ProviderNameSchema,
      preset: PresetIdSchema.default('custom'),
      baseUrl: BaseUrlSchema.optional(),
      apiKeyEnv: EnvVarSchema.optional(),
      apiKey: z.string().min(1).max(4096).optional(),
      headers: HeadersSchema.optional(),
    }),
    ProviderInfoSchema,
  ),
  'providers.update': request(
    z.strictObject({
      name: ProviderNameSchema,
      baseUrl: BaseUrlSchema.optional(),
      apiKeyEnv: EnvVarSchema.nullable().optional(),
      headers: HeadersSchema.optional(),
    }),
    ProviderInfoSchema,
  ),
  'providers.remove': request(NameRef, z.object({ removed: z.literal(true) })),
  /** Stores (or with null, forgets) the provider's key; answers the masked form only. */
  'providers.setKey': request(
    z.strictObject({ name: ProviderNameSchema, apiKey: z.string().min(1).max(4096).nullable() }),
    ProviderInfoSchema,
  ),
  /** Lists the provider's models live: the test of a connection. Fails with a coded error (AUTH, NETWORK…). */
  'providers.test': request(NameRef, z.object({ latencyMs: z.number(), models: z.array(CloudModelSchema) })),
  /** The provider's models (live when it can list them, the preset's otherwise). */
  'providers.models': request(
    z.strictObject({ name: ProviderNameSchema, freeOnly: z.boolean().optional() }),
    z.array(CloudModelSchema),
  ),
  /** Per provider over the last hour: error rate, latency p50/p95, last error. */
  'providers.health': request(z.strictObject({}), z.array(ProviderHealthSchema)),
} as const;
