import { IpcTransport } from './ipc-transport';
import { safeSessionStorage, takeServeToken, webSocketUrl } from './serve-token';
import type { Transport } from './transport';
import { WebSocketTransport } from './websocket-transport';

export type TransportChoice = { ok: true; transport: Transport } | { ok: false; reason: 'missing-token' };

/** The desktop bridge when the preload provided one, else serve mode's WebSocket. */
export function pickTransport(): TransportChoice {
  if (window.tandem) return { ok: true, transport: new IpcTransport(window.tandem) };
  const token = takeServeToken(window.location, window.history, safeSessionStorage());
  if (!token) return { ok: false, reason: 'missing-token' };
  const transport = new WebSocketTransport({ url: webSocketUrl(window.location, token) });
  window.addEventListener('online', () => transport.retryNow());
  return { ok: true, transport };
}
