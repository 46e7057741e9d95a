import type { Result } from './result';
import type { ServerMessage } from './wire';

/**
 * The one narrow bridge the preload exposes as `window.tandem` in the
 * desktop app. Serve mode has no bridge; the renderer then uses the WebSocket.
 */
export interface TandemBridge {
  request(route: string, input: unknown): Promise<Result<unknown>>;
  /** Receives stream parts and events for this window; returns an unsubscribe function. */
  subscribe(listener: (message: ServerMessage) => void): () => void;
  /**
   * The path on disk of a File dropped on the window (Electron's webUtils.getPathForFile);
   * '' for a file with no path. Absent in serve mode, where a browser never tells.
   */
  pathForFile?(file: unknown): string;
}

export const IPC_REQUEST_CHANNEL = 'tandem:request';
export const IPC_MESSAGE_CHANNEL = 'tandem:message';
