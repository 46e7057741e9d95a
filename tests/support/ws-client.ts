import WebSocket, { type RawData } from 'ws';
import type { RouteInput, RouteName, RouteOutput, StreamStart } from '../../shared/ipc/contract';
import type { Answer } from './answer';
import type { Result } from '../../shared/ipc/result';
import { TOKEN_QUERY_PARAM, WS_PATH, type ResponseMessage, type ServerMessage } from '../../shared/ipc/wire';
import { streamView, type StreamView } from './stream-log';
import { StreamContractCheck } from './stream-contract';
import { waitUntil } from './wait';

/** The WebSocket URL of a serve-mode server. */
export function wsUrl(port: number, token: string): string {
  return `ws://127.0.0.1:${port}${WS_PATH}?${TOKEN_QUERY_PARAM}=${encodeURIComponent(token)}`;
}

/**
 * A client of serve mode over the real WebSocket, as the renderer or a script
 * would be: correlates responses by id and keeps every message it received.
 */
export class TandemWsClient {
  readonly messages: ServerMessage[] = [];
  private nextId = 1;
  private readonly pending = new Map<number, (result: Result<unknown>) => void>();
  private readonly routes = new Map<number, string>();
  /** Every part of every stream this client started, checked against the contract. */
  readonly contractCheck = new StreamContractCheck();
  private closed = false;
  closeCode: number | null = null;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data: RawData) => {
      const message = JSON.parse(data.toString()) as ServerMessage;
      this.messages.push(message);
      this.contractCheck.check(message);
      if (message.type === 'response') {
        this.contractCheck.started(this.routes.get(message.id), message.result);
        this.routes.delete(message.id);
        const resolve = this.pending.get(message.id);
        this.pending.delete(message.id);
        resolve?.(message.result);
      }
    });
    socket.on('close', (code) => {
      this.closed = true;
      this.closeCode = code;
      for (const resolve of this.pending.values()) {
        resolve({ ok: false, error: { code: 'INTERNAL', message: 'socket closed', retryable: false } });
      }
      this.pending.clear();
    });
  }

  static connect(url: string, options: WebSocket.ClientOptions = {}): Promise<TandemWsClient> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, options);
      socket.once('open', () => resolve(new TandemWsClient(socket)));
      socket.once('error', reject);
      socket.once('unexpected-response', (_request, response) => {
        reject(new Error(`HTTP ${response.statusCode}`));
      });
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Sends a request and resolves with its Result. */
  request<K extends RouteName>(route: K, input: RouteInput<K>): Promise<Result<Answer<K>>>;
  request(route: string, input: unknown): Promise<Result<unknown>>;
  request(route: string, input: unknown): Promise<Result<unknown>> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.routes.set(id, route);
      this.socket.send(JSON.stringify({ type: 'request', id, route, input }));
    });
  }

  /** Like `request`, but throws on `ok: false` (for steps that must work). */
  async call<K extends RouteName>(route: K, input: RouteInput<K>): Promise<Answer<K>> {
    const result = await this.request(route, input);
    if (!result.ok) throw new Error(`${route} failed: ${result.error.code}: ${result.error.message}`);
    return result.data;
  }

  /** Starts a chat turn and returns its stream id and message ids. */
  async send(input: RouteInput<'chat.send'>): Promise<StreamStart<RouteOutput<'chat.send'>>> {
    return this.call('chat.send', input);
  }

  /** What the stream delivered so far; throws when a part broke the contract. */
  stream(streamId: string): StreamView {
    this.contractCheck.assertClean(streamId);
    return streamView(this.messages, streamId);
  }

  async waitForEnd(streamId: string, timeoutMs = 30_000): Promise<StreamView> {
    await waitUntil(() => this.stream(streamId).end !== undefined, `the end of stream ${streamId}`, timeoutMs);
    return this.stream(streamId);
  }

  responses(): ResponseMessage[] {
    return this.messages.filter((m): m is ResponseMessage => m.type === 'response');
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.close();
    });
  }
}
