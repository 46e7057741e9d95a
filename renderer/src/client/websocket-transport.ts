import type { Result } from '../../../shared/ipc/result';
import type { ClientMessage } from '../../../shared/ipc/wire';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff';
import { asServerMessage } from './push-message-guard';
import { ConnectionLostError, type ConnectionStatus, type PushMessage, type Transport } from './transport';

interface PendingRequest {
  resolve: (result: Result<unknown>) => void;
  reject: (error: Error) => void;
}

export interface WebSocketTransportOptions {
  /** ws://host:port/tandem-ws?token=… */
  url: string;
  backoff?: BackoffPolicy;
  createSocket?: (url: string) => WebSocket;
}

/**
 * Serve mode's transport. Keeps one socket open, reconnecting with backoff
 * when it drops. Requests made while the socket is down wait in an outbox and
 * go out once it opens; requests already sent when it drops are rejected
 * (the server detaches the client, which also ends its streams).
 */
export class WebSocketTransport implements Transport {
  readonly kind = 'websocket';
  private socket: WebSocket | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, PendingRequest>();
  private readonly outbox: string[] = [];
  private readonly listeners = new Set<(message: PushMessage) => void>();
  private readonly statusListeners = new Set<(status: ConnectionStatus) => void>();
  private current: ConnectionStatus = { state: 'connecting', failures: 0, retryAt: null };
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private closed = false;
  private readonly backoff: BackoffPolicy;
  private readonly createSocket: (url: string) => WebSocket;

  constructor(private readonly options: WebSocketTransportOptions) {
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.createSocket = options.createSocket ?? ((url) => new WebSocket(url));
    this.connect();
  }

  request(route: string, input: unknown): Promise<Result<unknown>> {
    if (this.closed) return Promise.reject(new ConnectionLostError('The client was closed'));
    const id = this.nextId++;
    const envelope: ClientMessage = { type: 'request', id, route, input };
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      const text = JSON.stringify(envelope);
      if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(text);
      else this.outbox.push(text);
    });
  }

  subscribe(listener: (message: PushMessage) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  status(): ConnectionStatus {
    return this.current;
  }

  onStatus(listener: (status: ConnectionStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  /** Tries at once instead of waiting out the backoff (e.g. the browser came back online). */
  retryNow(): void {
    if (this.closed || this.current.state !== 'reconnecting') return;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.connect();
  }

  close(): void {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.socket?.close();
    this.failPending();
    this.outbox.length = 0;
  }

  private connect(): void {
    let socket: WebSocket;
    try {
      socket = this.createSocket(this.options.url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      this.setStatus({ state: 'open', failures: 0, retryAt: null });
      for (const text of this.outbox.splice(0)) socket.send(text);
    };
    socket.onmessage = (event) => this.receive(event.data);
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.failPending();
      if (!this.closed) this.scheduleReconnect();
    };
    // onclose always follows onerror; nothing to do here but keep the console quiet.
    socket.onerror = () => undefined;
  }

  private receive(data: unknown): void {
    if (typeof data !== 'string') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(data);
    } catch {
      return;
    }
    const message = asServerMessage(parsed);
    if (!message) return;
    if (message.type === 'response') {
      const waiting = this.pending.get(message.id);
      this.pending.delete(message.id);
      waiting?.resolve(message.result);
      return;
    }
    for (const listener of this.listeners) listener(message);
  }

  private scheduleReconnect(): void {
    const failures = this.current.failures + 1;
    const delay = backoffDelay(failures, this.backoff);
    this.setStatus({ state: 'reconnecting', failures, retryAt: Date.now() + delay });
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.connect();
    }, delay);
  }

  private failPending(): void {
    const waiting = [...this.pending.values()];
    this.pending.clear();
    for (const request of waiting) request.reject(new ConnectionLostError());
  }

  private setStatus(status: ConnectionStatus): void {
    this.current = status;
    for (const listener of this.statusListeners) listener(status);
  }
}
