import { mkdir } from 'node:fs/promises';
import { freemem } from 'node:os';
import { join, resolve } from 'node:path';
import { ChatStore } from '../chats/chat-store';
import { ChatTurnRunner } from '../chats/chat-turn-runner';
import { RpcDispatcher } from '../rpc/rpc-dispatcher';
import { createHandlers } from '../rpc/create-handlers';
import { createDocumentHandlers } from '../rpc/documents-handlers';
import { CompareService } from '../compare/compare-service';
import { LabService } from '../lab/lab-service';
import { SoupService } from '../soup/soup-service';
import { DocumentService } from '../documents/document-service';
import { EmbedderResolver } from '../documents/document-embedder';
import { retrieveForChat } from '../documents/retrieval';
import { EmbeddingService } from '../models/embedding-service';
import { McpHost } from '../mcp/mcp-host';
import { ApprovalBroker } from '../mcp/approval-broker';
import { SamplingService } from '../mcp/sampling-service';
import { ToolLoop } from '../mcp/tool-loop';
import { LocalRuntime } from '../models/local-runtime';
import { ModelLibrary } from '../models/model-library';
import { ModelFolders } from '../models/model-folders';
import { DownloadManager } from '../models/downloads/download-manager';
import { loadModelCatalog } from '../models/downloads/model-catalog';
import { cpuCount } from '../models/threads';
import type { LanguageModel } from '../models/language-model';
import { ProviderService } from '../providers/provider-service';
import { PRESETS } from '../providers/presets';
import { NO_ROUTE_CONTEXT, RoutingService, type RouteContext } from '../routing/routing-service';
import type { SecretCipher } from '../providers/secret-store';
import type { RetryPolicy } from '../providers/retry';
import { SettingsStore } from '../settings/settings-store';
import { ApiKeyService } from '../server/api-keys/api-key-service';
import { ApiService, throttled } from '../server/api-service';
import { dataLayout } from './data-dir';
import { DisposableStack } from './disposables';
import type { Logger } from './logger';

export interface CoreOptions {
  dataDir: string;
  /** Folders scanned for `.gguf` in this run, on top of those in settings. */
  modelsDirs?: string[];
  mode: 'desktop' | 'serve' | 'cli';
  version: string;
  logger: Logger;
  /** GPU backend for local models; tests pass false for determinism. */
  gpu?: 'auto' | false;
  /** Encrypts provider keys at rest: Electron's safeStorage in the app; a 0600 key file when absent. */
  secretCipher?: SecretCipher;
  /** Provider retry policy; tests shorten it. */
  providerRetry?: RetryPolicy;
  /** Start enabled MCP servers with the core (default: yes, except in CLI mode, which starts only what a command uses). */
  startMcpServers?: boolean;
  /** Opens a document in the system viewer (Electron's shell.openPath); without it documents.openExternal is UNSUPPORTED. */
  openPath?: (path: string, page?: number) => Promise<void>;
}

export type Core = Awaited<ReturnType<typeof createCore>>;

/**
 * The composition root for everything under electron/core: builds each
 * service in dependency order, hands it its dependencies, and registers its
 * teardown so `dispose()` releases them in reverse.
 */
