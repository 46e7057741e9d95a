import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import OpenAI from 'openai';
import { CodedError } from '../../../shared/ipc/errors';
import type { CloudModel, PresetId, ProviderHealth, ProviderInfo, ProviderPreset } from '../../../shared/ipc/routes/providers';
import type { Logger } from '../app/logger';
import { bundledResources, resolveResourcesDir } from '../app/resources-dir';
import type { LanguageModel } from '../models/language-model';
import { classifyError } from './error-classifier';
import { providerHealth } from './health';
import { OpenAICompatibleModel } from './openai-compatible-model';
import { PRESETS, presetList, type KnownModel } from './presets';
import { PricingTable, type Price } from './pricing';
import { ProviderStore, type ProviderRecord } from './provider-store';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry';
import { FallbackCipher, FileKeyCipher, maskKey, type SecretCipher } from './secret-store';
import { UsageLedger } from './usage-ledger';

/** Where the providers' files live in the data dir. */
export function providerLayout(dataDir: string) {
  return {
    providers: join(dataDir, 'providers.json'),
    secretKey: join(dataDir, 'secret.key'),
    pricing: join(dataDir, 'pricing.json'),
    dotenv: join(dataDir, '.env'),
    ledger: join(dataDir, 'usage', 'requests.jsonl'),
  };
}

export interface ProviderServiceOptions {
  dataDir: string;
  logger: Logger;
  /** Electron's safeStorage in the app; a 0600 key file in serve/CLI mode when absent. */
  cipher?: SecretCipher;
  env?: NodeJS.ProcessEnv;
  retry?: RetryPolicy;
  /** The bundled price table (`BundledResources.pricing`); default: the one in TANDEM_RESOURCES_DIR. */
  bundledPricing?: string;
}

export interface AddProviderInput {
  name: string;
  preset: PresetId;
  baseUrl?: string;
  apiKeyEnv?: string;
  apiKey?: string;
  headers?: Record<string, string>;
  requestTimeoutMs?: number;
  idleTimeoutMs?: number;
}

interface ResolvedKey {
  key: string | null;
  source: ProviderInfo['keySource'];
}

const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;
const DEFAULT_IDLE_TIMEOUT_MS = 60_000;

/** Cloud and OpenAI-compatible providers: configuration, keys, model lists, models to chat with, health. */
export class ProviderService {
  private readonly clients = new Map<string, { client: OpenAI; secrets: string[] }>();
  private readonly layout;
  private readonly cipher: SecretCipher;
  private readonly env: NodeJS.ProcessEnv;
  private readonly retry: RetryPolicy;
  readonly store: ProviderStore;
  readonly pricing: PricingTable;
  readonly ledger: UsageLedger;

  constructor(private readonly options: ProviderServiceOptions) {
    this.layout = providerLayout(options.dataDir);
    const fileCipher = new FileKeyCipher(this.layout.secretKey);
    this.cipher = options.cipher ? new FallbackCipher(options.cipher, fileCipher) : fileCipher;
    this.env = options.env ?? process.env;
    this.retry = options.retry ?? DEFAULT_RETRY_POLICY;
    this.store = new ProviderStore(this.layout.providers);
    this.pricing = new PricingTable([options.bundledPricing ?? bundledResources(resolveResourcesDir()).pricing, this.layout.pricing]);
    this.ledger = new UsageLedger(this.layout.ledger, (error) => options.logger.warn(`could not write the usage ledger: ${error.message}`));
  }

  async init(): Promise<void> {
    await this.store.load();
    await this.pricing.load();
    for (const problem of this.pricing.problems) this.options.logger.warn(problem);
  }

  presets(): ProviderPreset[] {
    return presetList();
  }

  async list(): Promise<ProviderInfo[]> {
    return Promise.all(this.store.list().map((record) => this.info(record)));
  }

  async add(input: AddProviderInput): Promise<ProviderInfo> {
    const preset = PRESETS[input.preset];
    if (input.preset === 'custom' && !input.baseUrl) {
      throw new CodedError('INVALID_INPUT', 'A custom provider needs its base URL (e.g. http://127.0.0.1:8000/v1)');
    }
    const record = await this.store.add({
      name: input.name,
      preset: input.preset,
      baseUrl: stripSlash(input.baseUrl ?? preset.baseUrl),
      apiKeyEnv: input.apiKeyEnv ?? preset.apiKeyEnv,
      sealedKey: input.apiKey ? await this.cipher.encrypt(input.apiKey) : null,
      sealedHeaders: await this.sealHeaders(input.headers ?? {}),
      ...(input.requestTimeoutMs ? { requestTimeoutMs: input.requestTimeoutMs } : {}),
      ...(input.idleTimeoutMs ? { idleTimeoutMs: input.idleTimeoutMs } : {}),
    });
    return this.info(record);
  }

