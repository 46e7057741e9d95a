import type { LocalModel } from '../../../shared/ipc/domain';
import type { ModelContext } from '../../../shared/ipc/routes/api';
import type { CloudModel } from '../../../shared/ipc/routes/providers';
import type { Core } from '../app/create-core';
import { percentile } from '../providers/health';
import { PRESETS } from '../providers/presets';
import type { RequestRecord } from '../providers/usage-ledger';

/** The router's ids. */
const AUTO_IDS = new Set(['auto', 'tandem/auto']);
/** A provider's failures this recent make its models 'degraded'. */
const DEGRADED_WINDOW_MS = 15 * 60_000;
/** node-llama-cpp samples greedily when no temperature is given. */
const LOCAL_DEFAULT_TEMPERATURE = 0;

/**
 * Everything an orchestrator needs to know of each model Tandem can answer
 * with (API `GET /v1/models` field `tandem`, MCP `list_models` and
 * `tandem://models/ID`): local models from their GGUF headers and the
 * runtime, cloud models from their providers' lists, and `auto`. Reads what
 * is in memory or in file headers: it never loads a model.
 */
export async function buildModelContexts(core: Core): Promise<ModelContext[]> {
  const call = new ContextCall(core);
  const local = await call.localContexts();
  const cloud = await call.cloudContexts();
  return [routerContext(core, [...local, ...cloud]), ...local, ...cloud];
}

/** One model's context; null when no such model (local id, `PROVIDER/MODEL`, `auto` or `tandem/auto`). */
export async function modelContextOf(core: Core, id: string): Promise<ModelContext | null> {
  const call = new ContextCall(core);
  if (AUTO_IDS.has(id)) {
    const all = [...(await call.localContexts()), ...(await call.cloudContexts())];
    return { ...routerContext(core, all), id };
  }
  if (core.providers.owns(id)) {
    const provider = id.slice(0, id.indexOf('/'));
    return (await call.cloudContexts([provider])).find((c) => c.id === id) ?? null;
  }
  const model = (await core.library.list()).find((m) => m.id === id);
  return model ? call.localContext(model) : null;
}

/** What one call reads once (lists, backend, ledger), whatever number of models it describes. */
class ContextCall {
  private device: Promise<string> | null = null;
  private recent: RequestRecord[] | null = null;

  constructor(private readonly core: Core) {}

  async localContexts(): Promise<ModelContext[]> {
    const models = (await this.core.library.list()).filter((m) => m.problem === null);
    const contexts = await Promise.all(models.map((m) => this.localContext(m).catch(() => null)));
    return contexts.filter((c): c is ModelContext => c !== null);
  }

  async localContext(model: LocalModel): Promise<ModelContext> {
    const { runtime, settings } = this.core;
    const insights = await runtime.inspector.insights(model);
    const details = await runtime.inspector.details(model);
    const metadata = insights.ggufFileInfo.metadata as GgufMetadata;
    const loaded = runtime.loaded().find((m) => m.path === model.path && m.state === 'loaded' && m.kind === (details.embeddingOnly ? 'embedding' : 'chat'));
    const saved = settings.get().modelLoadOptions[model.id]?.contextSize;
    const setting = settings.get().contextSize;
    const contextWindow =
      loaded?.contextSize ?? (typeof saved === 'number' ? saved : typeof setting === 'number' ? setting : await runtime.inspector.autoContextSize(model));
    const speed = runtime.measuredSpeed(model.id);
    const threads = loaded?.threads ?? runtime.threadsFor(model.sizeBytes)[details.embeddingOnly ? 'batch' : 'generation'];
    return {
      id: model.id,
      kind: 'local',
      identification: {
        provider: 'local',
        family: stringOr(metadata.general?.architecture) ?? model.architecture,
        parameters: details.parameterCount > 0 ? details.parameterCount : null,
        quantization: details.quantization,
      },
      capabilities: {
        contextWindow,
        tools: !details.embeddingOnly && details.toolCalling,
        // any chat model follows a JSON schema: its output is constrained by a grammar
        jsonSchema: !details.embeddingOnly,
        embeddings: details.embeddingOnly,
      },
      defaults: {
        temperature: details.embeddingOnly ? null : LOCAL_DEFAULT_TEMPERATURE,
        topP: null,
        maxTokens: details.embeddingOnly ? null : settings.get().maxTokens,
      },
      tokenizer: tokenizerOf(metadata),
      runtime: {
        loaded: loaded !== undefined,
        device: loaded && loaded.gpuLayers === 0 ? 'cpu' : await this.backend(),
        threads,
        ttftMs: speed ? Math.round(speed.ttftMs) : null,
        tokensPerSecond: speed?.tokensPerSecond ?? null,
        pricePerMillion: { input: 0, output: 0 },
        health: 'ok',
      },
    };
  }

  /** Cloud models of every provider that can answer (a key, or none needed), or of the ones named. */
  async cloudContexts(only?: string[]): Promise<ModelContext[]> {
    const { providers } = this.core;
    const infos = (await providers.list()).filter((p) => (only ? only.includes(p.name) : true));
    const lists = await Promise.all(
      infos.map(async (info) => {
        const preset = PRESETS[info.preset];
        if (info.keySource === 'none' && preset.keyRequired) return [];
        const models = await providers.models(info.name, false, preset.listsModels).catch(() => providers.models(info.name, false, false).catch(() => []));
        return models.map((model) => this.cloudContext(info.name, model));
      }),
    );
    return lists.flat();
  }