export async function createCore(options: CoreOptions) {
  const { logger } = options;
  const layout = dataLayout(resolve(options.dataDir));
  const disposables = new DisposableStack(logger);
  try {
    await mkdir(layout.root, { recursive: true, mode: 0o700 });

    const settings = new SettingsStore(layout.settings);
    await settings.load();
    if (settings.loadProblem) logger.warn(settings.loadProblem);

    const extraDirs = (options.modelsDirs ?? []).map((dir) => resolve(dir));
    const modelsDirs = () => [...new Set([layout.models, ...extraDirs, ...settings.get().modelsDirs])];
    const library = new ModelLibrary(modelsDirs);
    const folders = new ModelFolders({ dataDirModels: layout.models, commandLine: extraDirs, settings });

    // Services are created before the dispatcher so events can flow; they reach it through this variable.
    let rpc: RpcDispatcher | null = null;
    const runtime = new LocalRuntime({
      logger,
      gpu: options.gpu,
      threads: () => settings.get().threads,
      contextSize: () => settings.get().contextSize,
      memoryBudget: () => settings.get().modelMemoryBudget,
      savedLoadOptions: (info) => settings.get().modelLoadOptions[info.id],
      onStatus: (status) => rpc?.broadcast('models.status', status),
    });
    disposables.add('local runtime', () => runtime.dispose());
    const embeddings = new EmbeddingService(runtime);
    /** The local embedding model (documents, and Auto's prompt similarity when one exists). */
    const embedders = new EmbedderResolver({ library, runtime, embeddings, modelId: () => settings.get().documents.embeddingModelId });

    const chats = new ChatStore(layout.chats);
    await chats.init();
    disposables.add('chat store', () => chats.dispose());

    const providers = new ProviderService({ dataDir: layout.root, logger, cipher: options.secretCipher, retry: options.providerRetry });
    await providers.init();
    disposables.add('providers', () => providers.dispose());
    /** `PROVIDER/MODEL` goes to that provider; anything else is a local model. */
    const mcp = new McpHost({
      dataDir: layout.root,
      logger,
      cipher: options.secretCipher,
      roots: () => settings.get().mcp.roots,
      clientInfo: { name: 'Tandem', version: options.version },
      onChanged: (name, status) => rpc?.broadcast('mcp.changed', { name, status }),
    });
    await mcp.init();
    // Disposed before the providers and models it may sample with: children get SIGTERM, then SIGKILL after 2 s.
    disposables.add('mcp servers', () => mcp.dispose());
    if (options.startMcpServers ?? options.mode !== 'cli') mcp.startEnabled();
    let roots = JSON.stringify(settings.get().mcp.roots);
    settings.onChange((next) => {
      if (JSON.stringify(next.mcp.roots) === roots) return;
      roots = JSON.stringify(next.mcp.roots);
      void mcp.rootsChanged();
    });
    /** `PROVIDER/MODEL` goes to that provider; anything else is a local model. No routing around it. */
    const resolveRawModel = async (modelId: string): Promise<LanguageModel> =>
      providers.owns(modelId) ? providers.languageModel(modelId) : runtime.languageModel(await library.resolve(modelId));
    const providerOf = (modelId: string) => {
      if (!providers.owns(modelId)) return null;
      const record = providers.store.get(modelId.slice(0, modelId.indexOf('/')));
      return { provider: record.name, preset: record.preset };
    };
    const routing = new RoutingService({
      dataDir: layout.root,
      logger,
      settings: () => settings.get(),
      sources: {
        localModels: () => library.list(),
        localDetails: (model) => runtime.inspector.details(model),
        localContextSize: () => settings.get().contextSize,
        loadedPaths: () => new Set(runtime.loaded().map((m) => m.path)),
        providers: async () =>
          (await providers.list()).map((p) => ({ name: p.name, preset: p.preset, hasKey: p.keySource !== 'none' || !PRESETS[p.preset].keyRequired })),
        providerModels: (name) => providers.models(name, false, PRESETS[providers.store.get(name).preset].listsModels),
        recentRequests: () => providers.ledger.recent(),
        signature: async () =>
          JSON.stringify([
            providers.store.list().map((r) => [r.name, r.preset, r.baseUrl, r.apiKeyEnv, r.sealedKey !== null]),
            (await library.list()).map((m) => m.path),
          ]),
      },
      resolveRaw: resolveRawModel,
      providerOf,
      priceOf: (modelId) => {
        const owner = providerOf(modelId);
        return owner ? providers.pricing.price(owner.provider, owner.preset, modelId.slice(owner.provider.length + 1)) : null;
      },
      onUsageChanged: () => rpc?.broadcast('usage.changed', {}),
      embedder: async () => {
        const embedder = await embedders.resolve();
        return embedder ? { id: `${embedder.identity.modelId}:${embedder.identity.fingerprint}`, embed: (texts, signal) => embedder.embed(texts, signal) } : null;
      },
    });
    await routing.init();
    disposables.add('routing', () => routing.dispose());
    let embeddingModelId = settings.get().documents.embeddingModelId;
    settings.onChange((next) => {
      // Another embedding model: outcome prompts are embedded again (each model has its own cache).
      if (next.documents.embeddingModelId === embeddingModelId) return;
      embeddingModelId = next.documents.embeddingModelId;
      void routing.refreshEmbeddings();
    });
    /** Every model a chat, a sampling request or the CLI streams from: Auto, or the named model with budget, queue, circuit and cache. */
    const resolveModel = (modelId: string, context: RouteContext = NO_ROUTE_CONTEXT): Promise<LanguageModel> => routing.model(modelId, context);

    const downloads = new DownloadManager({
      modelsDir: layout.models,
      onProgress: (status) => rpc?.broadcast('downloads.progress', status),
      onCompleted: async (path) => {
        const models = await library.list(true);
        rpc?.broadcast('models.changed', {});
        return models.find((m) => m.path === path)?.id ?? null;
      },
    });
    await downloads.init();
    // Pausing keeps the part file and journal, so the next start resumes.
    disposables.add('downloads', () => downloads.dispose());
    const catalog = () => loadModelCatalog();
    const availableMemory = async () => {
      const llama = await runtime.backend().catch(() => null);
      const vram = llama && llama.gpu !== false ? (await llama.getVramState()).free : 0;
      return freemem() + vram;
    };

    // The tool loop: approval cards answered only through chat.approveTool; servers' sampling waits for the user.
    const approvals = new ApprovalBroker();
    disposables.add('tool approvals', () => approvals.dispose());
    // Set once the chat turn runner exists: sampling during a private turn stays local.
    let turnsForSampling: ChatTurnRunner | null = null;
    const sampling = new SamplingService({
      broadcast: (request) => rpc?.broadcast('mcp.samplingRequested', request),
      resolveModel: (modelId) => resolveModel(modelId, { ...NO_ROUTE_CONTEXT, private: turnsForSampling?.holdsConfidentialContent() ?? false }),
      proposedModelId: async () =>
        settings.get().mcp.samplingModelId ??
        (await library.list()).find((m) => m.problem === null && !/bert/i.test(m.architecture ?? ''))?.id ??
        null,
    });
    disposables.add('sampling requests', () => sampling.dispose());
    mcp.setSamplingHandler(sampling.handler);
    const maxToolResultChars = () => settings.get().mcp.maxToolResultChars;
    const toolLoop = new ToolLoop({ host: mcp, approvals, maxToolResultChars });
    const documents = new DocumentService({
      root: join(layout.root, 'documents'),
      databaseUri: () => settings.get().documents.databaseUri ?? join(layout.root, 'lancedb'),
      settings: () => settings.get().documents,
      embedders,
      logger,
      // Watchers and the catch-up rescan belong to long-running modes; a CLI command indexes explicitly.
      watch: options.mode !== 'cli',
      onProgress: (progress) => rpc?.broadcast('collections.progress', progress),
      onChanged: (collectionId) => rpc?.broadcast('collections.changed', { collectionId }),
      openPath: options.openPath,
    });
    await documents.init();
    disposables.add('documents', () => documents.dispose());

    const hasLocalOnlyContent = (collectionIds: string[]) => documents.holdsLocalOnly(collectionIds);
    const turns = new ChatTurnRunner({
      store: chats,
      resolveModel,
      maxTokens: () => settings.get().maxTokens,
      onChatChanged: (chatId) => rpc?.broadcast('chats.changed', { chatId }),
      toolLoop,
      maxToolResultChars,
      hasLocalOnlyContent,
      retrieve: (collectionIds, query, modelId) =>
        retrieveForChat((request) => documents.search(request), {
          collectionIds,
          query,
          topK: settings.get().documents.retrievalTopK,
          excludeLocalOnly: providers.owns(modelId),
        }),
      isCloud: (modelId) => providers.owns(modelId),
      // Best of N's judge scores become router outcomes.
      recordOutcome: (outcome) => routing.recordOutcome(null, outcome, 'judge'),
    });

    turnsForSampling = turns;
    // [compare] wiring
    const compare = new CompareService({
      store: chats,
      turns,
      resolveModel,
      isCloud: (modelId) => providers.owns(modelId),
      runtime,
      routing,
      hasLocalOnlyContent,
      maxTokens: () => settings.get().maxTokens,
      onChatChanged: (chatId) => rpc?.broadcast('chats.changed', { chatId }),
      retrieve: (collectionIds, query) =>
        retrieveForChat((request) => documents.search(request), { collectionIds, query, topK: settings.get().documents.retrievalTopK }),
      // As the runtime estimates a model before loading it for chat (saved load options, else the context size setting).
      localNeedBytes: async (modelId) => {
        const info = await library.resolve(modelId);
        const saved = settings.get().modelLoadOptions[info.id];
        const setting = settings.get().contextSize;
        const contextSize = typeof saved?.contextSize === 'number' ? saved.contextSize : typeof setting === 'number' ? setting : undefined;
        const estimate = await runtime.inspector.estimate(info, { contextSize, gpuLayers: saved?.gpuLayers, embedding: false }).catch(() => null);
        return estimate ? estimate.ramBytes + estimate.vramBytes : info.sizeBytes;
      },
      // The next local column's model loads while the one before it generates.
      prepareLocal: async (modelId, signal) => {
        await runtime.load(await library.resolve(modelId), {}, signal);
      },
    });
    // [lab] wiring
    const lab = new LabService({
      dir: join(layout.root, 'lab'),
      resolveModel,
      isCloud: (modelId) => providers.owns(modelId),
      runtime,
      routing,
      onChanged: () => rpc?.broadcast('lab.changed', {}),
      defaultJudgeModelId: async () => (await library.list()).find((m) => m.problem === null && !/bert/i.test(m.architecture ?? ''))?.id ?? null,
      maxTokens: () => settings.get().maxTokens,
      prepareLocal: async (modelId, signal) => {
        await runtime.load(await library.resolve(modelId), {}, signal);
      },
    });
    // [soup] Turtle Soup: puzzles, saved games, the host and the solver.
    const soup = new SoupService({
      dir: join(layout.root, 'soup'),
      resolveModel: (modelId, options) => resolveModel(modelId, { ...NO_ROUTE_CONTEXT, ...options }),
      isLocal: (modelId) => modelId !== 'auto' && !providers.owns(modelId),
      defaultLocalModelId: async () => (await library.list()).find((m) => m.problem === null && !/bert/i.test(m.architecture ?? ''))?.id ?? null,
      recordOutcome: (outcome) => routing.recordOutcome(null, outcome, 'judge'),
      onChanged: () => rpc?.broadcast('soup.changed', {}),
    });
    await soup.init();
    for (const problem of soup.puzzles.loadProblems) logger.warn(problem);
    // [api] Tandem's own API for other tools: keys with limits, the request log, and the server (started below, once the core exists).
    const apiChanged = () => rpc?.broadcast('api.changed', {});
    const apiRequestLogged = throttled(apiChanged, 1000);
    const apiKeys = new ApiKeyService({ dir: join(layout.root, 'api'), logger, onKeysChanged: apiChanged, onRequestLogged: () => apiRequestLogged.call() });
    await apiKeys.init();
    disposables.add('api keys', async () => {
      apiRequestLogged.cancel();
      await apiKeys.dispose();
    });
    const api = new ApiService({ keys: apiKeys, settings: () => settings.get().api, logger, onChanged: apiChanged });
    const baseHandlers = createHandlers({
      mode: options.mode,
      version: options.version,
      dataDir: layout.root,
      settings,
      library,
      folders,
      modelsDir: layout.models,
      runtime,
      chats,
      turns,
      providers,
      cpuCount: cpuCount(),
      downloads: { downloads, catalog, modelsDirs, availableMemory },
      mcp: { host: mcp },
      toolApprovals: { approvals, sampling },
      routing: { routing, chats, hasLocalOnlyContent },
      compare,
      lab,
      broadcast: (event, payload) => rpc?.broadcast(event, payload),
      api: { api, keys: apiKeys },
      soup,
    });
    const handlers = { ...baseHandlers, ...createDocumentHandlers(documents) };
    rpc = new RpcDispatcher(handlers, logger);
    const activeRpc = rpc;
    // First to dispose: stop streams so answers end as "cancelled" and are saved.
    disposables.add('streams', async () => {
      activeRpc.cancelAll();
      await waitFor(() => activeRpc.activeStreams === 0, 5000);
    });
    settings.onChange((next) => activeRpc.broadcast('settings.changed', next));

    const core = {
      rpc: activeRpc,
      settings,
      library,
      folders,
      runtime,
      downloads,
      catalog,
      modelsDirs,
      availableMemory,
      embeddings,
      documents,
      chats,
      turns,
      providers,
      mcp,
      approvals,
      sampling,
      toolLoop,
      routing,
      compare,
      lab,
      soup,
      resolveModel,
      resolveRawModel,
      layout,
      apiKeys,
      api,
      dispose: () => disposables.dispose(),
    };
    // [api] Disposed first, before the services its requests use; started only by the long-running modes.
    api.attach(core);
    disposables.add('api server', () => api.dispose());
    if (options.mode !== 'cli') {
      let apiConfig = JSON.stringify(settings.get().api);
      settings.onChange((next) => {
        if (JSON.stringify(next.api) === apiConfig) return;
        apiConfig = JSON.stringify(next.api);
        void api.apply();
      });
      await api.apply();
    }
    return core;
  } catch (error) {
    await disposables.dispose();
    throw error;
  }
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
}
