import type { ModelContext } from '../../../../shared/ipc/routes/api';
import type { CloudModel } from '../../../../shared/ipc/routes/providers';
import { AUTO_MODEL_ID } from '../../../../shared/ipc/routes/routing';
import type { Core } from '../../app/create-core';
import { PRESETS } from '../../providers/presets';
import { ApiError } from './api-errors';
import type { EndpointContext } from './endpoint';
import { sendJson } from './http-io';

export interface ApiModel {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
  /** Extension: what an orchestrator needs to know of the model (see ModelContext). */
  tandem?: ModelContext;
}

/** How long a provider's model list is reused (a listing is a network call). */
const PROVIDER_LIST_TTL_MS = 60_000;
/** How long model contexts are reused (they read headers and the runtime; loaded state and speeds change). */
const CONTEXTS_TTL_MS = 2_000;

/**
 * The models the API serves: usable local models, every configured
 * provider's models as `PROVIDER/MODEL`, and the router as `auto` and
 * `tandem/auto`. Provider lists are cached for a minute; a provider that
 * cannot be listed is left out (its models still work by id).
 */
export class ApiModelList {
  private readonly started = Math.floor(Date.now() / 1000);
  private cloud: { at: number; key: string; models: CloudModel[] } | null = null;
  private contextCache: { at: number; contexts: Promise<ModelContext[]> } | null = null;

  constructor(
    private readonly core: Core,
    private readonly contexts: (() => Promise<ModelContext[]>) | null,
  ) {}

  async list(): Promise<ApiModel[]> {
    const [local, cloud, contexts] = await Promise.all([
      this.core.library.list(),
      this.cloudModels(),
      this.modelContexts(),
    ]);
    const byId = new Map(contexts.map((c) => [c.id, c]));
    const models: ApiModel[] = [
      ...local.filter((m) => m.problem === null).map((m) => this.entry(m.id, 'local', byId)),
      ...cloud.map((m) => this.entry(m.id, m.id.slice(0, m.id.indexOf('/')), byId)),
      this.entry(AUTO_MODEL_ID, 'tandem', byId),
      this.entry('tandem/auto', 'tandem', byId, byId.get(AUTO_MODEL_ID)),
    ];
    return models;
  }

  async get(id: string): Promise<ApiModel> {
    const found = (await this.list()).find((m) => m.id === id);
    if (!found) throw new ApiError(404, `The model '${id}' does not exist.`, 'invalid_request_error', 'model_not_found', 'model');
    return found;
  }

  private modelContexts(): Promise<ModelContext[]> {
    if (!this.contexts) return Promise.resolve([]);
    if (!this.contextCache || Date.now() - this.contextCache.at > CONTEXTS_TTL_MS) {
      this.contextCache = { at: Date.now(), contexts: this.contexts().catch(() => [] as ModelContext[]) };
    }
    return this.contextCache.contexts;
  }

  private entry(id: string, ownedBy: string, contexts: Map<string, ModelContext>, context = contexts.get(id)): ApiModel {
    return { id, object: 'model', created: this.started, owned_by: ownedBy, ...(context ? { tandem: context } : {}) };
  }

  private async cloudModels(): Promise<CloudModel[]> {
    const providers = await this.core.providers.list();
    const usable = providers.filter((p) => p.keySource !== 'none' || !PRESETS[p.preset].keyRequired);
    const key = JSON.stringify(usable.map((p) => [p.name, p.preset, p.baseUrl, p.keySource]));
    if (this.cloud && this.cloud.key === key && Date.now() - this.cloud.at < PROVIDER_LIST_TTL_MS) return this.cloud.models;
    const lists = await Promise.all(
      usable.map((p) => this.core.providers.models(p.name, false, PRESETS[p.preset].listsModels).catch(() => [] as CloudModel[])),
    );
    this.cloud = { at: Date.now(), key, models: lists.flat() };
    return this.cloud.models;
  }
}

/** GET /v1/models and GET /v1/models/{id} */
export async function listModels(ctx: EndpointContext, models: ApiModelList, id: string | null): Promise<void> {
  if (id === null) sendJson(ctx.res, 200, { object: 'list', data: await models.list() }, ctx.baseHeaders);
  else sendJson(ctx.res, 200, await models.get(id), ctx.baseHeaders);
}
