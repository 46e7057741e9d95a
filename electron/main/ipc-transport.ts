import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { IPC_MESSAGE_CHANNEL, IPC_REQUEST_CHANNEL } from '../../shared/ipc/bridge';
import { fail } from '../../shared/ipc/result';
import type { ServerMessage } from '../../shared/ipc/wire';
import type { RpcDispatcher, RpcClient } from '../core/rpc/rpc-dispatcher';

/**
 * The contract over Electron IPC: one invoke channel for requests, one
 * directed channel for stream parts and events. Only our own top frame,
 * loaded from our own origin, may call.
 */
export function registerIpcTransport(rpc: RpcDispatcher, isTrustedUrl: (url: string) => boolean): () => void {
  const detachers = new Map<number, () => void>();

  const clientFor = (contents: WebContents): RpcClient => {
    const client: RpcClient = {
      id: `ipc-${contents.id}`,
      // Only our own top frame reaches here (checked below): it is the desktop window.
      trust: 'window',
      send: (message: ServerMessage) => {
        if (!contents.isDestroyed()) contents.send(IPC_MESSAGE_CHANNEL, message);
      },
    };
    if (!detachers.has(contents.id)) {
      detachers.set(contents.id, rpc.attach(client));
      contents.once('destroyed', () => {
        detachers.get(contents.id)?.();
        detachers.delete(contents.id);
      });
    }
    return client;
  };

  ipcMain.handle(IPC_REQUEST_CHANNEL, async (event: IpcMainInvokeEvent, route: unknown, input: unknown) => {
    const frame = event.senderFrame;
    if (!frame || frame.parent !== null || !isTrustedUrl(frame.url)) {
      return fail({ code: 'BAD_MESSAGE', message: 'Requests are only accepted from the Tandem window', retryable: false });
    }
    return rpc.request(route, input, clientFor(event.sender));
  });

  return () => {
    ipcMain.removeHandler(IPC_REQUEST_CHANNEL);
    for (const detach of detachers.values()) detach();
    detachers.clear();
  };
}