  private cloudContext(provider: string, model: CloudModel): ModelContext {
    const records = this.recentRecords().filter((r) => r.provider === provider);
    const mine = records.filter((r) => r.model === model.model && r.errorCode === null && r.ttftMs !== null);
    const ttfts = mine.map((r) => r.ttftMs!).sort((a, b) => a - b);
    const speeds = mine
      .filter((r) => (r.outputTokens ?? 0) > 1 && r.latencyMs > r.ttftMs!)
      .map((r) => (r.outputTokens! - 1) / ((r.latencyMs - r.ttftMs!) / 1000))
      .sort((a, b) => a - b);
    return {
      id: model.id,
      kind: 'cloud',
      identification: { provider, family: null, parameters: null, quantization: null },
      capabilities: { contextWindow: model.contextWindow, tools: model.capabilities.tools, jsonSchema: model.capabilities.json, embeddings: false },
      defaults: { temperature: null, topP: null, maxTokens: this.core.settings.get().maxTokens },
      tokenizer: { kind: null, vocabularySize: null, specialTokens: {} },
      runtime: {
        loaded: true,
        device: 'cloud',
        threads: null,
        ttftMs: ttfts.length ? Math.round(percentile(ttfts, 0.5)!) : null,
        tokensPerSecond: percentile(speeds, 0.5),
        pricePerMillion: { input: model.pricing?.inputPerMillion ?? null, output: model.pricing?.outputPerMillion ?? null },
        health: this.health(provider, records),
      },
    };
  }

  private health(provider: string, records: RequestRecord[]): ModelContext['runtime']['health'] {
    if (this.core.routing.breaker.state(provider) === 'open') return 'down';
    const since = Date.now() - DEGRADED_WINDOW_MS;
    const failed = records.some((r) => r.errorCode !== null && r.errorCode !== 'CANCELLED' && Date.parse(r.at) >= since);
    return failed ? 'degraded' : 'ok';
  }

  private recentRecords(): RequestRecord[] {
    this.recent ??= this.core.providers.ledger.recent();
    return this.recent;
  }

  /** 'cpu', or the GPU backend local models load on ('cuda', 'metal', 'vulkan'). */
  private backend(): Promise<string> {
    this.device ??= this.core.runtime
      .backend()
      .then((llama) => (llama.gpu === false ? 'cpu' : llama.gpu))
      .catch(() => 'cpu');
    return this.device;
  }
}

/** Auto: what the models it picks from can do together. */
function routerContext(core: Core, candidates: ModelContext[]): ModelContext {
  const chat = candidates.filter((c) => !c.capabilities.embeddings);
  const windows = chat.map((c) => c.capabilities.contextWindow).filter((w): w is number => w !== null);
  const anyHealthy = chat.length === 0 || chat.some((c) => c.runtime.health !== 'down');
  return {
    id: 'auto',
    kind: 'router',
    identification: { provider: 'tandem', family: null, parameters: null, quantization: null },
    capabilities: {
      contextWindow: windows.length ? Math.max(...windows) : null,
      tools: chat.some((c) => c.capabilities.tools),
      jsonSchema: chat.some((c) => c.capabilities.jsonSchema),
      embeddings: false,
    },
    defaults: { temperature: null, topP: null, maxTokens: core.settings.get().maxTokens },
    tokenizer: { kind: null, vocabularySize: null, specialTokens: {} },
    runtime: {
      loaded: true,
      device: null,
      threads: null,
      ttftMs: null,
      tokensPerSecond: null,
      pricePerMillion: { input: null, output: null },
      health: anyHealthy ? (chat.some((c) => c.runtime.health !== 'ok') ? 'degraded' : 'ok') : 'down',
    },
  };
}

interface GgufMetadata {
  general?: { architecture?: unknown };
  tokenizer?: { ggml?: Record<string, unknown> };
}

/** Kind ('llama' SentencePiece, 'gpt2' BPE, 'bert' WordPiece…), vocabulary size and the special tokens the header names. */
function tokenizerOf(metadata: GgufMetadata): ModelContext['tokenizer'] {
  const ggml = metadata.tokenizer?.ggml ?? {};
  const tokens = Array.isArray(ggml.tokens) ? (ggml.tokens as unknown[]) : null;
  const specialTokens: Record<string, string> = {};
  const names: [string, string][] = [
    ['bos', 'bos_token_id'],
    ['eos', 'eos_token_id'],
    ['eot', 'eot_token_id'],
    ['unknown', 'unknown_token_id'],
    ['padding', 'padding_token_id'],
    // llama.cpp's key is spelled this way
    ['separator', 'seperator_token_id'],
    ['separator', 'separator_token_id'],
    ['cls', 'cls_token_id'],
    ['mask', 'mask_token_id'],
  ];
  for (const [name, key] of names) {
    const id = ggml[key];
    if (typeof id !== 'number' || !tokens || name in specialTokens) continue;
    const text = tokens[id];
    if (typeof text === 'string') specialTokens[name] = text;
  }
  return { kind: stringOr(ggml.model), vocabularySize: tokens?.length ?? null, specialTokens };
}

function stringOr(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 ? value : null;
}
