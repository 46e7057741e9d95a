import type { LocalModel } from '../../../shared/ipc/domain';
import type { CloudModel } from '../../../shared/ipc/routes/providers';
import type { Logger } from '../app/logger';
import type { ModelDetails } from '../../../shared/ipc/routes/models';
import { type PRESETS } from '../providers/presets';
import { percentile } from '../providers/health';
import type { RequestRecord } from '../providers/usage-ledger';
import { CLOUD_SPEED_PRIOR, cloudPrior, localPrior, localSpeedPrior } from './priors';
import type { CandidateProfile } from './router-policy';

/** What the catalog reads; the app passes the real services, tests pass tables. */
export interface CandidateSources {
  localModels: () => Promise<LocalModel[]>;
  /** Header facts of a local model (parameters, trained context, native tool calling, embedding-only); null when unreadable. */
  localDetails: (model: LocalModel) => Promise<Pick<ModelDetails, 'parameterCount' | 'trainedContextLength' | 'toolCalling' | 'embeddingOnly'> | null>;
  /** The context size local models load with (the setting, or 'auto' capped by the trained size). */
  localContextSize: () => number | 'auto';
  /** Paths of the local models in memory now (no load wait). */
  loadedPaths: () => Set<string>;
  /** Providers with a usable key (or none needed), and their preset. */
  providers: () => Promise<{ name: string; preset: keyof typeof PRESETS; hasKey: boolean }[]>;
  /** A provider's models with capabilities and prices (the preset's list when it cannot list them live). */
  providerModels: (name: string) => Promise<CloudModel[]>;
  /** Provider requests of the last hour, for measured speed. */
  recentRequests: () => RequestRecord[];
  /** Changes whenever the model files or the providers change (cheap: from in-memory lists); the catalog then reloads before deciding. */
  signature?: () => Promise<string>;
}

/** Cloud models taken from one provider (priced ones first): a provider listing hundreds would swamp the ranking. */
const MAX_MODELS_PER_PROVIDER = 30;
const REFRESH_MS = 5 * 60_000;
/** The auto context cap of local models (what 'auto' loads at most). */
const AUTO_CONTEXT_CAP = 8192;

interface LocalEntry {
  model: LocalModel;
  details: Awaited<ReturnType<CandidateSources['localDetails']>>;
}

/**
 * Every model Auto may pick from, with what the decision needs in memory:
 * context window, tools, JSON schema, price, prior quality and expected
 * speed. Local facts come from the GGUF header once per file; provider model
 * lists are refreshed in the background every few minutes, so a decision
 * never waits on the network (the first one waits for the first listing).
 */
export class CandidateCatalog {
  private local: LocalEntry[] = [];
  private cloud: { provider: string; models: CloudModel[] }[] = [];
  private readonly detailsCache = new Map<string, LocalEntry['details']>();
  private loadedAt = 0;
  private loading: Promise<void> | null = null;
  private loadAgain = false;
  private signature = '';

  constructor(
    private readonly sources: CandidateSources,
    private readonly logger: Logger,
  ) {}

  /** Profiles for a request of `promptTokens`, from lists at most a few minutes old. */
  async profiles(promptTokens: number): Promise<CandidateProfile[]> {
    const signature = (await this.sources.signature?.().catch(() => '')) ?? '';
    if (signature !== this.signature) {
      this.signature = signature;
      this.loadedAt = 0;
    }
    if (this.loadedAt === 0) await this.reload();
    else if (Date.now() - this.loadedAt > REFRESH_MS) void this.reload();
    return this.build(promptTokens);
  }

  /** One load at a time; asked again while one runs (the lists changed meanwhile), it loads once more before it resolves. */
  private reload(): Promise<void> {
    if (this.loading) {
      this.loadAgain = true;
      return this.loading;
    }
    const run = async () => {
      do {
        this.loadAgain = false;
        await this.load();
      } while (this.loadAgain);
    };
    this.loading = run().finally(() => {
      this.loading = null;
    });
    return this.loading;
  }

