import { freemem, totalmem } from 'node:os';
import type { ChatStore } from '../chats/chat-store';
import type { LocalRuntime } from '../models/local-runtime';
import type { ModelLibrary } from '../models/model-library';
import { cpuCount } from '../models/threads';
import type { Handlers } from './handlers';

type ModelHandlerNames =
  | 'models.inspect'
  | 'hardware.info'
  | 'models.loaded'
  | 'models.load'
  | 'models.unload'
  | 'models.cancelLoad'
  | 'chats.updateSettings';

export interface ModelHandlerDeps {
  library: ModelLibrary;
  runtime: LocalRuntime;
  chats: ChatStore;
  onChatChanged: (chatId: string) => void;
}

/** Handlers for the local-models routes (shared/ipc/routes/models.ts). */
export function createModelHandlers({ library, runtime, chats, onChatChanged }: ModelHandlerDeps): Pick<Handlers, ModelHandlerNames> {
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
    'models.load': async ({ modelId, options }) => runtime.load(await library.resolve(modelId), options ?? {}),
    'models.unload': async ({ modelId }) => ({ unloaded: await runtime.unload((await library.resolve(modelId)).path) }),
    'models.cancelLoad': async ({ modelId }) => ({ cancelled: runtime.cancelLoad((await library.resolve(modelId)).path) }),
    'chats.updateSettings': async ({ chatId, settings }) => {
      const chat = await chats.updateSettings(chatId, settings);
      onChatChanged(chatId);
      return chat;
    },
  };
}
