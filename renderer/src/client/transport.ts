import type { Result } from '../../../shared/ipc/result';
import type { EventMessage, StreamMessage } from '../../../shared/ipc/wire';

export type ConnectionState = 'connecting' | 'open' | 'reconnecting';

export interface ConnectionStatus {
  state: ConnectionState;
  /** Failed attempts in a row since the link was last open. */
  failures: number;
  /** When the next attempt starts (epoch ms), while waiting to reconnect. */
  retryAt: number | null;
}

/** What the server pushes without being asked: stream items and events. */
export type PushMessage = StreamMessage | EventMessage;

/**
 * How the client reaches the backend: the preload bridge in the desktop app,
 * or the loopback WebSocket in serve mode. Both carry the same envelopes.
 */
export interface Transport {
  readonly kind: 'ipc' | 'websocket';
  /** Resolves with the route's result; rejects with ConnectionLostError when the link drops first. */
  request(route: string, input: unknown): Promise<Result<unknown>>;
  subscribe(listener: (message: PushMessage) => void): () => void;
  status(): ConnectionStatus;
  onStatus(listener: (status: ConnectionStatus) => void): () => void;
  close(): void;
}

/** The link dropped before an answer came; the request may or may not have run. */
export class ConnectionLostError extends Error {
  constructor(message = 'The connection to Tandem was lost') {
    super(message);
    this.name = 'ConnectionLostError';
  }
}
