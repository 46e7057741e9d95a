import { freemem, totalmem } from 'node:os';
import { CodedError } from '../../../shared/ipc/errors';
import type { ChatStore } from '../chats/chat-store';
import type { LocalRuntime } from '../models/local-runtime';
import type { ModelLibrary } from '../models/model-library';
import { importModelFile, type ModelFolders } from '../models/model-folders';
import type { SettingsStore } from '../settings/settings-store';
import { cpuCount } from '../models/threads';
import type { Handlers } from './handlers';

type ModelHandlerNames =
  | 'models.inspect'
  | 'hardware.info'
  | 'models.loaded'
  | 'models.load'
  | 'models.unload'
  | 'models.cancelLoad'
  | 'models.folders'
  | 'models.addFolder'
  | 'models.removeFolder'
  | 'models.import'
  | 'chats.updateSettings';

export interface ModelHandlerDeps {
  library: ModelLibrary;
  runtime: LocalRuntime;
  chats: ChatStore;
  onChatChanged: (chatId: string) => void;
  folders: ModelFolders;
  settings: SettingsStore;
  /** The data dir's models folder, where imports are copied. */
  modelsDir: string;
  onModelsChanged: () => void;
}

/** Handlers for the local-models routes (shared/ipc/routes/models.ts). */
export function createModelHandlers({ library, runtime, chats, onChatChanged, folders, settings, modelsDir, onModelsChanged }: ModelHandlerDeps): Pick<Handlers, ModelHandlerNames> {
  return {
    'models.inspect': async ({ modelId, options }) => runtime.inspector.details(await library.resolve(modelId), options ?? {}),
    'hardware.info': async () => {
      const llama = await runtime.backend();
      const gpu = llama.gpu;
      const vram = gpu === false ? { total: 0, free: 0 } : await llama.getVramState();
      return {
        backend: gpu === false ? 'cpu' : gpu,
        devices: gpu === false ? [] : await llama.getGpuDeviceNames(),
        vram: { totalBytes: vram.total, freeBytes: vram.free },
        ram: { totalBytes: totalmem(), freeBytes: freemem() },
        cpuCores: cpuCount(),
        threads: runtime.threadsFor(Number.MAX_SAFE_INTEGER),
        memoryBudgetBytes: await runtime.memoryBudgetBytes(),
      };
    },
    'models.loaded': () => runtime.loaded(),
    'models.load': async ({ modelId, options }) => {
      const model = await library.resolve(modelId);
      if (options && Object.keys(options).length > 0) {
        // remembered per model, so a chat that loads it later uses them too
        const saved = settings.get().modelLoadOptions;
        if (JSON.stringify(saved[model.id]) !== JSON.stringify(options)) {
          await settings.update({ modelLoadOptions: { ...saved, [model.id]: options } });
        }
      }
      return runtime.load(model, options ?? {});
    },
    'models.unload': async ({ modelId }) => ({ unloaded: await runtime.unload((await library.resolve(modelId)).path) }),
    'models.cancelLoad': async ({ modelId }) => ({ cancelled: runtime.cancelLoad((await library.resolve(modelId)).path) }),
    'models.folders': () => folders.list(),
    'models.addFolder': async ({ path }) => {
      const list = await folders.add(path);
      await library.list(true);
      onModelsChanged();
      return list;
    },
    'models.removeFolder': async ({ path }) => {
      const list = await folders.remove(path);
      await library.list(true);
      onModelsChanged();
      return list;
    },
    'models.import': async ({ path }) => {
      const target = await importModelFile(path, modelsDir);
      const models = await library.list(true);
      onModelsChanged();
      const model = models.find((m) => m.path === target);
      if (!model) throw new CodedError('MODEL_NOT_FOUND', `${target} was copied but is not in the models list`);
      return model;
    },
    'chats.updateSettings': async ({ chatId, settings }) => {
      const chat = await chats.updateSettings(chatId, settings);
      onChatChanged(chatId);
      return chat;
    },
  };
}
