import type { RouteInput, RouteName } from '../../shared/ipc/contract';
import type { Result } from '../../shared/ipc/result';
import type { ServerMessage } from '../../shared/ipc/wire';
import type { RpcDispatcher, RpcClient } from '../../electron/core/rpc/rpc-dispatcher';
import type { Answer } from './answer';
import { streamView, type StreamView } from './stream-log';
import { StreamContractCheck } from './stream-contract';
import { waitUntil } from './wait';

/** An in-process rpc client, as a window would be: it keeps every message the dispatcher sends it. */
export class CollectingClient implements RpcClient {
  readonly messages: ServerMessage[] = [];
  /** Every part of every stream this client started, checked against the contract. */
  readonly contractCheck = new StreamContractCheck();
  private readonly detach: () => void;

  constructor(
    private readonly rpc: RpcDispatcher,
    readonly id = `test-${Math.random().toString(36).slice(2)}`,
    /** As the desktop window by default; 'client' acts as another program on the serve WebSocket. */
    readonly trust: 'window' | 'client' = 'window',
  ) {
    this.detach = rpc.attach(this);
  }

  send(message: ServerMessage): void {
    // the transport serialises; so do we, so nothing shared by reference slips through
    const copy = JSON.parse(JSON.stringify(message)) as ServerMessage;
    this.messages.push(copy);
    this.contractCheck.check(copy);
  }

  request<K extends RouteName>(route: K, input: RouteInput<K>): Promise<Result<Answer<K>>>;
  request(route: unknown, input: unknown): Promise<Result<unknown>>;
  async request(route: unknown, input: unknown): Promise<Result<unknown>> {
    const result = await this.rpc.request(route, input, this);
    this.contractCheck.started(route, result);
    return result;
  }

  async call<K extends RouteName>(route: K, input: RouteInput<K>): Promise<Answer<K>> {
    const result = await this.request(route, input);
    if (!result.ok) throw new Error(`${route} failed: ${result.error.code}: ${result.error.message}`);
    return result.data;
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

  close(): void {
    this.detach();
  }
}
