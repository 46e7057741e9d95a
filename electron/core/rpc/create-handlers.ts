import type { EventName, EventPayload } from '../../../shared/ipc/contract';
import type { ChatStore } from '../chats/chat-store';
import type { ChatTurnRunner } from '../chats/chat-turn-runner';
import { exportChat } from '../chats/chat-export';
import type { LocalRuntime } from '../models/local-runtime';
import type { ModelLibrary } from '../models/model-library';
import type { ModelFolders } from '../models/model-folders';
import type { ProviderService } from '../providers/provider-service';
import type { SettingsStore } from '../settings/settings-store';
import type { Handlers } from './handlers';
import { createProviderHandlers } from './providers-handlers';
import { createModelHandlers } from './models-handlers';
import { createDownloadHandlers, type DownloadHandlerDeps } from './downloads-handlers';
import { createDocumentHandlers } from './documents-handlers';
import { createMcpHandlers, type McpHandlerDeps } from './mcp-handlers';
import { createRoutingHandlers, type RoutingHandlerDeps } from './routing-handlers';
import { createToolApprovalHandlers, type ToolApprovalHandlerDeps } from './tool-approval-handlers';
import { createCompareHandlers } from './compare-handlers';
import { createLabHandlers } from './lab-handlers';
import { createApiHandlers, type ApiHandlerDeps } from './api-handlers';
import { createSoupHandlers } from './soup-handlers';
import { createRuntimeHandlers } from './runtime-handlers';
import type { RuntimeService } from '../models/runtime/runtime-service';
import type { CompareService } from '../compare/compare-service';
import type { LabService } from '../lab/lab-service';
import type { SoupService } from '../soup/soup-service';
import type { AppNotices } from '../app/app-notices';

export interface HandlerDeps {
  mode: 'desktop' | 'serve' | 'cli';
  version: string;
  dataDir: string;
  settings: SettingsStore;
  library: ModelLibrary;
  folders: ModelFolders;
  /** The data dir's models folder. */
  modelsDir: string;
  runtime: LocalRuntime;
  chats: ChatStore;
  turns: ChatTurnRunner;
  providers: ProviderService;
  cpuCount: number;
  downloads: Omit<DownloadHandlerDeps, 'library' | 'runtime' | 'onModelsChanged'>;
  mcp: McpHandlerDeps;
  broadcast: <E extends EventName>(event: E, payload: EventPayload<E>) => void;
  /** Auto: decisions, votes, outcomes, usage, cache. */
  routing: RoutingHandlerDeps;
  /** Side-by-side answers, votes and the leaderboard. */
  compare: CompareService;
  /** The benchmark lab. */
  lab: LabService;
  /** Answers to tool approval cards and sampling requests; null answers `resolved: false`. */
  toolApprovals?: ToolApprovalHandlerDeps | null;
  /** Tandem's own API server and its keys; null answers UNSUPPORTED. */
  api?: ApiHandlerDeps | null;
  /** Turtle Soup; null answers UNSUPPORTED. */
  soup?: SoupService | null;
  /** The llama.cpp runtime (prebuilt or built for this computer); null answers UNSUPPORTED. */
  runtimeService?: RuntimeService | null;
  /** Notices about the app itself (config files kept aside, failed writes); without it none are listed. */
  notices?: AppNotices | null;
}

/** Thin handlers: each one delegates to a core service. */
export function createHandlers(deps: HandlerDeps): Handlers {
  const { settings, library, runtime, chats, turns, broadcast } = deps;
  return {
    'app.info': () => ({
      name: 'Tandem',
      version: deps.version,
      mode: deps.mode,
      platform: process.platform,
      dataDir: deps.dataDir,
      cpuCount: deps.cpuCount,
      threads: runtime.threadsFor(0),
    }),

    'app.notices': () => deps.notices?.list() ?? [],
    'app.dismissNotice': async ({ id }) => ({ dismissed: (await deps.notices?.dismiss(id)) ?? false }),

    'settings.get': () => settings.get(),
    'settings.update': (patch) => settings.update(patch),

    'models.list': async ({ refresh }) => {
      const models = await library.list(refresh ?? false);
      if (refresh) broadcast('models.changed', {});
      return models;
    },

    'chats.list': ({ query }) => chats.list(query),
    'chats.create': async ({ title, modelId }) => {
      const chat = await chats.create({ title, modelId });
      broadcast('chats.changed', { chatId: chat.id });
      return chat;
    },
    'chats.get': ({ chatId }) => chats.get(chatId),
    'chats.rename': async ({ chatId, title }) => {
      const chat = await chats.rename(chatId, title);
      broadcast('chats.changed', { chatId });
      return chat;
    },
    'chats.delete': async ({ chatId }) => {
      await chats.delete(chatId);
      broadcast('chats.changed', { chatId });
      return { deleted: true as const };
    },
    'chats.export': async ({ chatId, format }) => exportChat(await chats.get(chatId), format),

    'chat.send': (input, { clientId }) => turns.start({ ...input, clientId }),

    ...createProviderHandlers(deps.providers),
    ...createDocumentHandlers(),
    ...createMcpHandlers(deps.mcp),
    ...createToolApprovalHandlers(deps.toolApprovals ?? null),
    ...createRoutingHandlers(deps.routing),
    ...createCompareHandlers(deps.compare),
    ...createLabHandlers(deps.lab),
    ...createApiHandlers(deps.api ?? null),
    ...createSoupHandlers(deps.soup ?? null),
    ...createRuntimeHandlers(deps.runtimeService ?? null),
    ...createDownloadHandlers({ ...deps.downloads, library, runtime, onModelsChanged: () => broadcast('models.changed', {}) }),
    ...createModelHandlers({
      library,
      runtime,
      chats,
      onChatChanged: (chatId) => broadcast('chats.changed', { chatId }),
      folders: deps.folders,
      settings,
      modelsDir: deps.modelsDir,
      onModelsChanged: () => broadcast('models.changed', {}),
    }),
  };
}
