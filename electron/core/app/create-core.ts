import { mkdir } from 'node:fs/promises';
import { CodedError } from '../../../shared/ipc/errors';
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
import { RerankerService } from '../models/reranker-service';
import { McpHost } from '../mcp/mcp-host';
import { ApprovalBroker } from '../mcp/approval-broker';
import { SamplingService } from '../mcp/sampling-service';
import { ElicitationService } from '../mcp/elicitation-service';
import { ToolLoop } from '../mcp/tool-loop';
import { LocalRuntime } from '../models/local-runtime';
import { RuntimeService } from '../models/runtime/runtime-service';
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
import { AppNotices } from './app-notices';
import { CONFIG_FILES } from './config-backup';
import type { ConfigFileProblem } from '../fs/config-file';
import { bundledResources, resolveResourcesDir } from './resources-dir';
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
  /**
   * [issue 13] Opens an MCP server's OAuth consent link in the system browser (Electron's shell.openExternal).
   * Without it (serve mode) the link is only shown: `McpServerStatus.auth.authorizationUrl`.
   */
  openExternal?: (url: string) => Promise<void>;
  /** The system folder picker (Electron's dialog.showOpenDialog); without it documents.pickFolder is UNSUPPORTED. Null or [] when cancelled. */
  pickFolder?: () => Promise<string[] | null>;
  /**
   * The folder of bundled files (model catalog, prices, puzzles): `process.resourcesPath` in the packaged
   * app, the repo's resources/ otherwise. Default: TANDEM_RESOURCES_DIR, which bin/ scripts and tests set.
   */
  resourcesDir?: string;
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
  const resources = bundledResources(resolveResourcesDir(options.resourcesDir));
  const disposables = new DisposableStack(logger);
  try {
    await mkdir(layout.root, { recursive: true, mode: 0o700 });

    // [issue 15] What the user must be told about the app itself: config files kept aside, failed settings writes.
    const notices = new AppNotices({ dataDir: layout.root });
    const noticeConfigProblem = (problem: ConfigFileProblem | null) => {
      if (!problem) return;
      logger.info(problem.message); // the user is told through the notice (window banner, CLI line)
      notices.addConfigProblem(problem);
    };
    const settings = new SettingsStore(layout.settings, { onWriteFailed: (message) => notices.add({ level: 'error', message, file: layout.settings }) });
    await settings.load();
    noticeConfigProblem(settings.configProblem);

    const extraDirs = (options.modelsDirs ?? []).map((dir) => resolve(dir));
    const modelsDirs = () => [...new Set([layout.models, ...extraDirs, ...settings.get().modelsDirs])];
    const library = new ModelLibrary(modelsDirs);
    const folders = new ModelFolders({ dataDirModels: layout.models, commandLine: extraDirs, settings });

    // Services are created before the dispatcher so events can flow; they reach it through this variable.
    let rpc: RpcDispatcher | null = null;
    // [runtime] The llama.cpp binary local models run on (prebuilt or built for this computer) and threads by measurement.
    const runtimeService = new RuntimeService({
      dir: join(layout.root, 'runtime'),
      logger,
      gpu: options.gpu,
      variant: () => settings.get().runtime.variant,
      setVariant: async (variant) => {
        await settings.update({ runtime: { variant } });
      },
      // the smallest chat model checks a build
      checkModel: async () =>
        (await library.list()).filter((m) => m.problem === null && !/bert/i.test(m.architecture ?? '')).sort((a, b) => a.sizeBytes - b.sizeBytes)[0]?.path ?? null,
      onChanged: (info) => rpc?.broadcast('runtime.changed', info),
    });
    await runtimeService.init();
    disposables.add('runtime service', () => runtimeService.dispose());
    const runtime = new LocalRuntime({
      loadLlama: (llamaLogger) => runtimeService.loadLlama(llamaLogger),
      measuredThreads: (info, model, signal) => runtimeService.threadsFor(info, model, signal),
      logger,
      gpu: options.gpu,
      threads: () => settings.get().threads,
      contextSize: () => settings.get().contextSize,
      memoryBudget: () => settings.get().modelMemoryBudget,
      savedLoadOptions: (info) => settings.get().modelLoadOptions[info.id],
      onStatus: (status) => rpc?.broadcast('models.status', status),
    });
    disposables.add('local runtime', () => runtime.dispose());
    // Reranking models for the collections that chose one; disposed before the runtime whose backend it uses.
    const rerankerService = new RerankerService(() => runtime.backend());
    disposables.add('reranker', () => rerankerService.dispose());
    runtimeService.attach({ backendLoaded: () => runtime.backendLoaded(), resetBackend: () => runtime.resetBackend(), backend: () => runtime.backend() });
    const embeddings = new EmbeddingService(runtime);
    /** The local embedding model (documents, and Auto's prompt similarity when one exists). */
    const embedders = new EmbedderResolver({ library, runtime, embeddings, modelId: () => settings.get().documents.embeddingModelId });

    const chats = new ChatStore(layout.chats);
    await chats.init();
    disposables.add('chat store', () => chats.dispose());

    const providers = new ProviderService({
      dataDir: layout.root,
      logger,
      cipher: options.secretCipher,
      retry: options.providerRetry,
      bundledPricing: resources.pricing,
    });
    await providers.init();
    noticeConfigProblem(providers.store.configProblem);
    disposables.add('providers', () => providers.dispose());
    /** `PROVIDER/MODEL` goes to that provider; anything else is a local model. */
    // [issue 13] Servers' requests for input wait for the user's form (not in CLI mode: nobody could answer).
    const elicitation = new ElicitationService({
      broadcast: (request) => rpc?.broadcast('mcp.elicitationRequested', request),
      ended: (requestId) => rpc?.broadcast('mcp.elicitationEnded', { requestId }),
    });
    disposables.add('elicitation requests', () => elicitation.dispose());
    const mcp = new McpHost({
      elicitationHandler: options.mode === 'cli' ? undefined : elicitation.handler,
      dataDir: layout.root,
      logger,
      cipher: options.secretCipher,
      roots: () => settings.get().mcp.roots,
      clientInfo: { name: 'Tandem', version: options.version },
      onChanged: (name, status) => rpc?.broadcast('mcp.changed', { name, status }),
      // [issue 13] OAuth sign-in: a 401 waits for the user's Sign in (mcp.login); the link opens in the system browser.
      auth: { openExternal: options.openExternal },
    });
    await mcp.init();
    noticeConfigProblem(mcp.configProblem);
    noticeConfigProblem(mcp.authConfigProblem);
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
    const catalog = () => loadModelCatalog(resources.catalog);
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
      pickFolder: options.pickFolder,
      rerankers: {
        // Only a model of the models folders (by id): a client cannot point the app at any file.
        resolve: async (modelId) => {
          const model = (await library.list()).find((m) => m.id === modelId);
          if (!model) throw new CodedError('NOT_FOUND', `There is no model "${modelId}" in the models folders`);
          return model;
        },
        rank: async (modelId, query, texts, signal) => rerankerService.rank(await library.resolve(modelId), query, texts, signal),
      },
    });
    await documents.init();
    noticeConfigProblem(documents.configProblem);
    // A window start also shows files an earlier run (the CLI) kept aside, until they are dismissed.
    if (options.mode !== 'cli') {
      await notices.addEarlierKeptAside(CONFIG_FILES.map((file) => join(layout.root, file)));
    }
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
      builtinFile: resources.puzzles,
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
      toolApprovals: { approvals, sampling, elicitation },
      routing: { routing, chats, hasLocalOnlyContent },
      compare,
      lab,
      broadcast: (event, payload) => rpc?.broadcast(event, payload),
      api: { api, keys: apiKeys },
      soup,
      notices,
      runtimeService,
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
    notices.onNotice((notice) => activeRpc.broadcast('app.notice', notice));

    const core = {
      rpc: activeRpc,
      settings,
      notices,
      library,
      folders,
      runtime,
      runtimeService,
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
      elicitation,
      toolLoop,
      routing,
      compare,
      lab,
      soup,
      resolveModel,
      resolveRawModel,
      layout,
      /** The bundled files in use (catalog, prices, puzzles). */
      resources,
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
