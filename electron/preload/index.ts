import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import { IPC_MESSAGE_CHANNEL, IPC_REQUEST_CHANNEL, type TandemBridge } from '../../shared/ipc/bridge';
import type { ServerMessage } from '../../shared/ipc/wire';

// Exposes request/subscribe and nothing else: no ipcRenderer, no Node.
const bridge: TandemBridge = {
  request: (route, input) => ipcRenderer.invoke(IPC_REQUEST_CHANNEL, route, input),
  subscribe: (listener) => {
    const handler = (_event: IpcRendererEvent, message: ServerMessage) => listener(message);
    ipcRenderer.on(IPC_MESSAGE_CHANNEL, handler);
    return () => {
      ipcRenderer.off(IPC_MESSAGE_CHANNEL, handler);
    };
  },
  // Dropped files on the Documents page: Electron no longer puts `path` on File objects.
  pathForFile: (file) => webUtils.getPathForFile(file as Parameters<typeof webUtils.getPathForFile>[0]),
};

contextBridge.exposeInMainWorld('tandem', bridge);