  private async load(): Promise<void> {
    const models = await this.sources.localModels().catch(() => [] as LocalModel[]);
    const local: LocalEntry[] = [];
    for (const model of models) {
      if (model.problem !== null) continue;
      const key = `${model.path}:${model.sizeBytes}`;
      if (!this.detailsCache.has(key)) this.detailsCache.set(key, await this.sources.localDetails(model).catch(() => null));
      const details = this.detailsCache.get(key) ?? null;
      if (details?.embeddingOnly || (!details && /bert/i.test(model.architecture ?? ''))) continue;
      local.push({ model, details });
    }
    const cloud: { provider: string; models: CloudModel[] }[] = [];
    for (const provider of await this.sources.providers().catch(() => [])) {
      if (!provider.hasKey) continue;
      try {
        const listed = await this.sources.providerModels(provider.name);
        const ranked = [...listed].sort((a, b) => Number(b.pricing !== null || b.free) - Number(a.pricing !== null || a.free));
        cloud.push({ provider: provider.name, models: ranked.slice(0, MAX_MODELS_PER_PROVIDER) });
      } catch (error) {
        this.logger.warn(`Auto could not list ${provider.name}'s models: ${(error as Error).message}`);
        const previous = this.cloud.find((c) => c.provider === provider.name);
        if (previous) cloud.push(previous);
      }
    }
    this.local = local;
    this.cloud = cloud;
    this.loadedAt = Date.now();
  }

  private build(promptTokens: number): CandidateProfile[] {
    const loaded = this.sources.loadedPaths();
    const setting = this.sources.localContextSize();
    const speed = measuredSpeed(this.sources.recentRequests());
    const profiles: CandidateProfile[] = this.local.map(({ model, details }) => {
      const trained = details?.trainedContextLength ?? null;
      const contextWindow = typeof setting === 'number' ? (trained ? Math.min(setting, trained) : setting) : Math.min(trained ?? AUTO_CONTEXT_CAP, AUTO_CONTEXT_CAP);
      const prior = localSpeedPrior(model.sizeBytes, promptTokens, loaded.has(model.path));
      return {
        modelId: model.id,
        kind: 'local',
        provider: null,
        contextWindow,
        tools: details?.toolCalling ?? false,
        // Local models follow JSON schemas through grammar-constrained sampling.
        json: true,
        price: null,
        priorQuality: localPrior(details?.parameterCount ?? null, model.sizeBytes),
        expectedTtftMs: prior.ttftMs,
        expectedTokensPerSec: prior.tokensPerSec,
      };
    });
    for (const { provider, models } of this.cloud) {
      for (const model of models) {
        const measured = speed.get(model.id);
        profiles.push({
          modelId: model.id,
          kind: 'cloud',
          provider,
          contextWindow: model.contextWindow,
          tools: model.capabilities.tools,
          json: model.capabilities.json,
          price: model.pricing ? { input: model.pricing.inputPerMillion, output: model.pricing.outputPerMillion } : null,
          priorQuality: cloudPrior(model.pricing ? { input: model.pricing.inputPerMillion, output: model.pricing.outputPerMillion } : null, model.free),
          expectedTtftMs: measured?.ttftMs ?? CLOUD_SPEED_PRIOR.ttftMs,
          expectedTokensPerSec: measured?.tokensPerSec ?? CLOUD_SPEED_PRIOR.tokensPerSec,
        });
      }
    }
    return profiles;
  }
}

/** Median time to first token and tokens/s per `PROVIDER/MODEL` over recent successful requests. */
function measuredSpeed(records: readonly RequestRecord[]): Map<string, { ttftMs: number; tokensPerSec: number | undefined }> {
  const byModel = new Map<string, { ttft: number[]; tps: number[] }>();
  for (const r of records) {
    if (r.errorCode !== null || r.ttftMs === null) continue;
    const id = `${r.provider}/${r.model}`;
    let entry = byModel.get(id);
    if (!entry) byModel.set(id, (entry = { ttft: [], tps: [] }));
    entry.ttft.push(r.ttftMs);
    const streaming = r.latencyMs - r.ttftMs;
    if (r.outputTokens && r.outputTokens > 1 && streaming > 0) entry.tps.push((r.outputTokens - 1) / (streaming / 1000));
  }
  const result = new Map<string, { ttftMs: number; tokensPerSec: number | undefined }>();
  const median = (values: number[]) => percentile([...values].sort((a, b) => a - b), 0.5) ?? undefined;
  for (const [id, { ttft, tps }] of byModel) result.set(id, { ttftMs: median(ttft)!, tokensPerSec: median(tps) });
  return result;
}