  async update(input: { name: string; baseUrl?: string; apiKeyEnv?: string | null; headers?: Record<string, string> }): Promise<ProviderInfo> {
    const sealedHeaders = input.headers ? await this.sealHeaders(input.headers) : undefined;
    const record = await this.store.update(input.name, (r) => ({
      ...r,
      ...(input.baseUrl ? { baseUrl: stripSlash(input.baseUrl) } : {}),
      ...(input.apiKeyEnv !== undefined ? { apiKeyEnv: input.apiKeyEnv } : {}),
      ...(sealedHeaders ? { sealedHeaders } : {}),
    }));
    this.clients.delete(input.name);
    return this.info(record);
  }

  async remove(name: string): Promise<void> {
    await this.store.remove(name);
    this.clients.delete(name);
  }

  async setKey(name: string, apiKey: string | null): Promise<ProviderInfo> {
    const sealedKey = apiKey === null ? null : await this.cipher.encrypt(apiKey);
    const record = await this.store.update(name, (r) => ({ ...r, sealedKey }));
    this.clients.delete(name);
    return this.info(record);
  }

  /** Lists the models live; a failure is a coded error (AUTH, NETWORK, TIMEOUT…). */
  async test(name: string): Promise<{ latencyMs: number; models: CloudModel[] }> {
    const started = performance.now();
    const models = await this.models(name, false, true);
    return { latencyMs: Math.round(performance.now() - started), models };
  }

  async models(name: string, freeOnly = false, live = true): Promise<CloudModel[]> {
    const record = this.store.get(name);
    const preset = PRESETS[record.preset];
    const known = new Map(preset.knownModels.map((m) => [m.model, m]));
    let models: CloudModel[];
    if (live && preset.listsModels) {
      const { client, secrets } = await this.client(record);
      let listed: Record<string, unknown>[];
      try {
        listed = [];
        for await (const model of client.models.list({ timeout: this.requestTimeoutMs(record), maxRetries: 0 })) listed.push(model as unknown as Record<string, unknown>);
      } catch (error) {
        throw classifyError(error, { provider: name, model: '(model list)', secrets });
      }
      models = listed.filter((m) => typeof m.id === 'string').map((m) => this.describe(record, m.id as string, known.get(m.id as string), m));
    } else {
      models = preset.knownModels.map((m) => this.describe(record, m.model, m, {}));
    }
    return freeOnly ? models.filter((m) => m.free) : models;
  }

  health(): ProviderHealth[] {
    return providerHealth(
      this.store.list().map((r) => r.name),
      this.ledger.recent(),
    );
  }

  /** Whether `modelId` names a configured provider (`NAME/MODEL`). */
  owns(modelId: string): boolean {
    const slash = modelId.indexOf('/');
    return slash > 0 && slash < modelId.length - 1 && this.store.find(modelId.slice(0, slash)) !== undefined;
  }

  async languageModel(modelId: string): Promise<LanguageModel> {
    const slash = modelId.indexOf('/');
    const record = slash > 0 ? this.store.find(modelId.slice(0, slash)) : undefined;
    if (!record || slash === modelId.length - 1) throw new CodedError('MODEL_NOT_FOUND', `"${modelId}" is not PROVIDER/MODEL with a configured provider`);
    const model = modelId.slice(slash + 1);
    const { client, secrets, key } = await this.client(record);
    const preset = PRESETS[record.preset];
    if (!key && preset.keyRequired) {
      throw new CodedError('AUTH', `No API key for ${record.name}: set ${record.apiKeyEnv ?? 'one'} or run tandem providers add with --api-key-env`);
    }
    return new OpenAICompatibleModel({
      provider: record.name,
      model,
      client,
      secrets,
      retry: this.retry,
      requestTimeoutMs: this.requestTimeoutMs(record),
      idleTimeoutMs: record.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
      price: () => this.pricing.price(record.name, record.preset, model),
      ledger: this.ledger,
      logger: this.options.logger,
    });
  }

  async dispose(): Promise<void> {
    this.clients.clear();
    await this.ledger.flush();
  }

  private requestTimeoutMs(record: ProviderRecord): number {
    return record.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  }

  private describe(record: ProviderRecord, model: string, known: KnownModel | undefined, listed: Record<string, unknown>): CloudModel {
    const livePrice = openRouterPrice(listed.pricing);
    if (livePrice) this.pricing.set(`${record.name}/${model}`, livePrice);
    const price = livePrice ?? this.pricing.price(record.name, record.preset, model);
    const params = Array.isArray(listed.supported_parameters) ? (listed.supported_parameters as string[]) : null;
    const modalities = ((listed.architecture as { input_modalities?: unknown } | undefined)?.input_modalities ?? null) as string[] | null;
    const contextWindow = positiveInt(listed.context_length) ?? positiveInt(listed.context_window) ?? positiveInt(listed.max_model_len) ?? known?.contextWindow ?? null;
    return {
      id: `${record.name}/${model}`,
      model,
      contextWindow,
      capabilities: {
        tools: params ? params.includes('tools') : (known?.tools ?? false),
        vision: Array.isArray(modalities) ? modalities.includes('image') : (known?.vision ?? false),
        json: params ? params.includes('response_format') : (known?.json ?? false),
      },
      pricing: price ? { inputPerMillion: price.input, outputPerMillion: price.output } : null,
      free: model.endsWith(':free') || (price !== null && price.input === 0 && price.output === 0),
    };
  }

  private async info(record: ProviderRecord): Promise<ProviderInfo> {
    const { key, source } = await this.resolveKey(record);
    return {
      name: record.name,
      preset: record.preset,
      baseUrl: record.baseUrl,
      apiKeyEnv: record.apiKeyEnv,
      headerNames: Object.keys(record.sealedHeaders),
      keySource: source,
      maskedKey: key ? maskKey(key) : null,
    };
  }

  private async client(record: ProviderRecord): Promise<{ client: OpenAI; secrets: string[]; key: string | null }> {
    const { key } = await this.resolveKey(record);
    const cached = this.clients.get(record.name);
    if (cached) return { ...cached, key };
    const headers: Record<string, string> = {};
    for (const [name, sealed] of Object.entries(record.sealedHeaders)) headers[name] = await this.cipher.decrypt(sealed);
    const client = new OpenAI({
      apiKey: key ?? 'no-key',
      baseURL: record.baseUrl,
      defaultHeaders: headers,
      // Our retry loop owns retries (backoff, Retry-After, only before the first token); the SDK's would multiply them.
      maxRetries: 0,
      timeout: this.requestTimeoutMs(record),
      logLevel: 'off',
    });
    const entry = { client, secrets: [key, ...Object.values(headers)].filter((s): s is string => !!s && s.length >= 4) };
    this.clients.set(record.name, entry);
    return { ...entry, key };
  }

  private async resolveKey(record: ProviderRecord): Promise<ResolvedKey> {
    if (record.sealedKey) return { key: await this.cipher.decrypt(record.sealedKey), source: 'stored' };
    if (!record.apiKeyEnv) return { key: null, source: 'none' };
    const fromEnv = this.env[record.apiKeyEnv];
    if (fromEnv) return { key: fromEnv, source: 'env' };
    const fromFile = (await this.dotenv())[record.apiKeyEnv];
    return fromFile ? { key: fromFile, source: 'dotenv' } : { key: null, source: 'none' };
  }

  private async dotenv(): Promise<Record<string, string>> {
    let text: string;
    try {
      text = await readFile(this.layout.dotenv, 'utf8');
    } catch {
      return {};
    }
    const values: Record<string, string> = {};
    for (const line of text.split(/\r?\n/)) {
      const match = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
      if (match) values[match[1]!] = match[2]!.replace(/^(['"])(.*)\1$/, '$2');
    }
    return values;
  }

  private async sealHeaders(headers: Record<string, string>): Promise<Record<string, string>> {
    const sealed: Record<string, string> = {};
    for (const [name, value] of Object.entries(headers)) sealed[name] = await this.cipher.encrypt(value);
    return sealed;
  }
}

function stripSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

function positiveInt(value: unknown): number | null {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : null;
}

/** OpenRouter lists prices per token as strings; the table wants dollars per million. */
function openRouterPrice(pricing: unknown): Price | null {
  const p = pricing as { prompt?: unknown; completion?: unknown } | undefined;
  if (!p || p.prompt === undefined || p.completion === undefined) return null;
  const input = Number(p.prompt) * 1_000_000;
  const output = Number(p.completion) * 1_000_000;
  return Number.isFinite(input) && Number.isFinite(output) && input >= 0 && output >= 0 ? { input, output } : null;
}
